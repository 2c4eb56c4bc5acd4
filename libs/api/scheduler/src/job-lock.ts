import { EntityManager } from '@mikro-orm/postgresql';

/**
 * Takes the cluster-wide lock of one scheduled job for the current transaction. Another instance
 * asking while it is held gets false and skips its turn; the lock goes with the commit (or a crash).
 */
export async function tryJobLock(em: EntityManager, job: string): Promise<boolean> {
  const [row] = await em.execute<{ locked: boolean }[]>(
    'select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked',
    [`polymaker-job:${job}`],
  );
  return row.locked === true;
}
