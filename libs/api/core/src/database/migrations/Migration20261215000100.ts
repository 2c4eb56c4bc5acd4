import { Migration } from '@mikro-orm/migrations';

/** The journal rows of trades (sign 1) or of their old versions (sign -1); only resolved trades count. */
export function journalShare(rows: string, sign: 1 | -1): string {
  const s = sign === 1 ? '' : '-';
  return `select created_at, coalesce(bot_id, 0) as bot_id, asset, window_duration,
                 ${s}pnl as pnl, ${s}1 as trades, ${s}(pnl > 0)::int as wins, ${s}(pnl < 0)::int as losses
            from ${rows} where pnl is not null`;
}

/** Appends the shares to the journal, one row per time and key; a key whose shares cancel (a fill of a resolved trade) adds none. */
export function journal(shares: string): string {
  return `insert into pnl_journal (created_at, bot_id, asset, window_duration, pnl, trades, wins, losses)
          select created_at, bot_id, asset, window_duration, sum(pnl), sum(trades), sum(wins), sum(losses)
            from (${shares}) x
           group by created_at, bot_id, asset, window_duration
          having sum(pnl) <> 0 or sum(trades) <> 0 or sum(wins) <> 0 or sum(losses) <> 0`;
}

/** Whether any of these rows is a resolved trade (has a P&L). */
export const resolved = (rows: string) => `exists (select 1 from ${rows} where pnl is not null)`;

/**
 * The P&L rollups (`pnl_hourly`, `pnl_daily`) leave the write path. The trades' statement triggers no
 * longer upsert two rollup rows per key: they append what a statement changes to `pnl_journal` (one
 * insert, no index, no row lock shared with another bot's statement), and the scheduler's `pnl-fold`
 * job moves the journal into the rollups every few seconds, in one statement (TradesService.foldPnl).
 * The P&L reads add the journal's rows to the rollups' (PnlService), so the figures stay exact
 * between two folds. Nothing to move: the rollups hold every trade up to now.
 */
export class Migration20261215000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table pnl_journal (
        created_at timestamptz not null,
        bot_id bigint not null,
        asset text not null,
        window_duration text not null,
        pnl numeric not null,
        trades bigint not null,
        wins bigint not null,
        losses bigint not null
      );
      -- read whole by the P&L reads: vacuumed after every 10,000 folded rows, not 20 % of a table that
      -- is empty most of the time (the pnl-fold job also vacuums it after a large fold)
      alter table pnl_journal set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);

      create or replace function pnl_hourly_on_insert() returns trigger language plpgsql as $$
      begin
        if ${resolved('new_rows')} then
          ${journal(journalShare('new_rows', 1))};
        end if;
        return null;
      end $$;

      create or replace function pnl_hourly_on_update() returns trigger language plpgsql as $$
      begin
        if ${resolved('new_rows')} or ${resolved('old_rows')} then
          ${journal(`${journalShare('new_rows', 1)} union all ${journalShare('old_rows', -1)}`)};
        end if;
        return null;
      end $$;

      create or replace function pnl_hourly_on_delete() returns trigger language plpgsql as $$
      begin
        if ${resolved('old_rows')} then
          ${journal(journalShare('old_rows', -1))};
        end if;
        return null;
      end $$;
    `);
  }
}
