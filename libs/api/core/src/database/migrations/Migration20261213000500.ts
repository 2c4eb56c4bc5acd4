import { Migration } from '@mikro-orm/migrations';

/**
 * Partitioned history: `trades` (by `created_at`) and `run_metric_points` (by `at`) become
 * PostgreSQL declarative partitions, one per calendar month in UTC (`trades_y2026m12` holds
 * [2026-12-01, 2027-01-01)), plus a DEFAULT partition (`trades_default`) for a row outside every
 * month (a clock far off): an insert never fails for want of a partition. The scheduler creates the
 * next months ahead and retention drops whole months of metric points.
 *
 * Each table is rewritten once, in this migration's transaction: the old table is renamed, the
 * partitioned parent is created with the same columns, defaults and checks, one partition per month
 * from the oldest row's month to three months past now (at most 240; older rows land in DEFAULT),
 * the rows are copied (INSERT … SELECT, before the indexes, the primary key and the triggers exist,
 * so the copy neither re-counts the per-run aggregates nor maintains indexes row by row), the id
 * sequence continues where the old one stood, and the old table goes.
 *
 * Ids: a partitioned table's primary key must hold the partition key, so it becomes
 * (id, created_at) / (id, at). Ids stay unique because one sequence hands them out (the parent's
 * default; a sequence rather than an identity column, which PostgreSQL 16 refuses on a partitioned
 * table). Nothing references either table by foreign key.
 */
const TRADE_COLUMNS =
  'id, run_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id, status, ' +
  'fill_price, fill_size, fill_timestamp, resolved_outcome, pnl, extra, created_at, updated_at, bot_id';
const POINT_COLUMNS = 'id, run_id, at, metric_values, extra, api_key_id, bot_id';

/** Creates the monthly partitions of `parent` covering `old`'s rows and three months ahead, and a DEFAULT one. */
function monthlyPartitions(parent: string, old: string, key: string): string {
  return `
    do $$
    declare
      first_month timestamptz;
      last_month timestamptz;
      month timestamptz;
    begin
      select date_trunc('month', min(${key}) at time zone 'UTC') at time zone 'UTC',
             date_trunc('month', greatest(max(${key}), now()) at time zone 'UTC') at time zone 'UTC'
        into first_month, last_month from ${old};
      first_month := coalesce(first_month, date_trunc('month', now() at time zone 'UTC') at time zone 'UTC');
      last_month := coalesce(last_month, first_month);
      -- at most 240 months, the newest ones; anything older lands in the DEFAULT partition
      first_month := greatest(first_month, ((last_month at time zone 'UTC') - interval '236 months') at time zone 'UTC');
      month := first_month;
      while month <= ((last_month at time zone 'UTC') + interval '3 months') at time zone 'UTC' loop
        execute format('create table %I partition of ${parent} for values from (%L) to (%L)',
          '${parent}_' || to_char(month at time zone 'UTC', '"y"YYYY"m"MM'),
          month, ((month at time zone 'UTC') + interval '1 month') at time zone 'UTC');
        month := ((month at time zone 'UTC') + interval '1 month') at time zone 'UTC';
      end loop;
      execute 'create table ${parent}_default partition of ${parent} default';
    end $$;`;
}

/** The id sequence of the new parent goes on after the old table's highest id and its sequence's last value. */
function continueSequence(parent: string, old: string): string {
  return `
    do $$
    declare
      next_id bigint;
    begin
      select greatest(coalesce(max(id), 0), (select last_value from ${old}_id_seq_moved)) + 1 into next_id from ${old};
      perform setval('${parent}_id_seq', next_id, false);
    end $$;`;
}

export class Migration20261213000500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      -- the old tables step aside: their index, key and sequence names are taken by the new ones
      alter table trades rename to trades_unpartitioned;
      alter table trades_unpartitioned rename constraint trades_pkey to trades_unpartitioned_pkey;
      drop index trades_run_id_id_index, trades_created_at_index, trades_token_id_created_at_index, trades_asset_window_id_index,
        trades_price_id_index, trades_size_id_index, trades_bot_id_id_index, trades_run_id_created_at_index;
      drop trigger trades_stats_insert on trades_unpartitioned;
      drop trigger trades_stats_update on trades_unpartitioned;
      drop trigger trades_stats_delete on trades_unpartitioned;
      alter sequence trades_id_seq rename to trades_unpartitioned_id_seq_moved;

      alter table run_metric_points rename to run_metric_points_unpartitioned;
      alter table run_metric_points_unpartitioned rename constraint run_metric_points_pkey to run_metric_points_unpartitioned_pkey;
      drop index run_metric_points_run_id_at_index;
      drop index if exists run_metric_points_wallet_by_key;
      drop trigger run_metric_points_stats_insert on run_metric_points_unpartitioned;
      alter sequence run_metric_points_id_seq rename to run_metric_points_unpartitioned_id_seq_moved;

      create sequence trades_id_seq as bigint;
      create table trades (
        id bigint not null default nextval('trades_id_seq'),
        run_id bigint not null references runs (id) on delete cascade,
        cycle bigint not null,
        asset text not null,
        window_duration text not null,
        side text not null check (side in ('buy', 'sell')),
        outcome text not null,
        price numeric not null check (price >= 0 and price <= 1),
        size numeric not null check (size > 0),
        strategy text,
        condition_id text,
        token_id text,
        status text not null default 'placed' check (status in ('placed', 'filled', 'cancelled', 'failed')),
        fill_price numeric check (fill_price >= 0 and fill_price <= 1),
        fill_size numeric check (fill_size >= 0),
        fill_timestamp timestamptz,
        resolved_outcome text,
        pnl numeric,
        extra jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        bot_id bigint
      ) partition by range (created_at);
      alter sequence trades_id_seq owned by trades.id;

      create sequence run_metric_points_id_seq as bigint;
      create table run_metric_points (
        id bigint not null default nextval('run_metric_points_id_seq'),
        run_id bigint not null references runs (id) on delete cascade,
        at timestamptz not null default now(),
        metric_values jsonb not null,
        extra jsonb not null default '{}',
        api_key_id bigint,
        bot_id bigint
      ) partition by range (at);
      alter sequence run_metric_points_id_seq owned by run_metric_points.id;
    `);
    this.addSql(monthlyPartitions('trades', 'trades_unpartitioned', 'created_at'));
    this.addSql(monthlyPartitions('run_metric_points', 'run_metric_points_unpartitioned', 'at'));
    this.addSql(`
      insert into trades (${TRADE_COLUMNS}) select ${TRADE_COLUMNS} from trades_unpartitioned;
      insert into run_metric_points (${POINT_COLUMNS}) select ${POINT_COLUMNS} from run_metric_points_unpartitioned;
    `);
    this.addSql(continueSequence('trades', 'trades_unpartitioned'));
    this.addSql(continueSequence('run_metric_points', 'run_metric_points_unpartitioned'));
    this.addSql(`
      drop table trades_unpartitioned;
      drop table run_metric_points_unpartitioned;
      -- the identity sequences went with their tables; a sequence that was not an identity's would stay
      drop sequence if exists trades_unpartitioned_id_seq_moved, run_metric_points_unpartitioned_id_seq_moved;

      alter table trades add constraint trades_pkey primary key (id, created_at);
      create index trades_run_id_id_index on trades (run_id, id);
      create index trades_created_at_index on trades (created_at);
      create index trades_token_id_created_at_index on trades (token_id, created_at);
      create index trades_asset_window_id_index on trades (asset, window_duration, id);
      create index trades_price_id_index on trades (price, id);
      create index trades_size_id_index on trades (size, id);
      create index trades_bot_id_id_index on trades (bot_id, id);
      create index trades_run_id_created_at_index on trades (run_id, created_at);
      create trigger trades_stats_insert after insert on trades
        referencing new table as new_rows for each statement execute function run_trade_stats_on_insert();
      create trigger trades_stats_update after update on trades
        referencing old table as old_rows new table as new_rows for each statement execute function run_trade_stats_on_update();
      create trigger trades_stats_delete after delete on trades
        referencing old table as old_rows for each statement execute function run_trade_stats_on_delete();

      alter table run_metric_points add constraint run_metric_points_pkey primary key (id, at);
      create index run_metric_points_run_id_at_index on run_metric_points (run_id, at);
      create index run_metric_points_wallet_by_key
        on run_metric_points (api_key_id, at desc, id desc) where (metric_values ->> 'walletBalance') is not null;
      create trigger run_metric_points_stats_insert after insert on run_metric_points
        referencing new table as new_rows for each statement execute function run_metric_stats_on_insert();

      analyze trades;
      analyze run_metric_points;
    `);
  }
}
