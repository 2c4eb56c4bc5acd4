import { Migration } from '@mikro-orm/migrations';

/** A P&L rollup of the trades by UTC hour (`pnl_hourly`) or UTC day (`pnl_daily`, Migration20261214000100). */
export type PnlUnit = 'hour' | 'day';

const PNL_TABLE: Record<PnlUnit, string> = { hour: 'pnl_hourly', day: 'pnl_daily' };

/** The rollup table of this unit: `pnl_hourly` by hour, `pnl_daily` by day. */
export function pnlRollupTable(unit: PnlUnit): string {
  return `create table ${PNL_TABLE[unit]} (
        ${unit} timestamptz not null,
        bot_id bigint not null,
        asset text not null,
        window_duration text not null,
        pnl numeric not null default 0,
        trades bigint not null default 0,
        wins bigint not null default 0,
        losses bigint not null default 0,
        primary key (${unit}, bot_id, asset, window_duration)
      );`;
}

/** What trades add to (sign 1) or take from (sign -1) their hour's or day's realised P&L; only resolved trades count. */
export function pnlShare(rows: string, sign: 1 | -1, unit: PnlUnit): string {
  const s = sign === 1 ? '' : '-';
  return `select date_trunc('${unit}', created_at, 'UTC') as ${unit}, coalesce(bot_id, 0) as bot_id, asset, window_duration,
                 ${s}pnl as pnl, ${s}1 as trades, ${s}(pnl > 0)::int as wins, ${s}(pnl < 0)::int as losses
            from ${rows} where pnl is not null`;
}

/** Adds the grouped shares to their rollup rows, in key order (concurrent statements lock rows in one order). */
export function addPnlShares(shares: string, onlyChanges: boolean, unit: PnlUnit): string {
  const keys = `${unit}, bot_id, asset, window_duration`;
  return `insert into ${PNL_TABLE[unit]} as h (${keys}, pnl, trades, wins, losses)
          select ${keys}, sum(pnl), sum(trades), sum(wins), sum(losses)
            from (${shares}) x
           group by ${keys}
          ${onlyChanges ? 'having sum(pnl) <> 0 or sum(trades) <> 0 or sum(wins) <> 0 or sum(losses) <> 0' : ''}
           order by ${keys}
          on conflict (${keys}) do update
             set pnl = h.pnl + excluded.pnl, trades = h.trades + excluded.trades,
                 wins = h.wins + excluded.wins, losses = h.losses + excluded.losses`;
}

/** The bodies of the three trigger functions that keep the rollups of these units. */
export function pnlTriggerFunctions(units: PnlUnit[]): string {
  const each = (make: (unit: PnlUnit) => string) =>
    units.map((unit) => `${make(unit)};`).join('\n          ');
  // A statement without a resolved trade (a bot logs its trades unresolved, then fills them) changes
  // no rollup: one look at the transition rows skips the upserts.
  const resolved = (rows: string) => `exists (select 1 from ${rows} where pnl is not null)`;
  return `
      create or replace function pnl_hourly_on_insert() returns trigger language plpgsql as $$
      begin
        if ${resolved('new_rows')} then
          ${each((unit) => addPnlShares(pnlShare('new_rows', 1, unit), false, unit))}
        end if;
        return null;
      end $$;

      create or replace function pnl_hourly_on_update() returns trigger language plpgsql as $$
      begin
        if ${resolved('new_rows')} or ${resolved('old_rows')} then
          ${each((unit) => addPnlShares(`${pnlShare('new_rows', 1, unit)} union all ${pnlShare('old_rows', -1, unit)}`, true, unit))}
        end if;
        return null;
      end $$;

      create or replace function pnl_hourly_on_delete() returns trigger language plpgsql as $$
      begin
        if ${resolved('old_rows')} then
          ${each((unit) => addPnlShares(pnlShare('old_rows', -1, unit), false, unit))}
        end if;
        return null;
      end $$;`;
}

/**
 * Realised P&L by UTC hour, bot, asset and window (`pnl_hourly`, owned by the trades lib), kept by
 * statement-level triggers on every insert, update and delete of trades, as the per-run aggregates are:
 * the P&L calendar reads a range's hours instead of scanning every resolved trade in it. An hour that
 * one calendar bucket does not hold whole (a half-hour time zone, the range's ends) is read from the
 * trades themselves. Rows moved between partitions by the scheduler bypass the parent and its triggers.
 * bot_id 0 stands for trades logged without a bot. Existing trades are summed once here.
 *
 * Also an index for the trades page filtered by bot, asset and status, newest first (see below).
 */
export class Migration20261214000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ${pnlRollupTable('hour')}

      ${pnlTriggerFunctions(['hour'])}

      create trigger trades_pnl_hourly_insert after insert on trades
        referencing new table as new_rows for each statement execute function pnl_hourly_on_insert();
      create trigger trades_pnl_hourly_update after update on trades
        referencing old table as old_rows new table as new_rows for each statement execute function pnl_hourly_on_update();
      create trigger trades_pnl_hourly_delete after delete on trades
        referencing old table as old_rows for each statement execute function pnl_hourly_on_delete();

      insert into pnl_hourly (hour, bot_id, asset, window_duration, pnl, trades, wins, losses)
      select hour, bot_id, asset, window_duration, sum(pnl), sum(trades), sum(wins), sum(losses)
        from (${pnlShare('trades', 1, 'hour')}) x
       group by hour, bot_id, asset, window_duration;
      analyze pnl_hourly;

      -- the trades page filtered by bot, asset and status, newest first: each month's partition finds its
      -- newest match at once (with (bot_id, id) alone, a month where the bot's matching trades lie far from
      -- its end was read back a row at a time: a Merge Append needs every partition's first match)
      create index trades_bot_id_asset_status_id_index on trades (bot_id, asset, status, id);
    `);
  }
}
