import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { isDatabaseUnavailable, SETTINGS, Settings, UnitOfWork } from '@polymaker/api/core';
import { retryDelayMs } from './backoff';
import { JobFailure, OutboxJobContext, OutboxService } from './outbox.service';

interface ClaimedRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

/** Parallel drains per instance; each holds one job (and one connection) at a time. */
const CONCURRENCY = 4;
const DEFAULT_RETRY_BASE_MS = 10_000;
/** A receiver's "retry after" is honoured up to a day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * Drains the outbox. Each job is claimed with `FOR UPDATE SKIP LOCKED` inside a transaction that
 * stays open while its handler runs and commits "done" together with the handler's writes:
 * - two instances never run the same job (the second skips the locked row);
 * - a crash (even SIGKILL) rolls the claim back and the job is due again at once for whichever
 *   instance looks next; nothing owed is lost.
 * A failure rolls the handler's writes back (savepoint), records the error and schedules a retry
 * with exponential backoff (at least a JobFailure's retryAfterMs), or gives up after the job's
 * allowance of attempts, or at once on a permanent JobFailure.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private readonly drains = new Set<Promise<void>>();
  private stopping = false;
  private failingSince: number | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly uow: UnitOfWork,
    private readonly outbox: OutboxService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.orm.config.get('connect')) return; // writing the OpenAPI spec: no database
    this.timer = setInterval(() => this.kick(), this.settings.outboxPollMs);
    this.timer.unref();
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.drains]);
  }

  /** Starts one more drain when under the concurrency limit; a drain that finds work starts another. */
  kick(): void {
    if (this.stopping || this.drains.size >= CONCURRENCY) return;
    const drain: Promise<void> = this.drain().finally(() => this.drains.delete(drain));
    this.drains.add(drain);
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopping && (await this.processOne())) this.kick();
      if (this.failingSince !== null) {
        this.logger.log({ downForMs: Date.now() - this.failingSince }, 'outbox drains again');
        this.failingSince = null;
      }
    } catch (error) {
      // While the database is down every poll fails: say so once, not twice a second.
      if (this.failingSince !== null && isDatabaseUnavailable(error)) return;
      this.failingSince ??= Date.now();
      this.logger.error({ err: (error as Error).message }, 'outbox drain failed; retrying on the next poll');
    }
  }

  /** Claims, runs and settles one due job. Returns false when nothing was due. */
  async processOne(): Promise<boolean> {
    return this.uow.run(async (em) => {
      const [row] = await em.execute<ClaimedRow[]>(
        `select id, topic, payload, attempts, max_attempts from outbox_jobs
          where status = 'pending' and available_at <= now()
          order by available_at, id
          limit 1
          for update skip locked`,
      );
      if (!row) return false;
      const job: OutboxJobContext = {
        id: Number(row.id),
        topic: row.topic,
        payload: row.payload,
        attempt: row.attempts + 1,
        maxAttempts: row.max_attempts,
      };
      const handler = this.outbox.handlerFor(job.topic);
      if (!handler) {
        await em.execute(
          `update outbox_jobs set status = 'failed', attempts = ?, last_error = ?, finished_at = now() where id = ?`,
          [job.attempt, `no handler for topic "${job.topic}" in this version`, job.id],
        );
        this.logger.error({ jobId: job.id, topic: job.topic }, 'outbox job has no handler');
        return true;
      }
      try {
        // a savepoint: a failure rolls the handler's writes back and drops the events it queued
        await this.uow.savepoint((inner) => handler.handle(inner, job));
        await em.execute(`update outbox_jobs set status = 'done', attempts = ?, last_error = null, finished_at = now() where id = ?`, [
          job.attempt,
          job.id,
        ]);
      } catch (thrown) {
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        const hint = error instanceof JobFailure ? error.retry : {};
        const final = hint.permanent === true || job.attempt >= job.maxAttempts;
        const backoffMs = retryDelayMs(job.attempt, handler.retryBaseMs?.() ?? DEFAULT_RETRY_BASE_MS);
        const retryAt = final ? null : new Date(Date.now() + Math.max(backoffMs, Math.min(hint.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
        await em.execute(
          `update outbox_jobs
              set status = ?, attempts = ?, last_error = ?, available_at = coalesce(?::timestamptz, available_at),
                  finished_at = case when ? then now() else null end
            where id = ?`,
          [final ? 'failed' : 'pending', job.attempt, storedError(error.message), retryAt?.toISOString() ?? null, final, job.id],
        );
        this.logger.warn(
          { jobId: job.id, topic: job.topic, attempt: job.attempt, err: error.message, retryAt: retryAt?.toISOString() ?? null },
          final ? 'outbox job failed for good' : 'outbox job failed; will retry',
        );
        if (handler.onFailure) await handler.onFailure(em, job, error, retryAt);
      }
      return true;
    });
  }
}

/**
 * A failure as the job keeps it, at most 2,000 characters: a long message keeps its start and its end
 * (a database error's message is the statement, then the database's reason, which must not be cut off).
 */
export function storedError(message: string): string {
  return message.length <= 2000 ? message : `${message.slice(0, 1000)} … ${message.slice(-997)}`;
}
