import type { NotificationContent } from '../notification-content';
import { maskTelegramToken, telegramEscape, telegramText } from './telegram';

const content = (paragraphs: string[], title = 'Run #7 stopped with an error'): NotificationContent => ({
  kind: 'run-error',
  severity: 'critical',
  title,
  facts: [{ label: 'P&L', value: '-1.5 USDC' }],
  paragraphs,
  link: 'https://cc.example.test/runs/7?a=1&b="2"',
  runId: 7,
});

/** What Telegram shows: the text with the tags gone and the entities read. */
const visible = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('Telegram messages', () => {
  it('escapes what a bot sent and formats the title and facts', () => {
    const html = telegramText(content(['Error: <script>alert(1)</script> & co']));
    expect(html).toBe(
      '<b>Run #7 stopped with an error</b>\n\n<b>P&amp;L:</b> -1.5 USDC\n\nError: &lt;script&gt;alert(1)&lt;/script&gt; &amp; co\n\n' +
        '<a href="https://cc.example.test/runs/7?a=1&amp;b=&quot;2&quot;">Open in the Command Center</a>',
    );
    expect(telegramEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('cuts a long message to 4096 visible characters in the text, never inside a tag or an entity, and keeps the link', () => {
    const html = telegramText(content([`${'&<'.repeat(3000)}`, 'never shown']));
    expect(visible(html)).toHaveLength(4096);
    expect(html).toMatch(/…\n\n<a href="[^"]+">Open in the Command Center<\/a>$/);
    expect(html).not.toContain('never shown');
    expect(html.replace(/<\/?b>|<a href="[^"]+">|<\/a>/g, '')).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;)/);
  });

  it('never splits an emoji', () => {
    const emoji = telegramText({ ...content([]), title: '😀'.repeat(20), facts: [] }, 6 + 28);
    expect(visible(emoji)).toMatch(/^(😀)*…\n\nOpen in the Command Center$/);
  });

  it('shows a token by its bot id only', () => {
    expect(maskTelegramToken('123456789:AAHabcdefghijklmnopqrstuvwxyz0123456')).toBe('123456789:***');
    expect(maskTelegramToken('nonsense')).toBe('***');
  });
});
