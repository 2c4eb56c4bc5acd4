import { Migration } from '@mikro-orm/migrations';

/**
 * The trades' UPDATE statement triggers on each partition as well as on the parent. A bot's
 * trade/update names only the trade id, so an UPDATE through the parent is planned over the
 * partitions its bounds leave (three times the planning of the same statement on one table); the
 * API sends it to the current month's partition itself first. PostgreSQL fires a statement trigger
 * only on the table a statement names, so each partition carries the same two update triggers as
 * the parent (the per-run aggregates and the P&L rollups), and a statement through the parent still
 * fires the parent's alone. Inserts and deletes go through the parent only.
 *
 * `trades_partition_triggers(partition)` adds them where missing (true when it did); the trades
 * module's partitions job calls it for every partition, the ones it makes included.
 */
export class Migration20261215000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create or replace function trades_partition_triggers(part regclass) returns boolean language plpgsql as $$
      declare
        added boolean := false;
      begin
        if not exists (select 1 from pg_trigger where tgrelid = part and tgname = 'trades_stats_update') then
          execute format('create trigger trades_stats_update after update on %s
            referencing old table as old_rows new table as new_rows for each statement execute function run_trade_stats_on_update()', part);
          added := true;
        end if;
        if not exists (select 1 from pg_trigger where tgrelid = part and tgname = 'trades_pnl_hourly_update') then
          execute format('create trigger trades_pnl_hourly_update after update on %s
            referencing old table as old_rows new table as new_rows for each statement execute function pnl_hourly_on_update()', part);
          added := true;
        end if;
        return added;
      end $$;

      select trades_partition_triggers(i.inhrelid::regclass) from pg_inherits i where i.inhparent = 'trades'::regclass;
    `);
  }
}
