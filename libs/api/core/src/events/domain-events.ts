/**
 * The domain event catalogue. Names are past tense; payloads carry ids and the few values a
 * listener needs so it does not have to read the database again. The README lists them.
 */
export abstract class DomainEvent {
  abstract readonly eventName: string;
  readonly occurredAt = new Date().toISOString();
}

export class RunStartedEvent extends DomainEvent {
  static readonly eventName = 'run.started';
  readonly eventName = RunStartedEvent.eventName;
  constructor(
    readonly runId: number,
    readonly apiKeyId: number | null,
    readonly configId: number | null,
    readonly mode: string,
    /** The bot that owns the run (null: a run without a bot). */
    readonly botId: number | null = null,
  ) {
    super();
  }
}

export class RunUpdatedEvent extends DomainEvent {
  static readonly eventName = 'run.updated';
  readonly eventName = RunUpdatedEvent.eventName;
  constructor(
    readonly runId: number,
    readonly apiKeyId: number | null,
    readonly metrics: Record<string, unknown>,
    /** The keys sent that are not contract metrics, as sent (kept with the metric point). */
    readonly extra: Record<string, unknown> = {},
    /** When the server recorded the push (the metric point's time). */
    readonly at: string = new Date().toISOString(),
    /** The bot that owns the run (null: a run without a bot). */
    readonly botId: number | null = null,
  ) {
    super();
  }
}

export class RunStoppedEvent extends DomainEvent {
  static readonly eventName = 'run.stopped';
  readonly eventName = RunStoppedEvent.eventName;
  constructor(
    readonly runId: number,
    readonly apiKeyId: number | null,
    readonly status: string,
    readonly errorMessage: string | null,
    readonly overallScore: number | null,
    /** The analysis stored (pending) by the stop; its outbox job completes it. */
    readonly analysisId: number | null = null,
    /** The bot that owns the run (null: a run without a bot). */
    readonly botId: number | null = null,
  ) {
    super();
  }
}

export class RunStaleEvent extends DomainEvent {
  static readonly eventName = 'run.stale';
  readonly eventName = RunStaleEvent.eventName;
  constructor(
    readonly runId: number,
    readonly apiKeyId: number | null,
    readonly lastUpdateAt: string,
    /** The bot that owns the run (null: a run without a bot). */
    readonly botId: number | null = null,
  ) {
    super();
  }
}

export class TradeLoggedEvent extends DomainEvent {
  static readonly eventName = 'trade.logged';
  readonly eventName = TradeLoggedEvent.eventName;
  constructor(
    readonly runId: number,
    readonly tradeIds: number[],
  ) {
    super();
  }
}

export class TradeUpdatedEvent extends DomainEvent {
  static readonly eventName = 'trade.updated';
  readonly eventName = TradeUpdatedEvent.eventName;
  constructor(
    readonly runId: number,
    readonly tradeId: number,
    readonly status: string,
  ) {
    super();
  }
}

export class MarketsReportedEvent extends DomainEvent {
  static readonly eventName = 'markets.reported';
  readonly eventName = MarketsReportedEvent.eventName;
  constructor(
    readonly reportId: number,
    readonly apiKeyId: number | null,
    readonly tokenIds: string[],
  ) {
    super();
  }
}

export class ConfigActivatedEvent extends DomainEvent {
  static readonly eventName = 'config.activated';
  readonly eventName = ConfigActivatedEvent.eventName;
  constructor(
    readonly configId: number,
    readonly previousConfigId: number | null,
    readonly action: string,
    readonly pauseOrders: boolean,
  ) {
    super();
  }
}

/** The notice a finished run owes its owner (a run summary, an error or a stale alert), made due by an analysis event. */
export interface OwedNotice {
  kind: 'run-summary' | 'run-error' | 'run-stale';
  /** At most one notice per key, ever (a retried analysis does not send a second summary). */
  dedupeKey: string;
}

export class AnalysisCompletedEvent extends DomainEvent {
  static readonly eventName = 'analysis.completed';
  readonly eventName = AnalysisCompletedEvent.eventName;
  constructor(
    readonly analysisId: number,
    readonly runId: number,
    /** 'stop' (the bot's run/stop), 'stale' (closed by the scheduler) or 'on-demand' (admin). */
    readonly trigger: string,
    readonly overallScore: number,
    readonly suggestionCount: number,
    /** The notice this analysis makes due (null: on demand, none owed). */
    readonly notify: OwedNotice | null = null,
  ) {
    super();
  }
}

export class AnalysisFailedEvent extends DomainEvent {
  static readonly eventName = 'analysis.failed';
  readonly eventName = AnalysisFailedEvent.eventName;
  constructor(
    readonly analysisId: number | null,
    readonly runId: number,
    readonly trigger: string,
    readonly error: string,
    /** The notice still owed: it goes out without the full analysis (the stop's score). */
    readonly notify: OwedNotice | null = null,
  ) {
    super();
  }
}

export class WalletLowBalanceEvent extends DomainEvent {
  static readonly eventName = 'wallet.low-balance';
  readonly eventName = WalletLowBalanceEvent.eventName;
  constructor(
    /** 'bot:<apiKeyId>' for a bot's reported walletBalance, 'chain:<address>' for the watched address. */
    readonly source: string,
    readonly balance: string,
    readonly threshold: string,
    readonly runId: number | null,
    /** How many times this source has crossed below (the alert's number: one notice per crossing). */
    readonly crossing = 1,
  ) {
    super();
  }
}

export class NotificationDeliveredEvent extends DomainEvent {
  static readonly eventName = 'notification.delivered';
  readonly eventName = NotificationDeliveredEvent.eventName;
  constructor(
    readonly notificationId: number,
    readonly deliveryId: number,
    readonly channel: string,
    readonly attempts: number,
  ) {
    super();
  }
}

export class NotificationFailedEvent extends DomainEvent {
  static readonly eventName = 'notification.failed';
  readonly eventName = NotificationFailedEvent.eventName;
  constructor(
    readonly notificationId: number,
    readonly deliveryId: number,
    readonly channel: string,
    readonly attempts: number,
    readonly error: string,
    /** true: another attempt is scheduled (at retryAt); false: the delivery gave up. */
    readonly willRetry: boolean,
    readonly retryAt: string | null,
  ) {
    super();
  }
}

/** Fleet control changed: a bot's tags, a config assigned to a bot or tag (or removed), a pause or a resume. */
export class FleetChangedEvent extends DomainEvent {
  static readonly eventName = 'fleet.changed';
  readonly eventName = FleetChangedEvent.eventName;
  constructor(
    readonly change: 'tags' | 'assigned' | 'unassigned' | 'paused' | 'resumed',
    /** The bot concerned (null: a tag or the whole fleet). */
    readonly botId: number | null,
    /** The tag concerned (null: one bot or the whole fleet). */
    readonly tag: string | null,
    /** The version assigned (assigned only). */
    readonly configId: number | null,
  ) {
    super();
  }
}

/** A bot's state (running, idle, stale, paused) changed: a run started or ended, went stale, or a pause covers it or was lifted. */
export class BotStateChangedEvent extends DomainEvent {
  static readonly eventName = 'bot.state-changed';
  readonly eventName = BotStateChangedEvent.eventName;
  constructor(
    readonly botId: number,
    readonly state: 'running' | 'idle' | 'stale' | 'paused',
    /** Its state before (null: not known to this instance yet). */
    readonly previous: 'running' | 'idle' | 'stale' | 'paused' | null,
    /** Its runs open now. */
    readonly runningRuns: number,
  ) {
    super();
  }
}

/** An experiment was started, stopped, or its winner promoted (the fleet default or a tag's version). */
export class ExperimentChangedEvent extends DomainEvent {
  static readonly eventName = 'experiment.changed';
  readonly eventName = ExperimentChangedEvent.eventName;
  constructor(
    readonly experimentId: number,
    readonly change: 'started' | 'stopped' | 'promoted',
    /** The version promoted (promoted only). */
    readonly configId: number | null,
  ) {
    super();
  }
}
