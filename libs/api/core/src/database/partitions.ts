import { escapeIdentifier } from 'pg';
import { Sql } from './sql';

/**
 * Monthly range partitions of a table partitioned by a timestamptz column (UTC calendar months):
 * `<table>_yYYYYmMM` holds [first of the month, first of the next), `<table>_default` what falls
 * outside every month. The owning module calls these with its own table's name.
 */
export interface MonthlyPartition {
  name: string;
  /** First instant of the month (UTC), inclusive. */
  from: Date;
  /** First instant of the next month, exclusive. */
  to: Date;
}

const MONTH_NAME = /_y(\d{4})m(\d{2})$/;

export function monthStart(at: Date, plusMonths = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + plusMonths, 1));
}

export function partitionName(table: string, month: Date): string {
  return `${table}_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The table's monthly partitions, oldest first (the DEFAULT partition is not one). */
export async function monthlyPartitions(sql: Sql, table: string): Promise<MonthlyPartition[]> {
  const rows = await sql.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = to_regclass($1) and not coalesce(pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', false)`,
    [table],
  );
  const partitions: MonthlyPartition[] = [];
  for (const { name } of rows) {
    const match = MONTH_NAME.exec(name);
    if (!match || name !== `${table}${match[0]}`) continue;
    const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
    partitions.push({ name, from, to: monthStart(from, 1) });
  }
  return partitions.sort((a, b) => a.from.getTime() - b.from.getTime());
}

/**
 * Creates the partitions of this month and the next `monthsAhead` that are missing (idempotent).
 * Rows already in the DEFAULT partition for such a month (a clock that ran ahead) are moved into it,
 * since PostgreSQL refuses a new partition while DEFAULT holds rows of its range. Returns the names made.
 */
export async function createMonthlyPartitions(
  sql: Sql,
  table: string,
  column: string,
  monthsAhead: number,
  now = new Date(),
): Promise<string[]> {
  const made: string[] = [];
  const defaultName = `${table}_default`;
  for (let i = 0; i <= monthsAhead; i++) {
    const from = monthStart(now, i);
    const to = monthStart(now, i + 1);
    const name = partitionName(table, from);
    const [exists] = await sql.query<{ found: boolean }>('select to_regclass($1) is not null as found', [
      name,
    ]);
    if (exists.found) continue;
    const [stray] = await sql.query<{ found: boolean }>(
      `select exists (select 1 from ${escapeIdentifier(defaultName)} where ${escapeIdentifier(column)} >= $1 and ${escapeIdentifier(column)} < $2) as found`,
      [from.toISOString(), to.toISOString()],
    );
    const bounds = `for values from ('${from.toISOString()}') to ('${to.toISOString()}')`;
    if (!stray.found) {
      await sql.query(
        `create table if not exists ${escapeIdentifier(name)} partition of ${escapeIdentifier(table)} ${bounds}`,
      );
    } else {
      // moved straight between the partitions (not through the parent): the parent's statement
      // triggers, which keep the per-run aggregates, do not see the move
      await sql.query(
        `create table ${escapeIdentifier(name)} (like ${escapeIdentifier(table)} including defaults including constraints)`,
      );
      await sql.query(
        `with moved as (delete from ${escapeIdentifier(defaultName)} where ${escapeIdentifier(column)} >= $1 and ${escapeIdentifier(column)} < $2 returning *)
         insert into ${escapeIdentifier(name)} select * from moved`,
        [from.toISOString(), to.toISOString()],
      );
      await sql.query(
        `alter table ${escapeIdentifier(table)} attach partition ${escapeIdentifier(name)} ${bounds}`,
      );
    }
    made.push(name);
  }
  return made;
}

/**
 * Detaches and drops one monthly partition: its rows go at once, without a DELETE or vacuum. Waits at
 * most `lockTimeoutMs` for the table's lock (a long read holds it), so the writes queued behind this
 * statement are never held longer; the caller runs it in a savepoint and keeps the rows on a timeout.
 */
export async function dropMonthlyPartition(
  sql: Sql,
  table: string,
  partition: string,
  lockTimeoutMs = 2000,
): Promise<void> {
  await sql.query(`set local lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
  await sql.query(`alter table ${escapeIdentifier(table)} detach partition ${escapeIdentifier(partition)}`);
  await sql.query(`drop table ${escapeIdentifier(partition)}`);
}
