import { Inject, Injectable, Logger } from '@nestjs/common';
import { OverloadGuard, SETTINGS, Settings, SHED_REASONS, UnitOfWork } from '@polymaker/api/core';
import { FleetService } from '@polymaker/api/fleet';
import { DELIVERY_CHANNELS, NotificationsService } from '@polymaker/api/notifications';
import { OutboxBacklog, OutboxService } from '@polymaker/api/outbox';
import { RunActivity, RunsService } from '@polymaker/api/runs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ScrapeCache, withinOrNull } from './scrape-cache';

/** Request duration buckets, in seconds: from a cached config poll (sub-millisecond) to a slow export. */
export const REQUEST_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** "Bots seen" counts the bots that polled GET /api/bot/config within this window. */
export const BOTS_SEEN_WINDOW_SECONDS = 300;
/** The database figures are read at most once per this period, however many scrapers ask. */
export const DATABASE_FIGURES_MAX_AGE_MS = 2000;
/** Each database figure gives up after this; the scrape then answers without it (polymaker_metrics_database_up 0). */
export const DATABASE_FIGURE_TIMEOUT_MS = 1000;
/** The route label of a request no route matched (a 404 for an unknown path): never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';
/** Distinct (method, route, status) label sets kept; past it new ones share the `other` labels. */
const MAX_LABEL_SETS = 2000;

interface DatabaseFigures {
  outbox: OutboxBacklog | null;
  owed: Map<string, number> | null;
  runs: RunActivity | null;
  botsSeen: number | null;
}

interface RequestSeries {
  duration: { observe(seconds: number): void };
  count: { inc(): void };
}

/**
 * The Prometheus metrics of this instance (GET /metrics). Cheap on the request path: one histogram
 * observation and one counter increment per response, on label sets cached by (method, route
 * template, status). The figures that need the database (the durable queue, notifications owed,
 * running runs, bots seen, ingest lag) are read at scrape time through their owners' services, each
 * bounded by a timeout and shared by every scrape within two seconds. Nothing is collected (no
 * event-loop monitor, no hook) while metrics are off.
 */
@Injectable()
export class ApiMetrics {
  readonly registry = new Registry();
  readonly enabled: boolean;
  private readonly logger = new Logger(ApiMetrics.name);
  private readonly series = new Map<string, RequestSeries>();
  private readonly duration: Histogram<'method' | 'route' | 'status_class'>;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly figures: ScrapeCache<DatabaseFigures>;
  private guard: OverloadGuard | null = null;

  constructor(
    @Inject(SETTINGS) settings: Settings,
    private readonly uow: UnitOfWork,
    private readonly runs: RunsService,
    private readonly fleet: FleetService,
    private readonly outbox: OutboxService,
    private readonly notifications: NotificationsService,
  ) {
    this.enabled = settings.metrics.enabled;
    const registers = [this.registry];
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from the request arriving to its response sent, by method, route template and status class.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'Responses sent, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.figures = new ScrapeCache(() => this.readDatabaseFigures(), DATABASE_FIGURES_MAX_AGE_MS);
    if (!this.enabled) return;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    this.registerShedding(registers);
    // The pools are read first: the database figures' own queries, started next, would count as pool use.
    this.registerPools(registers);
    this.registerDatabaseFigures(registers);
  }

  /** One response: called by the Fastify onResponse hook with the route's template (never the raw URL). */
  observeRequest(method: string, route: string | undefined, statusCode: number, elapsedMs: number): void {
    const template = route ?? UNMATCHED_ROUTE;
    const key = `${method} ${template} ${statusCode}`;
    let series = this.series.get(key);
    if (!series) {
      const full = this.series.size >= MAX_LABEL_SETS;
      const labels = full
        ? { method: 'other', route: 'other', status: String(statusCode) }
        : { method, route: template, status: String(statusCode) };
      series = {
        duration: this.duration.labels({
          method: labels.method,
          route: labels.route,
          status_class: `${Math.floor(statusCode / 100)}xx`,
        }),
        count: this.requests.labels(labels),
      };
      if (!full) this.series.set(key, series);
    }
    series.duration.observe(elapsedMs / 1000);
    series.count.inc();
  }

  /** The overload guard whose shed writes are counted (it lives in the HTTP bootstrap, not in Nest's container). */
  watchOverload(guard: OverloadGuard): void {
    this.guard = guard;
  }

  /** The text exposition (Prometheus 0.0.4) and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private registerShedding(registers: Registry[]): void {
    const seen: Partial<Record<string, number>> = {};
    // The guard keeps the counts; the counter follows them at each scrape (a counter only goes up).
    const shed: Counter<'reason'> = new Counter({
      name: 'polymaker_requests_shed_total',
      help: 'Bot writes answered 503 at capacity (nothing stored), by reason: in_flight, event_loop_lag, pool_waiting.',
      labelNames: ['reason'],
      registers,
      collect: () => {
        const counts = this.guard?.shedByReason();
        for (const reason of SHED_REASONS) {
          const total = counts?.[reason] ?? 0;
          const before = seen[reason] ?? 0;
          shed.inc({ reason }, Math.max(0, total - before));
          seen[reason] = Math.max(total, before);
        }
      },
    });
    const limit: Gauge = new Gauge({
      name: 'polymaker_overload_in_flight_limit',
      help: 'The in-flight bound of bot writes now (OVERLOAD_MAX_IN_FLIGHT, lower while the event loop lags; 0: none).',
      registers,
      collect: () => limit.set(this.guard?.limit ?? 0),
    });
  }

  private registerDatabaseFigures(registers: Registry[]): void {
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      fill: (g: Gauge<L>, f: DatabaseFigures) => void,
    ) => {
      const metric: Gauge<L> = new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        collect: async () => fill(metric, await this.figures.get()),
      });
    };
    gauge(
      'polymaker_metrics_database_up',
      'Whether the last read of the database figures below answered in time (1) or not (0: they keep their previous values).',
      [],
      (g, f) => g.set(f.outbox && f.owed && f.runs && f.botsSeen !== null ? 1 : 0),
    );
    gauge(
      'polymaker_outbox_jobs_pending',
      'Durable jobs owed (due now or waiting for a retry), by topic.',
      ['topic'],
      (g, f) => {
        if (!f.outbox) return;
        g.reset();
        for (const t of f.outbox.topics) if (t.pending > 0) g.set({ topic: t.topic }, t.pending);
      },
    );
    gauge(
      'polymaker_outbox_jobs_due',
      'Durable jobs whose time has come, waiting for a worker, by topic.',
      ['topic'],
      (g, f) => {
        if (!f.outbox) return;
        g.reset();
        for (const t of f.outbox.topics) if (t.pending > 0) g.set({ topic: t.topic }, t.due);
      },
    );
    gauge(
      'polymaker_outbox_jobs_failed',
      'Durable jobs that gave up after their last attempt (kept until OUTBOX_RETENTION_DAYS), by topic.',
      ['topic'],
      (g, f) => {
        if (!f.outbox) return;
        g.reset();
        for (const t of f.outbox.topics) if (t.failed > 0) g.set({ topic: t.topic }, t.failed);
      },
    );
    gauge(
      'polymaker_outbox_oldest_due_age_seconds',
      'How long the oldest due durable job has waited since it became due (0: none waits).',
      [],
      (g, f) => {
        if (f.outbox) g.set(f.outbox.oldestDueSeconds);
      },
    );
    gauge(
      'polymaker_notifications_owed',
      'Notification deliveries not yet accepted by their channel nor given up, by channel.',
      ['channel'],
      (g, f) => {
        if (!f.owed) return;
        for (const channel of DELIVERY_CHANNELS) g.set({ channel }, f.owed.get(channel) ?? 0);
      },
    );
    gauge(
      'polymaker_runs_active',
      'Runs running now (started, not stopped, not closed as stale).',
      [],
      (g, f) => {
        if (f.runs) g.set(f.runs.running);
      },
    );
    gauge(
      'polymaker_ingest_lag_seconds',
      'Seconds since the most recent run/update (or run/start) of any running run reached the server: grows when bot data stops arriving (0: no run is running).',
      [],
      (g, f) => {
        if (f.runs) g.set(f.runs.newestUpdateAgeSeconds);
      },
    );
    gauge(
      'polymaker_run_oldest_update_age_seconds',
      'Seconds since the least recently reporting running run last reported (it is closed as stale past RUN_STALE_AFTER).',
      [],
      (g, f) => {
        if (f.runs) g.set(f.runs.oldestUpdateAgeSeconds);
      },
    );
    gauge(
      'polymaker_bots_seen',
      `Bots that polled GET /api/bot/config in the last ${BOTS_SEEN_WINDOW_SECONDS} seconds.`,
      [],
      (g, f) => {
        if (f.botsSeen !== null) g.set(f.botsSeen);
      },
    );
  }

  private registerPools(registers: Registry[]): void {
    const connections: Gauge<'pool' | 'state'> = new Gauge({
      name: 'polymaker_db_pool_connections',
      help: 'Database pool connections by pool (main: plain SQL of the bot routes; control: key checks; orm: the admin API and jobs) and state (busy, idle, waiting: requests queued for one).',
      labelNames: ['pool', 'state'],
      registers,
      collect: () => {
        for (const use of this.uow.poolUse()) {
          connections.set({ pool: use.pool, state: 'busy' }, use.open - use.idle);
          connections.set({ pool: use.pool, state: 'idle' }, use.idle);
          connections.set({ pool: use.pool, state: 'waiting' }, use.waiting);
        }
      },
    });
    const max: Gauge<'pool'> = new Gauge({
      name: 'polymaker_db_pool_max_connections',
      help: 'The most connections each database pool opens.',
      labelNames: ['pool'],
      registers,
      collect: () => {
        for (const use of this.uow.poolUse()) max.set({ pool: use.pool }, use.max);
      },
    });
  }

  /** One read of every database figure, each through its owner's service and bounded by a timeout. */
  private async readDatabaseFigures(): Promise<DatabaseFigures> {
    const failed = (figure: string) => (error: Error) =>
      this.logger.warn(
        { figure, err: error.message },
        'a metrics figure could not be read from the database; scraped without it',
      );
    const [outbox, owed, runs, botsSeen] = await Promise.all([
      withinOrNull(() => this.outbox.backlog(), DATABASE_FIGURE_TIMEOUT_MS, failed('outbox')),
      withinOrNull(() => this.notifications.owed(), DATABASE_FIGURE_TIMEOUT_MS, failed('notifications')),
      withinOrNull(() => this.runs.activity(), DATABASE_FIGURE_TIMEOUT_MS, failed('runs')),
      withinOrNull(
        () => this.fleet.botsSeenWithin(BOTS_SEEN_WINDOW_SECONDS),
        DATABASE_FIGURE_TIMEOUT_MS,
        failed('bots'),
      ),
    ]);
    return { outbox, owed, runs, botsSeen };
  }
}
