import { Migration } from '@mikro-orm/migrations';

/** What one trade adds to its run's totals (sign -1 takes an old row's share back out). */
export function tradeShare(rows: string, sign: 1 | -1): string {
  const s = sign === 1 ? '' : '-';
  return `select run_id,
                 ${s}1 as trades,
                 ${s}(status = 'filled')::int as filled,
                 ${s}(status = 'cancelled')::int as cancelled,
                 ${s}(status = 'failed')::int as failed,
                 ${s}coalesce(pnl, 0) as pnl,
                 ${s}(case when status = 'filled' then coalesce(fill_price, price) * coalesce(fill_size, size) else 0 end) as filled_notional,
                 ${s}(coalesce(pnl, 0) > 0)::int as wins,
                 ${s}(coalesce(pnl, 0) < 0)::int as losses,
                 ${s}least(coalesce(pnl, 0), 0) as gross_loss,
                 ${s}size as size_sum
            from ${rows}`;
}

/** The run totals' sums over the shares (tradeShare). */
export const SUMS = `sum(trades) as trades,
              sum(filled) as filled, sum(cancelled) as cancelled, sum(failed) as failed, sum(pnl) as pnl,
              sum(filled_notional) as filled_notional, sum(wins) as wins, sum(losses) as losses,
              sum(gross_loss) as gross_loss, sum(size_sum) as size_sum`;

/** Adds the sums `d` to the run's totals row `s`. */
export const ADD = `trades = s.trades + d.trades, filled = s.filled + d.filled, cancelled = s.cancelled + d.cancelled,
             failed = s.failed + d.failed, pnl = s.pnl + d.pnl, filled_notional = s.filled_notional + d.filled_notional,
             wins = s.wins + d.wins, losses = s.losses + d.losses, gross_loss = s.gross_loss + d.gross_loss,
             size_sum = s.size_sum + d.size_sum, updated_at = now()`;

/**
 * Per-run aggregates kept up to date by statement-level triggers, so that run/stop scores a run
 * without scanning its trades or its metric series:
 * - run_trade_stats (owned by the trades lib): counts by status, exact sums (P&L, filled notional,
 *   gross loss, sizes) and wins/losses, changed by every insert, update and delete of trades;
 * - run_metric_stats (owned by the metrics lib): the totalPnl series' point count, peak and largest
 *   peak-to-trough fall, extended by every insert into run_metric_points.
 * A trigger costs no round trip on the bot's hot path; one statement (a 10,000-trade batch
 * included) updates each run's row once. Existing runs are backfilled.
 * analyses gets a state: run/stop stores the score from these aggregates as 'pending' and the
 * outbox job completes it with breakdowns and suggestions ('complete', or 'failed' when it gives up).
 */
export class Migration20261209000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table run_trade_stats (
        run_id bigint primary key references runs (id) on delete cascade,
        trades bigint not null default 0,
        filled bigint not null default 0,
        cancelled bigint not null default 0,
        failed bigint not null default 0,
        pnl numeric not null default 0,
        filled_notional numeric not null default 0,
        wins bigint not null default 0,
        losses bigint not null default 0,
        gross_loss numeric not null default 0,
        size_sum numeric not null default 0,
        updated_at timestamptz not null default now()
      );

      create function run_trade_stats_on_insert() returns trigger language plpgsql as $$
      begin
        -- ordered by run, so concurrent multi-run statements lock the stats rows in one order
        insert into run_trade_stats as s (run_id, trades, filled, cancelled, failed, pnl, filled_notional, wins, losses, gross_loss, size_sum)
        select run_id, ${SUMS} from (${tradeShare('new_rows', 1)}) x group by run_id order by run_id
        on conflict (run_id) do update set ${ADD.replace(/\bd\./g, 'excluded.')};
        return null;
      end $$;

      create function run_trade_stats_on_update() returns trigger language plpgsql as $$
      begin
        update run_trade_stats s set ${ADD}
          from (select run_id, ${SUMS}
                  from (${tradeShare('new_rows', 1)} union all ${tradeShare('old_rows', -1)}) x
                 group by run_id) d
         where s.run_id = d.run_id;
        return null;
      end $$;

      create function run_trade_stats_on_delete() returns trigger language plpgsql as $$
      begin
        -- an update, never an insert: a run being deleted has already lost its row (cascade)
        update run_trade_stats s set ${ADD}
          from (select run_id, ${SUMS} from (${tradeShare('old_rows', -1)}) x group by run_id) d
         where s.run_id = d.run_id;
        return null;
      end $$;

      create trigger trades_stats_insert after insert on trades
        referencing new table as new_rows for each statement execute function run_trade_stats_on_insert();
      create trigger trades_stats_update after update on trades
        referencing old table as old_rows new table as new_rows for each statement execute function run_trade_stats_on_update();
      create trigger trades_stats_delete after delete on trades
        referencing old table as old_rows for each statement execute function run_trade_stats_on_delete();

      insert into run_trade_stats (run_id, trades, filled, cancelled, failed, pnl, filled_notional, wins, losses, gross_loss, size_sum)
      select run_id, ${SUMS} from (${tradeShare('trades', 1)}) x group by run_id;

      create table run_metric_stats (
        run_id bigint primary key references runs (id) on delete cascade,
        points bigint not null default 0,
        peak_pnl numeric,
        max_drawdown numeric,
        updated_at timestamptz not null default now()
      );

      create function run_metric_stats_on_insert() returns trigger language plpgsql as $$
      declare
        point record;
      begin
        for point in
          select run_id, (metric_values->>'totalPnl')::numeric as pnl
            from new_rows
           where metric_values->>'totalPnl' ~ '^-?[0-9]+(\\.[0-9]+)?$'
           order by run_id, at, id
        loop
          insert into run_metric_stats as s (run_id, points, peak_pnl, max_drawdown)
          values (point.run_id, 1, point.pnl, 0)
          on conflict (run_id) do update
            set points = s.points + 1,
                peak_pnl = greatest(s.peak_pnl, excluded.peak_pnl),
                max_drawdown = greatest(coalesce(s.max_drawdown, 0), greatest(s.peak_pnl, excluded.peak_pnl) - excluded.peak_pnl),
                updated_at = now();
        end loop;
        return null;
      end $$;

      create trigger run_metric_points_stats_insert after insert on run_metric_points
        referencing new table as new_rows for each statement execute function run_metric_stats_on_insert();

      insert into run_metric_stats (run_id, points, peak_pnl, max_drawdown)
      select run_id, count(*), max(peak), max(peak - pnl)
        from (select run_id, (metric_values->>'totalPnl')::numeric as pnl,
                     max((metric_values->>'totalPnl')::numeric) over (partition by run_id order by at, id) as peak
                from run_metric_points
               where metric_values->>'totalPnl' ~ '^-?[0-9]+(\\.[0-9]+)?$') s
       group by run_id;

      alter table analyses add column state text not null default 'complete' check (state in ('pending', 'complete', 'failed'));
      alter table analyses add column error text;
    `);
  }
}
