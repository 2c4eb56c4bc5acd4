import type { Settings, WebhookFormat } from '@polymaker/api/core';

export interface EmailChannel {
  enabled: boolean;
  smtpUrl: string | null;
  from: string;
  to: string[];
}

export interface WebhookChannel {
  enabled: boolean;
  url: string | null;
  format: WebhookFormat;
}

export interface TelegramChannel {
  enabled: boolean;
  /** A secret: stored like the SMTP password and the webhook URL, never shown or logged in full. */
  botToken: string | null;
  chatId: string | null;
}

export const EMAIL_KEY = 'channel.email';
export const WEBHOOK_KEY = 'channel.webhook';
export const TELEGRAM_KEY = 'channel.telegram';

/** The environment's values overlaid with what the admin stored; enabled by default once configured. */
export function effectiveEmail(settings: Settings, stored: Partial<EmailChannel>): EmailChannel {
  const smtpUrl = stored.smtpUrl ?? settings.smtpUrl;
  const to = stored.to ?? settings.notifyEmailTo;
  return {
    smtpUrl,
    from: stored.from ?? settings.notifyEmailFrom,
    to,
    enabled: (stored.enabled ?? true) && smtpUrl !== null && to.length > 0,
  };
}

export function effectiveWebhook(settings: Settings, stored: Partial<WebhookChannel>): WebhookChannel {
  const url = stored.url ?? settings.webhookUrl;
  return {
    url,
    format: stored.format ?? settings.webhookFormat,
    enabled: (stored.enabled ?? true) && url !== null,
  };
}

export function effectiveTelegram(settings: Settings, stored: Partial<TelegramChannel>): TelegramChannel {
  const botToken = stored.botToken ?? settings.telegramBotToken;
  const chatId = stored.chatId ?? settings.telegramChatId;
  return { botToken, chatId, enabled: (stored.enabled ?? true) && botToken !== null && chatId !== null };
}
