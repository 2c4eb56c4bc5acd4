import type { EmailChannel, WebhookChannel } from '@polymaker/admin/data-access';
import { emailForm, emailUpdate, fieldChange, parseRecipients, parseThreshold, parseWatch, webhookForm, webhookUpdate } from './channel-form';

const email: EmailChannel = { configured: true, enabled: true, from: 'PolyMaker <p@x.org>', smtpUrl: 'smtp://u:***@mail:587', to: ['a@x.org'] };
const webhook: WebhookChannel = { configured: true, enabled: true, format: 'generic', url: 'https://hooks.example/***' };

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
    expect(emailUpdate(email, { ...emailForm(email), enabled: false, to: 'a@x.org; b@y.org' })).toEqual({ enabled: false, to: ['a@x.org', 'b@y.org'] });
    expect(emailUpdate(email, { ...emailForm(email), to: '' })).toEqual({ to: null });
    expect(webhookUpdate(webhook, { ...webhookForm(webhook), format: 'discord', url: 'https://discord.com/api/webhooks/1/abc' })).toEqual({ url: 'https://discord.com/api/webhooks/1/abc', format: 'discord' });
  });

  it('parses recipients and thresholds', () => {
    expect(parseRecipients(' a@x.org,b@y.org\nc@z.org ')).toEqual(['a@x.org', 'b@y.org', 'c@z.org']);
    expect(parseThreshold('')).toEqual({ value: null });
    expect(parseThreshold('12.5')).toEqual({ value: '12.5' });
    expect('error' in parseThreshold('-1')).toBe(true);
    expect('error' in parseThreshold('abc')).toBe(true);
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
    expect(parseWatch('0x123', 'https://x')).toEqual({ error: 'The address must be 0x followed by 40 hex digits.' });
    expect(parseWatch('0x00000000000000000000000000000000000000A1', 'ftp://x')).toEqual({
      error: 'The JSON-RPC URL must start with http:// or https://.',
    });
  });
});
