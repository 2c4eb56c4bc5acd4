import type { EmailChannel, UpdateEmailChannel, UpdateWebhookChannel, WebhookChannel } from '@polymaker/admin/data-access';

/**
 * A text field for a PUT that overrides an environment default: left as loaded → not sent (the server shows
 * secrets masked, so sending the masked text back would break them); emptied → null (back to the environment).
 */
export function fieldChange(loaded: string | null, edited: string): string | null | undefined {
  const value = edited.trim();
  if (value === (loaded ?? '')) return undefined;
  return value === '' ? null : value;
}

/** "a@x.org, b@y.org\nc@z.org" → ["a@x.org", "b@y.org", "c@z.org"]. */
export function parseRecipients(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface EmailForm {
  enabled: boolean;
  smtpUrl: string;
  from: string;
  to: string;
}
export interface WebhookForm {
  enabled: boolean;
  url: string;
  format: 'generic' | 'discord' | 'slack';
}

export function emailForm(c: EmailChannel): EmailForm {
  return { enabled: c.enabled, smtpUrl: c.smtpUrl ?? '', from: c.from, to: c.to.join(', ') };
}
export function webhookForm(c: WebhookChannel): WebhookForm {
  return { enabled: c.enabled, url: c.url ?? '', format: c.format };
}

/** The PUT body for the email channel: only what changed. */
export function emailUpdate(loaded: EmailChannel, form: EmailForm): UpdateEmailChannel {
  const body: UpdateEmailChannel = {};
  if (form.enabled !== loaded.enabled) body.enabled = form.enabled;
  const smtpUrl = fieldChange(loaded.smtpUrl, form.smtpUrl);
  if (smtpUrl !== undefined) body.smtpUrl = smtpUrl;
  const from = fieldChange(loaded.from, form.from);
  if (from !== undefined) body.from = from;
  const to = parseRecipients(form.to);
  if (to.join(',') !== loaded.to.join(',')) body.to = to.length ? to : null;
  return body;
}

/** The PUT body for the webhook channel: only what changed. */
export function webhookUpdate(loaded: WebhookChannel, form: WebhookForm): UpdateWebhookChannel {
  const body: UpdateWebhookChannel = {};
  if (form.enabled !== loaded.enabled) body.enabled = form.enabled;
  const url = fieldChange(loaded.url, form.url);
  if (url !== undefined) body.url = url;
  if (form.format !== loaded.format) body.format = form.format;
  return body;
}

/** A USDC threshold typed by the admin: "" → null (back to WALLET_LOW_BALANCE), a non-negative decimal, or an error. */
export function parseThreshold(text: string): { value: string | null } | { error: string } {
  const t = text.trim();
  if (t === '') return { value: null };
  if (!/^\d+(\.\d{1,6})?$/.test(t)) return { error: 'A non-negative amount in USDC, up to 6 decimals (e.g. 50 or 12.5).' };
  return { value: t };
}

/** The watched wallet: a public address (0x + 40 hex) and the http(s) JSON-RPC URL to read it from. */
export function parseWatch(address: string, rpcUrl: string): { address: string; rpcUrl: string } | { error: string } {
  const a = address.trim();
  const u = rpcUrl.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(a)) return { error: 'The address must be 0x followed by 40 hex digits.' };
  if (!/^https?:\/\/\S+$/.test(u)) return { error: 'The JSON-RPC URL must start with http:// or https://.' };
  return { address: a, rpcUrl: u };
}
