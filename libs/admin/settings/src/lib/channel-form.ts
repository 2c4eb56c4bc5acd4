import type {
  EmailChannel,
  TelegramChannel,
  UpdateEmailChannel,
  UpdateTelegramChannel,
  UpdateWebhookChannel,
  WebhookChannel,
} from '@polymaker/admin/data-access';

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

export interface TelegramForm {
  enabled: boolean;
  /** A new token; empty keeps the stored one (it is never sent to the browser). */
  botToken: string;
  /** Forget the stored token (back to TELEGRAM_BOT_TOKEN). */
  forgetToken: boolean;
  chatId: string;
}

export function telegramForm(c: TelegramChannel): TelegramForm {
  return { enabled: c.enabled, botToken: '', forgetToken: false, chatId: c.chatId ?? '' };
}

/** As the API checks them (a token from BotFather; a numeric chat id or a @channelusername). */
const TELEGRAM_TOKEN = /^\d{3,20}:[A-Za-z0-9_-]{30,100}$/;
const TELEGRAM_CHAT = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;

/**
 * The PUT body for the Telegram channel: only what changed, or what is wrong with it. The token field
 * starts empty (the server shows only the bot's id): left empty it is not sent; "forget" sends null.
 */
export function telegramUpdate(
  loaded: TelegramChannel,
  form: TelegramForm,
): UpdateTelegramChannel | { error: string } {
  const body: UpdateTelegramChannel = {};
  if (form.enabled !== loaded.enabled) body.enabled = form.enabled;
  const token = form.botToken.trim();
  if (form.forgetToken) body.botToken = null;
  else if (token !== '') {
    if (!TELEGRAM_TOKEN.test(token))
      return {
        error:
          'The bot token is the one BotFather gave: digits, a colon, then the secret (e.g. 123456789:AAH…).',
      };
    body.botToken = token;
  }
  const chatId = fieldChange(loaded.chatId, form.chatId);
  if (chatId !== undefined) {
    if (chatId !== null && !TELEGRAM_CHAT.test(chatId))
      return { error: 'The chat id is a number such as -1001234567890, or a @channelusername.' };
    body.chatId = chatId;
  }
  return body;
}

/** A USDC threshold typed by the admin: "" → null (back to WALLET_LOW_BALANCE), a non-negative decimal, or an error. */
export function parseThreshold(text: string): { value: string | null } | { error: string } {
  const t = text.trim();
  if (t === '') return { value: null };
  if (!/^\d+(\.\d{1,6})?$/.test(t))
    return { error: 'A non-negative amount in USDC, up to 6 decimals (e.g. 50 or 12.5).' };
  return { value: t };
}

/** The watched wallet: a public address (0x + 40 hex) and the http(s) JSON-RPC URL to read it from. */
export function parseWatch(
  address: string,
  rpcUrl: string,
): { address: string; rpcUrl: string } | { error: string } {
  const a = address.trim();
  const u = rpcUrl.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(a)) return { error: 'The address must be 0x followed by 40 hex digits.' };
  if (!/^https?:\/\/\S+$/.test(u)) return { error: 'The JSON-RPC URL must start with http:// or https://.' };
  return { address: a, rpcUrl: u };
}
