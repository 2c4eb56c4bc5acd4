import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError, Sql, sqlOf, UnitOfWork } from '@polymaker/api/core';
import { OutboxJob, OutboxJobStatus } from './entities/outbox-job.entity';

/** What a handler gets: the job as claimed, with this attempt's number (1 for the first). */
export interface OutboxJobContext {
  id: number;
  topic: string;
  payload: Record<string, unknown>;
  attempt: number;
  maxAttempts: number;
}

export interface OutboxHandler<Called = unknown> {
  /**
   * The part that leaves the database (an SMTP send, a webhook POST), if the job has one. It runs
   * after the claim has committed, with no transaction open: reads it needs are its own short ones
   * (`uow.read`). What it returns is handed to `handle`. If it throws, the attempt failed.
   * At-least-once: a worker that dies after the receiver accepted but before `handle` committed
   * makes the next claim call again, so a call carries an id the receiver can dedupe on.
   */
  call?(job: OutboxJobContext): Promise<Called>;
  /**
   * The job's database work, in the short transaction that records the outcome (and only while the
   * job's lease is still this claim's): its writes commit together with the job being marked done;
   * if it throws they are rolled back. `called` is what `call` returned (undefined without one).
   */
  handle(em: EntityManager, job: OutboxJobContext, called: Called): Promise<void>;
  /** Records a failed attempt (in the same transaction that schedules the retry or gives up). */
  onFailure?(em: EntityManager, job: OutboxJobContext, error: Error, retryAt: Date | null): Promise<void>;
  /** Base of the exponential backoff between attempts, in milliseconds (default 10 s). */
  retryBaseMs?(): number;
}

/**
 * A failure that tells the queue how to retry: `permanent` (trying again cannot help, e.g. a
 * receiver that said the request itself is wrong) ends the job at once; `retryAfterMs` (a
 * receiver's "retry after N seconds") makes the next attempt wait at least that long.
 */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly retry: { permanent?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

export interface EnqueueOptions {
  /** At most one job per key, ever: enqueueing the same key again does nothing. */
  dedupeKey?: string;
  maxAttempts?: number;
  /** Not before this time (default now). */
  availableAt?: Date;
}

interface OutboxJobRecord {
  id: number;
  topic: string;
  payload: Record<string, unknown>;
  dedupeKey: string | null;
  status: OutboxJobStatus;
  attempts: number;
  maxAttempts: number;
  availableAt: string;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** The durable queue's backlog (OutboxService.backlog). */
export interface OutboxBacklog {
  topics: { topic: string; pending: number; due: number; failed: number; oldestDueSeconds: number }[];
  /** The oldest due job's wait, in seconds, over every topic (0 when none is due). */
  oldestDueSeconds: number;
}

/**
 * The durable queue: `enqueue` writes a job row with the caller's transaction, so the work is
 * owed exactly when the domain change commits. Handlers register per topic; the worker drains.
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);
  private readonly handlers = new Map<string, OutboxHandler<unknown>>();

  constructor(private readonly uow: UnitOfWork) {}

  register<Called>(topic: string, handler: OutboxHandler<Called>): void {
    if (this.handlers.has(topic)) throw new Error(`outbox topic "${topic}" already has a handler`);
    this.handlers.set(topic, handler as OutboxHandler<unknown>);
  }

  handlerFor(topic: string): OutboxHandler<unknown> | undefined {
    return this.handlers.get(topic);
  }

  /** Writes the job in the caller's transaction; returns its id, or null when the dedupe key was taken. */
  async enqueue(
    db: EntityManager | Sql,
    topic: string,
    payload: Record<string, unknown>,
    options: EnqueueOptions = {},
  ): Promise<number | null> {
    const rows = await sqlOf(db).query<{ id: string }>(
      `insert into outbox_jobs (topic, payload, dedupe_key, max_attempts, available_at)
       values ($1, $2::jsonb, $3, $4, coalesce($5::timestamptz, now()))
       on conflict (dedupe_key) do nothing
       returning id`,
      [
        topic,
        JSON.stringify(payload),
        options.dedupeKey ?? null,
        options.maxAttempts ?? 8,
        options.availableAt?.toISOString() ?? null,
      ],
    );
    const id = rows[0] ? Number(rows[0].id) : null;
    this.logger.debug(
      { topic, jobId: id, dedupeKey: options.dedupeKey },
      id ? 'outbox job queued' : 'outbox job already queued',
    );
    return id;
  }

  async list(query: {
    status?: OutboxJobStatus;
    topic?: string;
    limit?: number;
  }): Promise<OutboxJobRecord[]> {
    const where: Record<string, unknown> = {};
    if (query.status) where['status'] = query.status;
    if (query.topic) where['topic'] = query.topic;
    const jobs = await this.uow.read((em) =>
      em.find(OutboxJob, where, { orderBy: { id: 'desc' }, limit: query.limit ?? 100 }),
    );
    return jobs.map(toView);
  }

  /** Puts a failed job back in the queue with a fresh allowance of attempts. */
  async retry(id: number): Promise<OutboxJobRecord> {
    return this.uow.run(async (em) => {
      const job = await em.findOne(OutboxJob, { id });
      if (!job) throw new NotFoundError(`Outbox job ${id} does not exist.`);
      if (job.status === 'failed') {
        job.status = 'pending';
        job.maxAttempts = job.attempts + Math.max(1, job.maxAttempts);
        job.availableAt = new Date();
        job.finishedAt = null;
        await em.flush();
      }
      return toView(job);
    });
  }

  /** Deletes settled (done or failed) jobs finished more than `days` ago; returns how many. */
  async purgeSettled(em: EntityManager, days: number): Promise<number> {
    const [row] = await em.execute<{ n: string }[]>(
      `with gone as (delete from outbox_jobs where status <> 'pending' and finished_at < now() - make_interval(days => ?) returning 1)
       select count(*) as n from gone`,
      [days],
    );
    return Number(row.n);
  }

  /**
   * The durable queue's backlog now, for GET /metrics: per topic, the pending jobs (due or waiting
   * for a retry) and the due ones (their time has come: waiting for a worker), the age of the
   * oldest due job since it became due, and the jobs that gave up (kept until retention). One
   * statement over the pending and failed rows only (done rows are skipped by the status filter).
   */
  async backlog(): Promise<OutboxBacklog> {
    const rows = await this.uow.sql(
      (sql) =>
        sql.query<{
          topic: string;
          pending: string;
          due: string;
          failed: string;
          oldest_due_seconds: number | null;
        }>(
          `select topic,
                  count(*) filter (where status = 'pending') as pending,
                  count(*) filter (where status = 'pending' and available_at <= now()) as due,
                  count(*) filter (where status = 'failed') as failed,
                  extract(epoch from now() - min(available_at) filter (where status = 'pending' and available_at <= now()))::float8 as oldest_due_seconds
             from outbox_jobs where status in ('pending', 'failed') group by topic`,
        ),
      { single: true },
    );
    const topics = rows.map((row) => ({
      topic: row.topic,
      pending: Number(row.pending),
      due: Number(row.due),
      failed: Number(row.failed),
      oldestDueSeconds: row.oldest_due_seconds === null ? 0 : Math.max(0, Number(row.oldest_due_seconds)),
    }));
    return { topics, oldestDueSeconds: Math.max(0, ...topics.map((t) => t.oldestDueSeconds)) };
  }

  async counts(): Promise<Record<OutboxJobStatus, number>> {
    const rows = await this.uow.read((em) =>
      em.execute<{ status: OutboxJobStatus; count: string }[]>(
        'select status, count(*) as count from outbox_jobs group by status',
      ),
    );
    const counts: Record<OutboxJobStatus, number> = { pending: 0, done: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }
}

function toView(job: OutboxJob): OutboxJobRecord {
  return {
    id: job.id,
    topic: job.topic,
    payload: job.payload,
    dedupeKey: job.dedupeKey,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    availableAt: job.availableAt.toISOString(),
    lastError: job.lastError,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
