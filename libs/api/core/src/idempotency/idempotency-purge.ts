import type { EntityManager } from '@mikro-orm/postgresql';

/** How long a stored response answers a retry with the same Idempotency-Key. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

/** Deletes the records past their 24 h (the scheduler's maintenance job); returns how many. */
export async function purgeExpiredIdempotencyRecords(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ n: string }[]>(
    `with gone as (delete from idempotency_records where created_at < now() - make_interval(hours => ?) returning 1)
     select count(*) as n from gone`,
    [IDEMPOTENCY_RETENTION_HOURS],
  );
  return Number(row.n);
}
