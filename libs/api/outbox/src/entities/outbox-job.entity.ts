import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

export type OutboxJobStatus = 'pending' | 'done' | 'failed';

/**
 * One unit of durable work (an analysis owed, a notification owed), written in the same
 * transaction as the domain change that makes it owed, and drained by the outbox worker.
 */
@Entity({ tableName: 'outbox_jobs' })
export class OutboxJob {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: 'text' })
  topic!: string;

  @Property({ type: 'jsonb' })
  payload: Record<string, unknown> = {};

  /** At most one job per key (e.g. "run-summary:42"): enqueueing twice is a no-op. */
  @Property({ type: 'text', nullable: true, unique: true })
  dedupeKey: string | null = null;

  @Property({ type: 'text' })
  status: OutboxJobStatus = 'pending';

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'integer' })
  maxAttempts = 8;

  @Property({ type: 'timestamptz' })
  availableAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  /** While a worker holds the job: until when, and the token of its claim (see OutboxWorker). */
  @Property({ type: 'timestamptz', nullable: true })
  leasedUntil: Date | null = null;

  @Property({ type: 'text', nullable: true })
  leaseOwner: string | null = null;
}
