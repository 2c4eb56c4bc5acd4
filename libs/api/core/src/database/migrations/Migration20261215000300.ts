import { Migration } from '@mikro-orm/migrations';
import { ADD, SUMS, tradeShare } from './Migration20261209000200';
import { journal, journalShare, resolved } from './Migration20261215000100';

/** The run totals' change by the rows of a statement (upsert for an insert, update otherwise). */
function runTotals(event: 'insert' | 'update' | 'delete'): string {
  if (event === 'insert')
    return `-- ordered by run, so concurrent multi-run statements lock the stats rows in one order
        insert into run_trade_stats as s (run_id, trades, filled, cancelled, failed, pnl, filled_notional, wins, losses, gross_loss, size_sum)
        select run_id, ${SUMS} from (${tradeShare('new_rows', 1)}) x group by run_id order by run_id
        on conflict (run_id) do update set ${ADD.replace(/\bd\./g, 'excluded.')}`;
  const shares =
    event === 'update'
      ? `${tradeShare('new_rows', 1)} union all ${tradeShare('old_rows', -1)}`
      : tradeShare('old_rows', -1);
  // a delete: an update, never an insert (a run being deleted has already lost its row: cascade)
  return `update run_trade_stats s set ${ADD}
          from (select run_id, ${SUMS} from (${shares}) x group by run_id) d
         where s.run_id = d.run_id`;
}

/** The P&L journal's rows for a statement, appended only when it touched a resolved trade. */
function pnlJournal(event: 'insert' | 'update' | 'delete'): string {
  const when =
    event === 'insert'
      ? resolved('new_rows')
      : event === 'update'
        ? `${resolved('new_rows')} or ${resolved('old_rows')}`
        : resolved('old_rows');
  const shares =
    event === 'insert'
      ? journalShare('new_rows', 1)
      : event === 'update'
        ? `${journalShare('new_rows', 1)} union all ${journalShare('old_rows', -1)}`
        : journalShare('old_rows', -1);
  return `if ${when} then
          ${journal(shares)};
        end if`;
}

const EVENTS = ['insert', 'update', 'delete'] as const;

/** The one trigger function of an event: the run totals, then the P&L journal. */
function rollupsFunction(event: (typeof EVENTS)[number]): string {
  return `create or replace function trades_rollups_on_${event}() returns trigger language plpgsql as $$
      begin
        ${runTotals(event)};
        ${pnlJournal(event)};
        return null;
      end $$;`;
}

/**
 * One statement trigger per event on `trades` instead of two: `trades_rollups_on_insert|update|delete()`
 * keeps the run's totals (`run_trade_stats`, as `run_trade_stats_on_*` did) and appends the P&L journal
 * (as `pnl_hourly_on_*` did) in one call. Each grouped insert or update of the bots' write path fired
 * two PL/pgSQL triggers per statement; it now fires one (same SQL inside, one function call and one
 * trigger event less). Triggers renamed `trades_rollups_insert|update|delete` on the parent and
 * `trades_rollups_update` on each partition; `trades_partition_triggers(partition)` adds the latter.
 */
export class Migration20261215000300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter function run_trade_stats_on_insert() rename to trades_rollups_on_insert;
      alter function run_trade_stats_on_update() rename to trades_rollups_on_update;
      alter function run_trade_stats_on_delete() rename to trades_rollups_on_delete;

      ${EVENTS.map(rollupsFunction).join('\n\n      ')}

      alter trigger trades_stats_insert on trades rename to trades_rollups_insert;
      alter trigger trades_stats_update on trades rename to trades_rollups_update;
      alter trigger trades_stats_delete on trades rename to trades_rollups_delete;
      drop trigger trades_pnl_hourly_insert on trades;
      drop trigger trades_pnl_hourly_update on trades;
      drop trigger trades_pnl_hourly_delete on trades;

      create or replace function trades_partition_triggers(part regclass) returns boolean language plpgsql as $$
      declare
        added boolean := false;
      begin
        -- the two triggers of Migration20261215000000, should a partition still have them
        execute format('drop trigger if exists trades_stats_update on %s', part);
        execute format('drop trigger if exists trades_pnl_hourly_update on %s', part);
        if not exists (select 1 from pg_trigger where tgrelid = part and tgname = 'trades_rollups_update') then
          execute format('create trigger trades_rollups_update after update on %s
            referencing old table as old_rows new table as new_rows for each statement execute function trades_rollups_on_update()', part);
          added := true;
        end if;
        return added;
      end $$;

      select trades_partition_triggers(i.inhrelid::regclass) from pg_inherits i where i.inhparent = 'trades'::regclass;

      drop function pnl_hourly_on_insert();
      drop function pnl_hourly_on_update();
      drop function pnl_hourly_on_delete();
    `);
  }
}
