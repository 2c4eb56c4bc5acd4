import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  NotFoundError,
  purgeExpiredIdempotencyRecords,
  RunStaleEvent,
  SETTINGS,
  Settings,
  UnitOfWork,
} from '@polymaker/api/core';
import { AuditService } from '@polymaker/api/audit';
import { BackOfficeSettingsService, OutboxService } from '@polymaker/api/outbox';
import { MetricsService } from '@polymaker/api/metrics';
import { RunsService } from '@polymaker/api/runs';
import { TradesService } from '@polymaker/api/trades';
import { WalletService } from '@polymaker/api/wallet';
import { randomUUID } from 'node:crypto';
import { tryJobLock } from './job-lock';

export type JobName = 'stale-runs' | 'maintenance' | 'partitions' | 'pnl-fold' | 'wallet-poll';

/** The partitions job makes this month's and the next three months' partitions of trades and metric points. */
export const PARTITION_MONTHS_AHEAD = 3;
/** It runs at start and hourly: a month is made about three months before its first row. */
const PARTITION_JOB_SECONDS = 3600;
/** A fold that moved this many journal rows vacuums the journal (its emptied pages are read by every P&L read). */
const PNL_VACUUM_AFTER_ROWS = 10_000;
/** Jobs that do work on most ticks while bots trade: their work is not logged. */
const QUIET_JOBS = new Set<JobName>(['pnl-fold']);

export interface JobResult {
  job: JobName;
  ran: boolean;
  /** Why it did not run: another instance held the lock, or it is switched off. */
  skipped: string | null;
  result: Record<string, unknown>;
  at: string;
}

export interface RetentionSettings {
  metricRetentionDays: number;
}

export const RETENTION_KEY = 'retention';

interface JobState {
  name: JobName;
  everySeconds: number | null;
  running: boolean;
  last: JobResult | null;
  lastError: string | null;
}

/**
 * The scheduled jobs. Each tick of the database-only jobs runs in one transaction holding that job's
 * PostgreSQL advisory lock, so with several instances exactly one does the work and the others skip
 * their turn; the wallet poll, which calls out, holds a lease instead (see pollWallet).
 */
/** Settings a job's result echoes (not counts of work done): a result of only these is not logged. */
const ECHOED_SETTINGS = new Set(['monthsAhead', 'metricRetentionDays']);

@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly jobs: Record<JobName, JobState>;
  private stopping = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly uow: UnitOfWork,
    private readonly registry: SchedulerRegistry,
    private readonly runs: RunsService,
    private readonly outbox: OutboxService,
    private readonly wallet: WalletService,
    private readonly store: BackOfficeSettingsService,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly trades: TradesService,
  ) {
    const job = (name: JobName, everySeconds: number | null): JobState => ({
      name,
      everySeconds,
      running: false,
      last: null,
      lastError: null,
    });
    this.jobs = {
      'stale-runs': job('stale-runs', settings.runStaleCheckSeconds),
      maintenance: job('maintenance', settings.maintenanceIntervalSeconds),
      partitions: job('partitions', PARTITION_JOB_SECONDS),
      'pnl-fold': job('pnl-fold', settings.pnlFoldSeconds),
      'wallet-poll': job('wallet-poll', settings.walletPollSeconds), // skips while no address is watched
    };
  }

  onApplicationBootstrap(): void {
    if (!this.orm.config.get('connect')) return; // writing the OpenAPI spec: no database
    for (const job of Object.values(this.jobs)) {
      if (job.everySeconds === null) continue;
      const timer = setInterval(
        () => void this.run(job.name).catch(() => undefined),
        job.everySeconds * 1000,
      );
      timer.unref();
      this.registry.addInterval(`polymaker:${job.name}`, timer);
    }
    void this.run('partitions').catch(() => undefined);
    void this.run('wallet-poll').catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  list(): {
    name: JobName;
    everySeconds: number | null;
    running: boolean;
    last: JobResult | null;
    lastError: string | null;
  }[] {
    return Object.values(this.jobs).map((job) => ({ ...job }));
  }

  /** Runs one job now (a tick, or an admin asking); skipped when the lock is held elsewhere. */
  async run(name: JobName): Promise<JobResult> {
    const job = this.jobs[name];
    if (!job)
      throw new NotFoundError(
        `There is no scheduled job "${name}". Jobs: ${Object.keys(this.jobs).join(', ')}.`,
      );
    const at = new Date().toISOString();
    if (this.stopping) return { job: name, ran: false, skipped: 'shutting down', result: {}, at };
    if (name === 'wallet-poll' && !(await this.wallet.watchTarget())) {
      return {
        job: name,
        ran: false,
        skipped: 'no watched address (set it under Settings, or WALLET_ADDRESS and WALLET_RPC_URL)',
        result: {},
        at,
      };
    }
    if (job.running)
      return { job: name, ran: false, skipped: 'already running on this instance', result: {}, at };
    job.running = true;
    try {
      const outcome =
        name === 'wallet-poll'
          ? await this.pollWallet(at)
          : await this.uow.run(async (em) => {
              if (!(await tryJobLock(em, name)))
                return { job: name, ran: false, skipped: 'another instance holds the lock', result: {}, at };
              const result = await this.work(name, em);
              return { job: name, ran: true, skipped: null, result, at };
            });
      const result: Record<string, unknown> = outcome.result;
      if (name === 'pnl-fold' && Number(result['folded'] ?? 0) >= PNL_VACUUM_AFTER_ROWS) {
        // best effort: the fold has committed; autovacuum comes later if this fails
        await this.trades.vacuumPnlJournal().catch((error: Error) => {
          this.logger.warn({ job: name, err: error.message }, 'vacuum of the P&L journal failed');
        });
      }
      job.last = outcome;
      job.lastError = null;
      if (
        outcome.ran &&
        !QUIET_JOBS.has(name) &&
        Object.entries(outcome.result).some(
          ([key, value]) => typeof value === 'number' && value > 0 && !ECHOED_SETTINGS.has(key),
        )
      ) {
        this.logger.log({ job: name, ...outcome.result }, 'scheduled job did work');
      }
      return outcome;
    } catch (error) {
      job.lastError = (error as Error).message;
      this.logger.error({ job: name, err: job.lastError }, 'scheduled job failed');
      throw error;
    } finally {
      job.running = false;
    }
  }

  /** The database jobs, in the advisory-locked transaction (the wallet poll runs apart, with its lease). */
  private work(name: Exclude<JobName, 'wallet-poll'>, em: EntityManager): Promise<Record<string, unknown>> {
    if (name === 'stale-runs') return this.closeStaleRuns(em);
    if (name === 'maintenance') return this.maintenance(em);
    if (name === 'pnl-fold') return this.foldPnl(em);
    return this.createPartitions(em);
  }

  /** The P&L journal into the hourly and daily rollups (the trades module's own statement). */
  private async foldPnl(em: EntityManager): Promise<Record<string, unknown>> {
    return { folded: await this.trades.foldPnl(em) };
  }

  /** Runs still "running" with no update for RUN_STALE_AFTER: closed as stale, analysed and alerted (durably). */
  private async closeStaleRuns(em: EntityManager): Promise<Record<string, unknown>> {
    const cutoff = new Date(Date.now() - this.settings.runStaleAfterSeconds * 1000);
    const stale = await this.runs.findStale(em, cutoff, 100);
    for (const run of stale) {
      const lastUpdateAt = run.lastUpdateAt;
      this.runs.finish(run, 'stale', null, null);
      await em.flush();
      // run.stale's in-transaction listener (analysis) makes the analysis job due, then the notification
      this.uow.publish(
        new RunStaleEvent(run.id, run.apiKeyId, lastUpdateAt.toISOString(), run.botId ?? null),
      );
      this.logger.warn({ runId: run.id, lastUpdateAt: lastUpdateAt.toISOString() }, 'run closed as stale');
    }
    return { closed: stale.length, runIds: stale.map((run) => run.id) };
  }

  async retention(): Promise<RetentionSettings> {
    const stored = await this.store.get<RetentionSettings>(RETENTION_KEY);
    return { metricRetentionDays: stored.metricRetentionDays ?? this.settings.metricRetentionDays };
  }

  async updateRetention(patch: { metricRetentionDays?: number | null }): Promise<RetentionSettings> {
    await this.uow.run(async (em) => {
      const effective = async () => {
        const stored = await this.store.get<RetentionSettings>(RETENTION_KEY, em);
        return { metricRetentionDays: stored.metricRetentionDays ?? this.settings.metricRetentionDays };
      };
      const before = await effective();
      await this.store.patch<RetentionSettings>(RETENTION_KEY, patch as Partial<RetentionSettings>);
      const after = await effective();
      if (before.metricRetentionDays === after.metricRetentionDays) return;
      await this.audit.record(em, { action: 'retention.updated', targetId: 'metrics', before, after });
    });
    return this.retention();
  }

  /** Expired idempotency records, metric points past retention (finished runs only), settled outbox jobs. */
  private async maintenance(em: EntityManager): Promise<Record<string, unknown>> {
    const idempotencyRecords = await purgeExpiredIdempotencyRecords(em);
    const stored = await this.store.get<RetentionSettings>(RETENTION_KEY, em);
    const days = stored.metricRetentionDays ?? this.settings.metricRetentionDays;
    // Points of runs still running are kept whatever their age (their series is still being drawn).
    // Whole months past the horizon go as partitions; the boundary month row by row.
    const purged =
      days > 0
        ? await this.metrics.purgeOlderThan(em, days, await this.runs.runningIds(em))
        : { points: 0, partitions: [] };
    const outboxJobs = await this.outbox.purgeSettled(em, this.settings.outboxRetentionDays);
    return {
      idempotencyRecords,
      metricPoints: purged.points,
      metricPartitionsDropped: purged.partitions.length,
      droppedPartitions: purged.partitions,
      outboxJobs,
      metricRetentionDays: days,
    };
  }

  /** The monthly partitions of trades and metric points, this month and PARTITION_MONTHS_AHEAD ahead (each module makes its own). */
  private async createPartitions(em: EntityManager): Promise<Record<string, unknown>> {
    const made = [
      ...(await this.trades.createPartitionsAhead(em, PARTITION_MONTHS_AHEAD)),
      ...(await this.metrics.createPartitionsAhead(em, PARTITION_MONTHS_AHEAD)),
    ];
    return { created: made.length, partitions: made, monthsAhead: PARTITION_MONTHS_AHEAD };
  }

  /**
   * The wallet poll calls out (JSON-RPC), so it runs under a lease, not in a transaction: a short
   * statement takes `scheduler_leases`' row for the job until now + OUTBOX_LEASE_SECONDS (unless
   * another instance holds it), the read runs with no transaction open, and one short transaction
   * records the reading and frees the lease, only while the lease is still this poll's. A poll whose
   * instance died leaves the lease to run out.
   */
  private async pollWallet(at: string): Promise<JobResult> {
    const token = randomUUID();
    const taken = await this.uow.sql(
      (sql) =>
        sql.query<{ job: string }>(
          `insert into scheduler_leases (job, leased_until, lease_owner) values ($1, now() + make_interval(secs => $2), $3)
           on conflict (job) do update set leased_until = excluded.leased_until, lease_owner = excluded.lease_owner
             where scheduler_leases.leased_until <= now()
           returning job`,
          ['wallet-poll', this.settings.outboxLeaseSeconds, token],
        ),
      { single: true },
    );
    if (taken.length === 0)
      return { job: 'wallet-poll', ran: false, skipped: 'another instance holds the lease', result: {}, at };
    try {
      const target = await this.wallet.watchTarget();
      const read = target ? await this.wallet.readChain(target) : null;
      return await this.uow.run(async (em) => {
        const [held] = await em.execute<{ job: string }[]>(
          `select job from scheduler_leases where job = ? and lease_owner = ? for update`,
          ['wallet-poll', token],
        );
        if (!held)
          return {
            job: 'wallet-poll',
            ran: false,
            skipped: 'the lease ran out during the read; its reading was dropped',
            result: {},
            at,
          };
        const balances = target && read ? await this.wallet.recordChain(em, target, read) : null;
        await em.execute(
          `update scheduler_leases set leased_until = now() where job = ? and lease_owner = ?`,
          ['wallet-poll', token],
        );
        return {
          job: 'wallet-poll',
          ran: true,
          skipped: null,
          result: balances ? { read: 1, ...balances } : { read: 0 },
          at,
        };
      });
    } catch (error) {
      // free the lease for the next tick (best effort: if the database is down it runs out on its own)
      await this.uow
        .sql(
          (sql) =>
            sql.query(
              `update scheduler_leases set leased_until = now() where job = $1 and lease_owner = $2`,
              ['wallet-poll', token],
            ),
          { single: true },
        )
        .catch(() => undefined);
      throw error;
    }
  }
}
