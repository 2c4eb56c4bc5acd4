import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@polymaker/api/audit';
import { assertOutboundUrl, SETTINGS, Settings, UnitOfWork } from '@polymaker/api/core';
import { BackOfficeSettingsService } from '@polymaker/api/outbox';
import { isDeepStrictEqual } from 'node:util';
import {
  EMAIL_KEY,
  EmailChannel,
  effectiveEmail,
  effectiveTelegram,
  effectiveWebhook,
  TELEGRAM_KEY,
  TelegramChannel,
  WEBHOOK_KEY,
  WebhookChannel,
} from './channel-settings';
import { maskWebhookUrl, postWebhook, sendEmail } from './channels/senders';
import { maskTelegramToken, sendTelegram, telegramText } from './channels/telegram';
import { webhookBody } from './channels/webhook-body';
import type { ChannelsView } from './dto/notification.dto';
import type { DeliveryChannel } from './entities/notification-delivery.entity';
import { renderHtml, renderText, testContent } from './notification-content';

/**
 * The notification channels' settings (email, webhook, Telegram): what is in effect (the stored
 * settings over the environment's), the masked view the API shows, audited changes and "send test".
 * Split from NotificationsService, which makes and delivers the notifications.
 */
@Injectable()
export class NotificationChannelsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: BackOfficeSettingsService,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly audit: AuditService,
  ) {}

  async channels(
    em?: EntityManager,
  ): Promise<{ email: EmailChannel; webhook: WebhookChannel; telegram: TelegramChannel }> {
    // one after the other: inside a transaction the three reads share its connection
    const email = await this.store.get<EmailChannel>(EMAIL_KEY, em);
    const webhook = await this.store.get<WebhookChannel>(WEBHOOK_KEY, em);
    const telegram = await this.store.get<TelegramChannel>(TELEGRAM_KEY, em);
    return {
      email: effectiveEmail(this.settings, email),
      webhook: effectiveWebhook(this.settings, webhook),
      telegram: effectiveTelegram(this.settings, telegram),
    };
  }

  async channelsView(): Promise<ChannelsView> {
    const { email, webhook, telegram } = await this.channels();
    return {
      email: {
        ...email,
        smtpUrl: email.smtpUrl ? maskSmtp(email.smtpUrl) : null,
        configured: email.smtpUrl !== null && email.to.length > 0,
      },
      webhook: {
        ...webhook,
        url: webhook.url ? maskWebhookUrl(webhook.url) : null,
        configured: webhook.url !== null,
      },
      telegram: {
        enabled: telegram.enabled,
        botToken: telegram.botToken ? maskTelegramToken(telegram.botToken) : null,
        chatId: telegram.chatId,
        configured: telegram.botToken !== null && telegram.chatId !== null,
      },
    };
  }

  async updateEmail(patch: { [K in keyof EmailChannel]?: EmailChannel[K] | null }): Promise<ChannelsView> {
    await this.uow.run(async (em) => {
      const before = (await this.channels(em)).email;
      await this.store.patch<EmailChannel>(EMAIL_KEY, patch as Partial<EmailChannel>);
      const after = (await this.channels(em)).email;
      await this.auditChange(em, 'channel.email.updated', 'email', before, after, maskEmail);
    });
    return this.channelsView();
  }

  async updateWebhook(patch: {
    [K in keyof WebhookChannel]?: WebhookChannel[K] | null;
  }): Promise<ChannelsView> {
    if (patch.url) await assertOutboundUrl(patch.url, 'url');
    await this.uow.run(async (em) => {
      const before = (await this.channels(em)).webhook;
      await this.store.patch<WebhookChannel>(WEBHOOK_KEY, patch as Partial<WebhookChannel>);
      const after = (await this.channels(em)).webhook;
      await this.auditChange(em, 'channel.webhook.updated', 'webhook', before, after, maskWebhook);
    });
    return this.channelsView();
  }

  async updateTelegram(patch: {
    [K in keyof TelegramChannel]?: TelegramChannel[K] | null;
  }): Promise<ChannelsView> {
    await this.uow.run(async (em) => {
      const before = (await this.channels(em)).telegram;
      await this.store.patch<TelegramChannel>(TELEGRAM_KEY, patch as Partial<TelegramChannel>);
      const after = (await this.channels(em)).telegram;
      await this.auditChange(em, 'channel.telegram.updated', 'telegram', before, after, maskTelegram);
    });
    return this.channelsView();
  }

  /**
   * One audit entry for a channel change, in the change's transaction: the masked settings before
   * and after, and which fields changed (so a new SMTP password or webhook token shows as changed
   * without being shown). Nothing changed, nothing recorded.
   */
  private async auditChange<T extends object>(
    em: EntityManager,
    action: 'channel.email.updated' | 'channel.webhook.updated' | 'channel.telegram.updated',
    channel: DeliveryChannel,
    before: T,
    after: T,
    mask: (value: T) => Record<string, unknown>,
  ): Promise<void> {
    const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])] as (keyof T)[];
    const changedFields = fields
      .filter((field) => !isDeepStrictEqual(before[field], after[field]))
      .map(String);
    if (changedFields.length === 0) return;
    await this.audit.record(em, {
      action,
      targetId: channel,
      before: mask(before),
      after: { ...mask(after), changedFields },
    });
  }

  /** Sends a test message on one channel now and says what happened (not queued, not retried). */
  async sendTest(channel: DeliveryChannel): Promise<{
    ok: boolean;
    channel: DeliveryChannel;
    target: string | null;
    detail: Record<string, unknown>;
    error: string | null;
  }> {
    const { email, webhook, telegram } = await this.channels();
    const content = testContent(channel, this.settings.publicUrl);
    try {
      if (channel === 'email') {
        if (!email.smtpUrl || email.to.length === 0)
          throw new Error(
            'email is not configured: set SMTP_URL and NOTIFY_EMAIL_TO, or smtpUrl and to here',
          );
        const info = await sendEmail(email.smtpUrl, {
          from: email.from,
          to: email.to,
          subject: `[PolyMaker] ${content.title}`,
          text: renderText(content),
          html: renderHtml(content),
        });
        return { ok: true, channel, target: email.to.join(', '), detail: info, error: null };
      }
      if (channel === 'telegram') {
        if (!telegram.botToken || !telegram.chatId)
          throw new Error(
            'Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or botToken and chatId here',
          );
        const info = await sendTelegram(
          this.settings.telegramApiUrl,
          telegram.botToken,
          telegram.chatId,
          telegramText(content),
        );
        return { ok: true, channel, target: telegram.chatId, detail: { ...info }, error: null };
      }
      if (!webhook.url) throw new Error('the webhook is not configured: set WEBHOOK_URL, or url here');
      const info = await postWebhook(
        webhook.url,
        webhookBody(webhook.format, content, null, new Date().toISOString()),
      );
      // Status and size only: the receiver's answer is never shown (see postWebhook).
      return {
        ok: true,
        channel,
        target: maskWebhookUrl(webhook.url),
        detail: { status: info.status, bytes: info.bytes },
        error: null,
      };
    } catch (error) {
      const target =
        channel === 'email'
          ? email.to.join(', ') || null
          : channel === 'telegram'
            ? telegram.chatId
            : webhook.url
              ? maskWebhookUrl(webhook.url)
              : null;
      return { ok: false, channel, target, detail: {}, error: (error as Error).message };
    }
  }
}

function maskEmail(email: EmailChannel): Record<string, unknown> {
  return {
    enabled: email.enabled,
    smtpUrl: email.smtpUrl ? maskSmtp(email.smtpUrl) : null,
    from: email.from,
    to: email.to,
  };
}

function maskWebhook(webhook: WebhookChannel): Record<string, unknown> {
  return {
    enabled: webhook.enabled,
    url: webhook.url ? maskWebhookUrl(webhook.url) : null,
    format: webhook.format,
  };
}

function maskTelegram(telegram: TelegramChannel): Record<string, unknown> {
  return {
    enabled: telegram.enabled,
    botToken: telegram.botToken ? maskTelegramToken(telegram.botToken) : null,
    chatId: telegram.chatId,
  };
}

function maskSmtp(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
