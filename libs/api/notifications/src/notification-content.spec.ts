import { webhookBody } from './channels/webhook-body';
import { renderHtml, renderText, RunFacts, runContent, walletLowContent } from './notification-content';

const run: RunFacts = {
  botId: null,
  runId: 42,
  status: 'completed',
  mode: 'dry_run',
  configId: 3,
  errorMessage: null,
  startedAt: '2026-12-01T10:00:00.000Z',
  stoppedAt: '2026-12-01T11:30:00.000Z',
  lastUpdateAt: '2026-12-01T11:29:00.000Z',
  overallScore: 63,
  totalPnl: '12.5',
  fills: 40,
  orders: 100,
  fillRate: 0.4,
  durationSeconds: 5400,
  dataQuality: 'ok',
  suggestions: [
    { key: 'mmSpreadMin', current: 0.04, suggested: 0.032, rationale: 'Fill rate was low.', confidence: 0.6 },
  ],
  suggestionsMessage: '1 change suggested from this run.',
  analysisId: 7,
};

describe('notification content', () => {
  it('summarises a run with score, P&L, fills, duration, top suggestions and a link', () => {
    const content = runContent('run-summary', run, 'https://cc.example');
    expect(content.title).toBe('Run #42 completed · score 63/100 · P&L +12.5 USDC');
    const text = renderText(content);
    expect(text).toContain('Fills: 40 of 100 orders (40.0%)');
    expect(text).toContain('Duration: 1 h 30 min');
    expect(text).toContain('- mmSpreadMin: 0.04 → 0.032 (confidence 60%). Fill rate was low.');
    expect(text).toContain('https://cc.example/runs/42');
  });

  it('puts the error message in an error alert and escapes it in HTML', () => {
    const content = runContent(
      'run-error',
      { ...run, status: 'error', errorMessage: '<script>boom</script>' },
      'https://cc.example',
    );
    expect(content.severity).toBe('critical');
    expect(renderText(content)).toContain('Error: <script>boom</script>');
    expect(renderHtml(content)).toContain('&lt;script&gt;boom&lt;/script&gt;');
    expect(renderHtml(content)).not.toContain('<script>');
  });

  it('names the silence of a stale run', () => {
    expect(runContent('run-stale', run, 'https://cc.example').title).toBe(
      'Run #42 went stale (no update for 1 min 0 s)',
    );
  });
});

describe('webhook bodies', () => {
  const content = walletLowContent('chain:0xabc', '42', '100', 'https://cc.example');

  it('generic: the whole notification as JSON', () => {
    expect(webhookBody('generic', content, 9, '2026-12-01T10:00:00.000Z')).toMatchObject({
      notificationId: 9,
      kind: 'wallet-low',
      severity: 'warning',
      title: 'Wallet balance low: 42 USDC (threshold 100)',
      facts: { Balance: '42 USDC', Threshold: '100 USDC' },
      link: 'https://cc.example/settings',
    });
  });

  it('discord: content plus one embed with fields', () => {
    const body = webhookBody('discord', content, 9, '2026-12-01T10:00:00.000Z');
    expect(body['content']).toBe('Wallet balance low: 42 USDC (threshold 100)');
    expect(body['embeds']).toEqual([
      expect.objectContaining({
        color: 0xf2994a,
        url: 'https://cc.example/settings',
        fields: expect.arrayContaining([{ name: 'Balance', value: '42 USDC', inline: true }]),
      }),
    ]);
  });

  it('slack: text fallback plus header, fields and link blocks', () => {
    const body = webhookBody('slack', content, 9, '2026-12-01T10:00:00.000Z');
    expect(body['text']).toContain('Wallet balance low');
    const blocks = body['blocks'] as Record<string, unknown>[];
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Wallet balance low: 42 USDC (threshold 100)' },
    });
    expect(JSON.stringify(blocks[blocks.length - 1])).toContain(
      '<https://cc.example/settings|Open in the Command Center>',
    );
  });
});

describe('webhook markup from bot text', () => {
  const hostile = 'boom <!channel> <https://evil.example|click> & <@U123>';
  const content = runContent(
    'run-error',
    { ...run, status: 'error', errorMessage: hostile },
    'https://cc.example',
  );

  it('escapes &, < and > in every Slack mrkdwn text, as Slack documents', () => {
    const body = webhookBody('slack', content, 1, '2026-12-01T11:30:00.000Z') as {
      text: string;
      blocks: {
        text?: { type: string; text: string };
        fields?: { text: string }[];
        elements?: { text: string }[];
      }[];
    };
    const texts = [
      body.text,
      ...body.blocks.flatMap((block) => [
        block.text?.type === 'mrkdwn' ? block.text.text : '',
        ...(block.fields ?? []).map((f) => f.text),
      ]),
    ];
    const all = texts.join('\n');
    expect(all).toContain('boom &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; &lt;@U123&gt;');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U123>');
    // the one link we make ourselves stays a link
    expect(body.blocks.at(-1)?.elements?.[0]?.text).toBe(
      '<https://cc.example/runs/42|Open in the Command Center>',
    );
  });

  it('turns off Discord mentions whatever the text says', () => {
    const body = webhookBody('discord', content, 1, '2026-12-01T11:30:00.000Z');
    expect(body['allowed_mentions']).toEqual({ parse: [] });
  });
});
