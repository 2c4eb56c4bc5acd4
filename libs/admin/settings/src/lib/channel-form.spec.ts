import type { EmailChannel, TelegramChannel, WebhookChannel } from '@polymaker/admin/data-access';
import {
  emailForm,
  emailUpdate,
  fieldChange,
  parseRecipients,
  parseThreshold,
  parseWatch,
  telegramForm,
  telegramUpdate,
  webhookForm,
  webhookUpdate,
} from './channel-form';

const email: EmailChannel = {
  configured: true,
  enabled: true,
  from: 'PolyMaker <p@x.org>',
  smtpUrl: 'smtp://u:***@mail:587',
  to: ['a@x.org'],
};
const webhook: WebhookChannel = {
  configured: true,
  enabled: true,
  format: 'generic',
  url: 'https://hooks.example/***',
};

describe('channel forms', () => {
  it('sends a field only when edited; emptied means back to the environment', () => {
    expect(fieldChange('a', ' a ')).toBeUndefined();
    expect(fieldChange('a', '')).toBeNull();
    expect(fieldChange(null, '')).toBeUndefined();
    expect(fieldChange(null, 'b')).toBe('b');
  });

  it('never sends back the masked SMTP password or webhook secret', () => {
    expect(emailUpdate(email, emailForm(email))).toEqual({});
    expect(webhookUpdate(webhook, webhookForm(webhook))).toEqual({});
    expect(emailUpdate(email, { ...emailForm(email), enabled: false, to: 'a@x.org; b@y.org' })).toEqual({
      enabled: false,
      to: ['a@x.org', 'b@y.org'],
    });
    expect(emailUpdate(email, { ...emailForm(email), to: '' })).toEqual({ to: null });
    expect(
      webhookUpdate(webhook, {
        ...webhookForm(webhook),
        format: 'discord',
        url: 'https://discord.com/api/webhooks/1/abc',
      }),
    ).toEqual({ url: 'https://discord.com/api/webhooks/1/abc', format: 'discord' });
  });

  it('parses recipients and thresholds', () => {
    expect(parseRecipients(' a@x.org,b@y.org\nc@z.org ')).toEqual(['a@x.org', 'b@y.org', 'c@z.org']);
    expect(parseThreshold('')).toEqual({ value: null });
    expect(parseThreshold('12.5')).toEqual({ value: '12.5' });
    expect('error' in parseThreshold('-1')).toBe(true);
    expect('error' in parseThreshold('abc')).toBe(true);
  });
});

describe('the Telegram form', () => {
  const telegram: TelegramChannel = {
    configured: true,
    enabled: true,
    botToken: '123456789:***',
    chatId: '-1001234567890',
  };
  const token = '123456789:AAHabcdefghijklmnopqrstuvwxyz012345';

  it('never shows or sends back the token: empty keeps it, forget clears it', () => {
    expect(telegramForm(telegram)).toEqual({
      enabled: true,
      botToken: '',
      forgetToken: false,
      chatId: '-1001234567890',
    });
    expect(telegramUpdate(telegram, telegramForm(telegram))).toEqual({});
    expect(telegramUpdate(telegram, { ...telegramForm(telegram), botToken: ` ${token} ` })).toEqual({
      botToken: token,
    });
    expect(telegramUpdate(telegram, { ...telegramForm(telegram), forgetToken: true, chatId: '' })).toEqual({
      botToken: null,
      chatId: null,
    });
    expect(
      telegramUpdate(telegram, {
        enabled: false,
        botToken: '',
        forgetToken: false,
        chatId: '@polymaker_ops',
      }),
    ).toEqual({ enabled: false, chatId: '@polymaker_ops' });
  });

  it('explains a token or chat id the API would refuse, before sending anything', () => {
    expect(telegramUpdate(telegram, { ...telegramForm(telegram), botToken: '123:abc' })).toEqual({
      error:
        'The bot token is the one BotFather gave: digits, a colon, then the secret (e.g. 123456789:AAH…).',
    });
    for (const chatId of ['ops', '-100abc', '@ab', '1 2'])
      expect(telegramUpdate(telegram, { ...telegramForm(telegram), chatId })).toEqual({
        error: 'The chat id is a number such as -1001234567890, or a @channelusername.',
      });
  });
});

describe('parseWatch', () => {
  it('accepts a public address and an http(s) JSON-RPC URL, trimmed', () => {
    expect(parseWatch(' 0x00000000000000000000000000000000000000A1 ', 'https://polygon-rpc.com ')).toEqual({
      address: '0x00000000000000000000000000000000000000A1',
      rpcUrl: 'https://polygon-rpc.com',
    });
  });

  it('explains what is wrong', () => {
    expect(parseWatch('0x123', 'https://x')).toEqual({
      error: 'The address must be 0x followed by 40 hex digits.',
    });
    expect(parseWatch('0x00000000000000000000000000000000000000A1', 'ftp://x')).toEqual({
      error: 'The JSON-RPC URL must start with http:// or https://.',
    });
  });
});
