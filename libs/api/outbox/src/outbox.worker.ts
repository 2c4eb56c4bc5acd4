import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { isDatabaseUnavailable, SETTINGS, Settings, UnitOfWork } from '@polymaker/api/core';
import { randomUUID } from 'node:crypto';
import { retryDelayMs } from './backoff';
import { JobFailure, OutboxHandler, OutboxJobContext, OutboxService } from './outbox.service';

interface ClaimedRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

/** Parallel drains per instance; each holds one job at a time (and a connection only while it talks to the database). */
const CONCURRENCY = 4;
const DEFAULT_RETRY_BASE_MS = 10_000;
/** A receiver's "retry after" is honoured up to a day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** What the outside part of an attempt came to: its result, or why it failed. */
type Called = { value: unknown } | { error: Error; final?: boolean };

/**
 * Drains the outbox with leases, so no transaction stays open across an SMTP, webhook or RPC call:
 * 1. a claim (one autocommit statement) takes the first due job whose lease is free with
 *    `FOR UPDATE SKIP LOCKED`, counts the attempt and leases it to this claim (`lease_owner`, a
 *    fresh token) until now + `OUTBOX_LEASE_SECONDS`;
 * 2. the handler's outside part (`call`) runs with no transaction open;
 * 3. one short transaction locks the job again, and only if the lease is still this claim's runs
 *    the handler's database part (savepoint) and records the outcome: done, a retry with exponential
 *    backoff, or failed for good after the job's allowance of attempts. A claim whose lease ran out
 *    and was taken by another worker finishes nothing (its outcome is dropped and logged).
 * Two workers never hold the same job at once. A worker that dies (even SIGKILL) leaves its job
 * leased; it is claimed again once the lease has run out, with the next attempt's number: delivery is
 * at least once, and receivers dedupe on the notification id the call carries. A failure that is a
 * JobFailure can end the job at once (permanent) or put its retry off (a receiver's retry-after).
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
    const token = randomUUID();
    const [row] = await this.uow.sql(
      (sql) =>
        sql.query<ClaimedRow>(
          `update outbox_jobs job
              set attempts = job.attempts + 1, leased_until = now() + make_interval(secs => $1), lease_owner = $2
             from (select id from outbox_jobs
                    where status = 'pending' and available_at <= now() and (leased_until is null or leased_until <= now())
                    order by available_at, id
                    limit 1
                    for update skip locked) due
            where job.id = due.id
        returning job.id, job.topic, job.payload, job.attempts, job.max_attempts`,
          [this.settings.outboxLeaseSeconds, token],
        ),
      { single: true },
    );
    if (!row) return false;
    const job: OutboxJobContext = {
      id: Number(row.id),
      topic: row.topic,
      payload: row.payload,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
    };
    const handler = this.outbox.handlerFor(job.topic);
    let called: Called;
    if (!handler) {
      this.logger.error({ jobId: job.id, topic: job.topic }, 'outbox job has no handler');
      called = { error: new Error(`no handler for topic "${job.topic}" in this version`), final: true };
    } else if (job.attempt > job.maxAttempts) {
      // its last attempt's worker died (its lease ran out): no attempt is left to make
      called = {
        error: new Error(
          `the worker of attempt ${job.attempt - 1} stopped before finishing it (its lease ran out)`,
        ),
        final: true,
      };
    } else {
      try {
        called = { value: handler.call ? await handler.call(job) : undefined };
      } catch (thrown) {
        called = { error: asError(thrown) };
      }
    }
    await this.settle(job, token, handler, called);
    return true;
  }

  /** Records the attempt's outcome in one short transaction, only while the job is still leased to `token`. */
  private async settle(
    job: OutboxJobContext,
    token: string,
    handler: OutboxHandler<unknown> | undefined,
    called: Called,
  ): Promise<void> {
    await this.uow.run(async (em) => {
      const [held] = await em.execute<{ id: string }[]>(
        `select id from outbox_jobs where id = ? and lease_owner = ? and status = 'pending' for update`,
        [job.id, token],
      );
      if (!held) {
        this.logger.warn(
          { jobId: job.id, topic: job.topic, attempt: job.attempt },
          'outbox job lease lost (it ran out and the job was claimed again): this attempt is not recorded',
        );
        return;
      }
      let failure = 'error' in called ? called : null;
      if (!failure && handler) {
        try {
          // a savepoint: a failure rolls the handler's writes back and drops the events it queued
          await this.uow.savepoint((inner) =>
            handler.handle(inner, job, 'value' in called ? called.value : undefined),
          );
          await em.execute(
            `update outbox_jobs set status = 'done', last_error = null, finished_at = now(), leased_until = null, lease_owner = null where id = ?`,
            [job.id],
          );
          return;
        } catch (thrown) {
          failure = { error: asError(thrown) };
        }
      }
      if (!failure) return;
      const { error } = failure;
      // a JobFailure says when a retry is pointless (permanent) or when the receiver wants it (retryAfterMs)
      const hint = error instanceof JobFailure ? error.retry : {};
      const final = failure.final === true || hint.permanent === true || job.attempt >= job.maxAttempts;
      const backoffMs = retryDelayMs(job.attempt, handler?.retryBaseMs?.() ?? DEFAULT_RETRY_BASE_MS);
      const retryAt = final
        ? null
        : new Date(Date.now() + Math.max(backoffMs, Math.min(hint.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
      await em.execute(
        `update outbox_jobs
            set status = ?, last_error = ?, available_at = coalesce(?::timestamptz, available_at),
                finished_at = case when ? then now() else null end, leased_until = null, lease_owner = null
          where id = ?`,
        [
          final ? 'failed' : 'pending',
          storedError(error.message),
          retryAt?.toISOString() ?? null,
          final,
          job.id,
        ],
      );
      this.logger.warn(
        {
          jobId: job.id,
          topic: job.topic,
          attempt: job.attempt,
          err: error.message,
          retryAt: retryAt?.toISOString() ?? null,
        },
        final ? 'outbox job failed for good' : 'outbox job failed; will retry',
      );
      if (handler?.onFailure) await handler.onFailure(em, job, error, retryAt);
    });
  }
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/**
 * A failure as the job keeps it, at most 2,000 characters: a long message keeps its start and its end
 * (a database error's message is the statement, then the database's reason, which must not be cut off).
 */
export function storedError(message: string): string {
  return message.length <= 2000 ? message : `${message.slice(0, 1000)} … ${message.slice(-997)}`;
}
