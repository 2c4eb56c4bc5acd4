import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  AnalysisCompletedEvent,
  AnalysisFailedEvent,
  NotFoundError,
  NotificationDeliveredEvent,
  NotificationFailedEvent,
  SETTINGS,
  Settings,
  Sql,
  UnitOfWork,
  WalletLowBalanceEvent,
} from '@polymaker/api/core';
import { AnalysisService, StoredAnalysis } from '@polymaker/api/analysis';
import { RunsService } from '@polymaker/api/runs';
import { OUTBOX_TOPICS, OutboxJobContext, OutboxService } from '@polymaker/api/outbox';
import type { DeliveryView, NotificationView } from './dto/notification.dto';
import { maskWebhookUrl, postWebhook, sendEmail } from './channels/senders';
import { sendTelegram, telegramText } from './channels/telegram';
import { webhookBody } from './channels/webhook-body';
import {
  DeliveryChannel,
  DeliveryStatus,
  NotificationDelivery,
} from './entities/notification-delivery.entity';
import { Notification } from './entities/notification.entity';
import { NotificationChannelsService } from './notification-channels.service';
import {
  NotificationContent,
  NotificationKind,
  renderHtml,
  renderText,
  RunFacts,
  runContent,
  walletLowContent,
} from './notification-content';

/**
 * Notifications are made and delivered from the durable queue only (never called by other
 * modules): `notification.create` builds one from facts read at that moment, puts it in the
 * in-app inbox and queues one `notification.deliver` job per enabled channel, so a failing
 * channel retries on its own and never holds the others back.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: OutboxService,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly runs: RunsService,
    private readonly analysis: AnalysisService,
    private readonly channelSettings: NotificationChannelsService,
  ) {}

  onModuleInit(): void {
    // The durable listeners: a notice is owed exactly when the event's transaction commits.
    const owe = (sql: Sql, payload: Record<string, unknown>, dedupeKey: string) =>
      this.outbox.enqueue(sql, OUTBOX_TOPICS.notify, payload, { dedupeKey });
    this.uow.listenInTransaction<AnalysisCompletedEvent>(
      AnalysisCompletedEvent.eventName,
      async (event, sql) => {
        if (event.notify)
          await owe(
            sql,
            { kind: event.notify.kind, runId: event.runId, analysisId: event.analysisId },
            event.notify.dedupeKey,
          );
      },
    );
    this.uow.listenInTransaction<AnalysisFailedEvent>(AnalysisFailedEvent.eventName, async (event, sql) => {
      if (event.notify)
        await owe(
          sql,
          { kind: event.notify.kind, runId: event.runId, analysisId: event.analysisId },
          event.notify.dedupeKey,
        );
    });
    this.uow.listenInTransaction<WalletLowBalanceEvent>(
      WalletLowBalanceEvent.eventName,
      async (event, sql) => {
        const { source, balance, threshold, runId } = event;
        await owe(
          sql,
          { kind: 'wallet-low', source, balance, threshold, runId },
          `wallet-low:${source}:${event.crossing}`,
        );
      },
    );
    this.outbox.register(OUTBOX_TOPICS.notify, {
      handle: (em, job) => this.create(em, job),
      retryBaseMs: () => 2_000,
    });
    this.outbox.register<Sent | null>(OUTBOX_TOPICS.deliver, {
      call: (job) => this.send(job),
      handle: (em, job, sent) => this.recordSent(em, job, sent),
      onFailure: (em, job, error, retryAt) => this.recordFailure(em, job, error, retryAt),
      retryBaseMs: () => this.settings.notifyRetryBaseSeconds * 1000,
    });
  }

  // ---- the inbox ----

  async list(query: {
    unread?: boolean;
    kind?: string;
    botId?: number;
    limit?: number;
    offset?: number;
  }): Promise<{ items: NotificationView[]; total: number; unread: number }> {
    return this.uow.read(async (em) => {
      const where: Record<string, unknown> = {};
      if (query.unread) where['readAt'] = null;
      if (query.kind) where['kind'] = query.kind;
      if (query.botId) where['botId'] = query.botId;
      const [rows, total] = await em.findAndCount(Notification, where, {
        orderBy: { id: 'desc' },
        limit: query.limit ?? 50,
        offset: query.offset ?? 0,
      });
      const unread = await em.count(Notification, { readAt: null });
      const deliveries =
        rows.length > 0
          ? await em.find(
              NotificationDelivery,
              { notificationId: { $in: rows.map((row) => row.id) } },
              { orderBy: { id: 'asc' } },
            )
          : [];
      return {
        items: rows.map((row) =>
          toView(
            row,
            deliveries.filter((d) => d.notificationId === row.id),
          ),
        ),
        total,
        unread,
      };
    });
  }

  async get(id: number): Promise<NotificationView> {
    return this.uow.read(async (em) => {
      const row = await this.find(em, id);
      return toView(
        row,
        await em.find(NotificationDelivery, { notificationId: id }, { orderBy: { id: 'asc' } }),
      );
    });
  }

  async markRead(id: number, read: boolean): Promise<NotificationView> {
    await this.uow.run(async (em) => {
      const row = await this.find(em, id);
      row.readAt = read ? (row.readAt ?? new Date()) : null;
      await em.flush();
    });
    return this.get(id);
  }

  async markAllRead(): Promise<{ updated: number }> {
    const rows = await this.uow.run((em) =>
      em.execute<{ id: string }[]>(
        'update notifications set read_at = now() where read_at is null returning id',
      ),
    );
    return { updated: rows.length };
  }

  async deliveries(query: {
    status?: DeliveryStatus;
    channel?: DeliveryChannel;
    notificationId?: number;
    limit?: number;
  }): Promise<DeliveryView[]> {
    const where: Record<string, unknown> = {};
    if (query.status) where['status'] = query.status;
    if (query.channel) where['channel'] = query.channel;
    if (query.notificationId) where['notificationId'] = query.notificationId;
    const rows = await this.uow.read((em) =>
      em.find(NotificationDelivery, where, { orderBy: { id: 'desc' }, limit: query.limit ?? 100 }),
    );
    return rows.map(toDeliveryView);
  }

  // ---- outbox handlers ----

  /** Deliveries owed now (pending: not yet accepted by the channel, nor given up), per channel, for GET /metrics. */
  async owed(): Promise<Map<DeliveryChannel, number>> {
    const rows = await this.uow.sql(
      (sql) =>
        sql.query<{ channel: DeliveryChannel; owed: string }>(
          "select channel, count(*) as owed from notification_deliveries where status = 'pending' group by channel",
        ),
      { single: true },
    );
    return new Map(rows.map((row) => [row.channel, Number(row.owed)]));
  }

  private async create(em: EntityManager, job: OutboxJobContext): Promise<void> {
    const kind = job.payload['kind'] as NotificationKind;
    let content: NotificationContent;
    let botId: number | null = null;
    if (kind === 'wallet-low') {
      content = walletLowContent(
        String(job.payload['source']),
        String(job.payload['balance']),
        String(job.payload['threshold']),
        this.settings.publicUrl,
      );
      const source = /^bot:(\d+)$/.exec(String(job.payload['source']));
      botId = source ? Number(source[1]) : null;
    } else if (kind === 'run-summary' || kind === 'run-error' || kind === 'run-stale') {
      const facts = await this.runFacts(em, Number(job.payload['runId']));
      if (!facts) {
        this.logger.warn({ runId: job.payload['runId'], kind }, 'run no longer exists; notification dropped');
        return;
      }
      content = runContent(kind, facts, this.settings.publicUrl);
      botId = facts.botId;
    } else {
      throw new Error(`unknown notification kind "${String(kind)}"`);
    }
    const notification = em.create(Notification, {
      kind: content.kind,
      severity: content.severity,
      title: content.title,
      bodyText: renderText(content),
      bodyHtml: renderHtml(content),
      link: content.link,
      runId: content.runId,
      botId,
      data: {
        facts: content.facts,
        paragraphs: content.paragraphs,
        ...(kind === 'wallet-low' ? { source: job.payload['source'] } : {}),
      },
      dedupeKey: `job:${job.id}`,
    } as unknown as Notification);
    await em.persist(notification).flush();
    const { email, webhook, telegram } = await this.channelSettings.channels(em);
    const targets: [DeliveryChannel, string][] = [];
    if (email.enabled) targets.push(['email', email.to.join(', ')]);
    if (webhook.enabled && webhook.url) targets.push(['webhook', maskWebhookUrl(webhook.url)]);
    if (telegram.enabled && telegram.chatId) targets.push(['telegram', telegram.chatId]);
    for (const [channel, target] of targets) {
      const delivery = em.create(NotificationDelivery, {
        notificationId: notification.id,
        channel,
        target,
      } as NotificationDelivery);
      await em.persist(delivery).flush();
      await this.outbox.enqueue(
        em,
        OUTBOX_TOPICS.deliver,
        { deliveryId: delivery.id },
        { maxAttempts: this.settings.notifyMaxAttempts },
      );
    }
    this.logger.log(
      { notificationId: notification.id, kind, channels: targets.map(([c]) => c) },
      'notification created',
    );
  }

  /**
   * Sends one delivery (the outbox calls this with no transaction open): reads what to send in short
   * reads of its own, then talks to the SMTP server or the webhook. Null: nothing to send any more.
   */
  private async send(job: OutboxJobContext): Promise<Sent | null> {
    const found = await this.uow.read(async (em) => {
      const delivery = await em.findOne(NotificationDelivery, { id: Number(job.payload['deliveryId']) });
      if (!delivery || delivery.status === 'sent') return null;
      return {
        delivery,
        notification: await this.find(em, delivery.notificationId),
        channels: await this.channelSettings.channels(em),
      };
    });
    if (!found) return null;
    const { delivery, notification } = found;
    const { email, webhook, telegram } = found.channels;
    let detail: Record<string, unknown>;
    if (delivery.channel === 'email') {
      if (!email.smtpUrl || email.to.length === 0)
        throw new Error('email is not configured any more (SMTP_URL / NOTIFY_EMAIL_TO)');
      detail = await sendEmail(email.smtpUrl, {
        from: email.from,
        to: email.to,
        subject: `[PolyMaker] ${notification.title}`,
        text: notification.bodyText,
        html: notification.bodyHtml,
        notificationId: notification.id,
      });
    } else if (delivery.channel === 'telegram') {
      if (!telegram.botToken || !telegram.chatId)
        throw new Error('Telegram is not configured any more (TELEGRAM_BOT_TOKEN / TELEGRAM_CHAT_ID)');
      detail = {
        ...(await sendTelegram(
          this.settings.telegramApiUrl,
          telegram.botToken,
          telegram.chatId,
          telegramText(storedContent(notification)),
        )),
      };
    } else {
      if (!webhook.url) throw new Error('the webhook is not configured any more (WEBHOOK_URL)');
      const content = storedContent(notification);
      const body = webhookBody(
        webhook.format,
        content,
        notification.id,
        notification.createdAt.toISOString(),
      );
      detail = { ...(await postWebhook(webhook.url, body, notification.id)), format: webhook.format };
    }
    return { deliveryId: delivery.id, notificationId: notification.id, channel: delivery.channel, detail };
  }

  /** Logs a sent delivery, in the transaction that marks its job done. */
  private async recordSent(em: EntityManager, job: OutboxJobContext, sent: Sent | null): Promise<void> {
    if (!sent) return;
    const now = new Date();
    const delivery = await em.findOne(NotificationDelivery, { id: sent.deliveryId });
    if (!delivery) return;
    Object.assign(delivery, {
      status: 'sent',
      attempts: job.attempt,
      lastAttemptAt: now,
      deliveredAt: now,
      nextAttemptAt: null,
      detail: sent.detail,
    });
    await em.flush();
    this.uow.publish(
      new NotificationDeliveredEvent(sent.notificationId, sent.deliveryId, sent.channel, job.attempt),
    );
    this.logger.log(
      {
        notificationId: sent.notificationId,
        deliveryId: sent.deliveryId,
        channel: sent.channel,
        attempt: job.attempt,
      },
      'notification delivered',
    );
  }

  private async recordFailure(
    em: EntityManager,
    job: OutboxJobContext,
    error: Error,
    retryAt: Date | null,
  ): Promise<void> {
    const rows = await em.execute<{ id: string; notification_id: string; channel: string }[]>(
      `update notification_deliveries
          set attempts = ?, last_error = ?, last_attempt_at = now(), next_attempt_at = ?, status = ?
        where id = ? and status <> 'sent'
        returning id, notification_id, channel`,
      [
        job.attempt,
        error.message.slice(0, 2000),
        retryAt?.toISOString() ?? null,
        retryAt ? 'pending' : 'failed',
        Number(job.payload['deliveryId']),
      ],
    );
    const row = rows[0];
    if (!row) return;
    this.uow.publish(
      new NotificationFailedEvent(
        Number(row.notification_id),
        Number(row.id),
        row.channel,
        job.attempt,
        error.message,
        retryAt !== null,
        retryAt?.toISOString() ?? null,
      ),
    );
  }

  /** What a run summary says, asked of the runs and analysis modules (their tables are theirs). */
  private async runFacts(em: EntityManager, runId: number): Promise<RunFacts | null> {
    const run = await this.runs.view(em, runId);
    if (!run) return null;
    const analysis = await this.analysis.latestForRun(em, runId);
    const summary: Partial<StoredAnalysis['summary']> = analysis?.summary ?? {};
    const end = run.stoppedAt ? new Date(run.stoppedAt) : new Date();
    return {
      runId,
      botId: run.botId,
      status: run.status,
      mode: run.mode,
      configId: run.configId,
      errorMessage: run.errorMessage,
      startedAt: run.startedAt,
      stoppedAt: run.stoppedAt,
      lastUpdateAt: run.lastUpdateAt,
      overallScore: run.overallScore ?? analysis?.overallScore ?? null,
      totalPnl: summary.totalPnl ?? run.totalPnl,
      fills: summary.fills ?? run.totalFills,
      orders: run.totalOrders ?? summary.trades ?? null,
      fillRate: summary.fillRate ?? null,
      durationSeconds: Math.max(0, Math.round((end.getTime() - new Date(run.startedAt).getTime()) / 1000)),
      dataQuality: analysis?.dataQuality ?? null,
      suggestions: analysis?.suggestions.items ?? [],
      suggestionsMessage: analysis?.suggestions.message ?? null,
      analysisId: analysis?.analysisId ?? null,
    };
  }

  private async find(em: EntityManager, id: number): Promise<Notification> {
    const row = await em.findOne(Notification, { id });
    if (!row) throw new NotFoundError(`Notification ${id} does not exist.`);
    return row;
  }
}

/** A delivery its channel accepted, as the outside call leaves it for the outcome's transaction. */
interface Sent {
  deliveryId: number;
  notificationId: number;
  channel: DeliveryChannel;
  detail: Record<string, unknown>;
}

/** The content a stored notification was rendered from (for the channels that format it their way). */
function storedContent(notification: Notification): NotificationContent {
  return {
    kind: notification.kind,
    severity: notification.severity,
    title: notification.title,
    facts: (notification.data['facts'] as NotificationContent['facts']) ?? [],
    paragraphs: (notification.data['paragraphs'] as string[]) ?? [],
    link: notification.link,
    runId: notification.runId,
  };
}

function toDeliveryView(row: NotificationDelivery): DeliveryView {
  return {
    id: row.id,
    notificationId: row.notificationId,
    channel: row.channel,
    target: row.target,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    detail: row.detail,
    createdAt: row.createdAt.toISOString(),
  };
}

function toView(row: Notification, deliveries: NotificationDelivery[]): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    title: row.title,
    text: row.bodyText,
    html: row.bodyHtml,
    link: row.link,
    runId: row.runId,
    botId: row.botId === null ? null : Number(row.botId),
    data: row.data,
    createdAt: row.createdAt.toISOString(),
    read: row.readAt !== null,
    readAt: row.readAt?.toISOString() ?? null,
    deliveries: deliveries.map(toDeliveryView),
  };
}
