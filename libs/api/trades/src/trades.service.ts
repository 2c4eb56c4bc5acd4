import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DatabaseError, escapeIdentifier } from 'pg';
import {
  BadInputError,
  createMonthlyPartitions,
  GroupCommit,
  monthStart,
  NotFoundError,
  partitionName,
  Sql,
  sqlOf,
  normalDecimal,
  UnitOfWork,
} from '@polymaker/api/core';
import type { TradeFacetsView, TradePageView, TradeQueryDto, TradeView } from './dto/trade.dto';
import { Trade } from './entities/trade.entity';
import { decodeTradeCursor, encodeTradeCursor, TradeCursor, TradeSort } from './trade-cursor';
import type { NewTrade, TradeUpdate } from './trade-input';
import type { TradeStatus } from './entities/trade.entity';

/** Group commit of single trades and updates: up to this many per statement, this many statements in flight at once. */
const GROUP_MAX_TRADES = 256;
const GROUP_MAX_IN_FLIGHT = 4;

/** Where one round of grouped updates looks for its trades (see applyUpdates). */
interface UpdateTarget {
  partition?: string;
  from?: string;
  to?: string;
}

/** A trade one round updated: its index in the round's items, id, run and new status. */
interface UpdatedRow {
  i: number;
  id: string;
  run_id: string;
  status: TradeStatus;
}

/** PostgreSQL's undefined_table: the month's partition is not made. */
const UNDEFINED_TABLE = '42P01';

/** The partition of trades that holds this month (UTC), where the trades being updated almost all are. */
export function currentTradePartition(now = new Date()): string {
  return partitionName('trades', monthStart(now));
}

/** What a trade/update changed, as its event needs it. */
export interface UpdatedTrade {
  id: number;
  runId: number;
  status: TradeStatus;
}

/** Trades naming one token: the watchlist's activity column. */
export interface TokenActivity {
  tradeCount: number;
  lastTradeAt: Date;
}

/** At most this many values per filter list; the strategies are those of the latest trades. */
const FACET_MAX = 100;
const FACET_STRATEGY_WINDOW = 10_000;

/** A bot with more assets than this has its unfiltered trades page read the plain way (sorted). */
const BOT_ASSETS_MAX = 64;

const SORT_COLUMNS = { id: 'id', price: 'price', size: 'size', cycle: 'cycle' } as const;

const BREAKDOWN_COLUMNS = {
  asset: 't.asset',
  window: 't.window_duration',
  outcome: 't.outcome',
  strategy: "coalesce(t.strategy, '')",
  hour: "to_char(t.created_at at time zone 'UTC', 'HH24')",
} as const;

export type TradeBreakdownDimension = keyof typeof BREAKDOWN_COLUMNS;
export interface TradeBreakdownRow {
  key: string;
  trades: number;
  fills: number;
  pnl: string;
}
export type TradeBreakdowns = Record<TradeBreakdownDimension, TradeBreakdownRow[]>;

/** A run's trade totals (what the score needs), from the run_trade_stats aggregate. */
export interface RunTradeStats {
  total: number;
  filled: number;
  cancelled: number;
  failed: number;
  pnl: string;
  filledNotional: string;
  wins: number;
  losses: number;
  /** Average size (shares) of the orders placed, to 4 places; null without orders. */
  avgSize: string | null;
  /** Sum of the P&L of losing trades (negative or 0). */
  grossLoss: string;
}

/** A run's trades logged in [since, until) (null: unbounded on that side). */
export interface TradeInterval {
  runId: number;
  since: Date | null;
  until: Date | null;
}

/**
 * What the market-making scores read from one run's fills (the full analysis only; a scan of the run's
 * trades). A window is one conditionId: its Up and Down are the two outcomes of one market window.
 * Sizes net buys against sells; money sums are exact, averages and ratios to 10 decimal places.
 */
export interface RunMarketMakingStats {
  /** The markout horizon the fills were measured within, in seconds. */
  horizonSeconds: number;
  /** Whether windows with no resolved fill yet were counted in the inventory (a finished run: yes). */
  includesOpenWindows: boolean;
  /** Filled trades of the run. */
  fills: number;
  /** Filled trades with an Up/Down outcome and a conditionId: the ones that belong to a window. */
  windowFills: number;
  /** Fills that are not hedges (strategy not starting with "hedge"), in a window: the quotes that were hit. */
  quoting: {
    fills: number;
    shares: string;
    /** Quoting fills followed by another fill of the bot in the same window within the horizon. */
    markedFills: number;
    markedShares: string;
    /** Sum over marked fills of size × the price move in the fill's favour (≥ 0). */
    favourableUsd: string;
    /** Sum over marked fills of size × the price move against the fill (≥ 0). */
    adverseUsd: string;
    /** Up and Down quoting fills of one window matched into pairs (the smaller side's size). */
    pairedShares: string;
    /** Sum over windows of paired size × (1 − avg Up price − avg Down price): the spread the pairs locked. */
    pairEdgeUsd: string;
  };
  /** Every fill (hedges included) of the windows counted, netted per window and outcome. */
  inventory: {
    windows: number;
    /** Windows holding one outcome only. */
    oneSidedWindows: number;
    /** Windows with no resolved fill yet (left out of the counts above unless includesOpenWindows). */
    openWindows: number;
    shares: string;
    /** Sum over windows of |net Up − net Down|: what a resolution against the heavier side loses. */
    unpairedShares: string;
    /** What those unpaired shares cost (at the heavier side's average price). */
    unpairedCost: string;
  };
  /** Hedge fills (strategy starting with "hedge") and the windows they were bought in. */
  hedging: {
    fills: number;
    shares: string;
    /** Net cash paid for the hedge fills. */
    cost: string;
    /** Sum of the hedge fills' own P&L. */
    pnl: string;
    /** Windows with at least one hedge fill. */
    windows: number;
    /** Paired size of those windows (hedges included). */
    pairedShares: string;
    /** Sum over those windows of paired size × (avg Up price + avg Down price). */
    pairCostUsd: string;
    /** P&L of every fill of those windows. */
    windowsPnl: string;
  };
}

@Injectable()
export class TradesService {
  /** Single trades of concurrent requests, one INSERT per group (see GroupCommit). */
  private readonly grouped = new GroupCommit<{ trade: NewTrade; botId: number | null }, number>(
    (items) =>
      this.uow.sql(
        (sql) =>
          this.insert(
            sql,
            items.map((i) => i.trade),
            new Map(items.map((i) => [i.trade.runId, i.botId])),
          ),
        { single: true },
      ),
    { maxBatch: GROUP_MAX_TRADES, maxInFlight: GROUP_MAX_IN_FLIGHT },
  );

  /** Single trade/updates of concurrent requests, as few UPDATEs per group as their trade ids allow. */
  private readonly groupedUpdates = new GroupCommit<
    { update: TradeUpdate; owner: number | null },
    UpdatedTrade | null
  >((items) => this.applyUpdates(items), { maxBatch: GROUP_MAX_TRADES, maxInFlight: GROUP_MAX_IN_FLIGHT });

  /** Whether this month's partition carries the update trigger (see directPartition). */
  private partitionCheck: { name: string; at: number; ok: boolean } | null = null;

  constructor(private readonly uow: UnitOfWork) {}

  /**
   * One trade outside any transaction (its own autocommit), written together with the other single
   * trades that arrive meanwhile: one statement, one commit and one stats-trigger run per group.
   */
  insertGrouped(trade: NewTrade, botId: number | null): Promise<number> {
    return this.grouped.submit({ trade, botId });
  }

  /**
   * One trade/update outside any transaction, applied together with the other single updates that
   * arrive meanwhile (one UPDATE … FROM per group; only the fields each one sent change). Another
   * bot's trade, or none, is a 404 for that request alone.
   */
  async updateGrouped(update: TradeUpdate, owner: number | null): Promise<UpdatedTrade> {
    const updated = await this.groupedUpdates.submit({ update, owner });
    if (!updated) throw tradeNotFound(update.tradeId);
    return updated;
  }

  /** Applies updates in as few statements as their trade ids allow (a trade updated twice waits for the next round). */
  private async applyUpdates(
    items: { update: TradeUpdate; owner: number | null }[],
  ): Promise<(UpdatedTrade | null)[]> {
    const results: (UpdatedTrade | null)[] = items.map(() => null);
    let rest = items.map((item, i) => ({ ...item, i }));
    while (rest.length > 0) {
      // one UPDATE per round, each trade at most once in it (UPDATE … FROM applies one row per trade)
      const round: typeof rest = [];
      const later: typeof rest = [];
      const inRound = new Set<number>();
      for (const item of rest) {
        if (inRound.has(item.update.tradeId)) later.push(item);
        else {
          inRound.add(item.update.tradeId);
          round.push(item);
        }
      }
      rest = later;
      const rows = round.map(({ update: u, owner, i }) => ({
        i,
        id: u.tradeId,
        owner,
        status: u.status ?? null,
        has_status: u.status !== undefined,
        fill_price: u.fillPrice ?? null,
        has_fill_price: u.fillPrice !== undefined,
        fill_size: u.fillSize ?? null,
        has_fill_size: u.fillSize !== undefined,
        fill_timestamp: u.fillTimestamp ?? null,
        has_fill_timestamp: u.fillTimestamp !== undefined,
        resolved_outcome: u.resolvedOutcome ?? null,
        has_resolved_outcome: u.resolvedOutcome !== undefined,
        pnl: u.pnl ?? null,
        has_pnl: u.pnl !== undefined,
        extra: Object.keys(u.extra).length > 0 ? u.extra : null,
      }));
      // First in this month's partition itself, where a bot's updates land (planned as on one table;
      // the partition has the parent's update trigger: Migration20261215000300), then, for any trade
      // not found there, among the recent months' partitions, then among all of them (recentTradeMonths).
      const [from, to] = recentTradeMonths();
      const partition = await this.directPartition();
      const targets: UpdateTarget[] = [...(partition ? [{ partition }] : []), { from, to }, {}];
      const updated: UpdatedRow[] = [];
      let missed = rows;
      for (const target of targets) {
        if (missed.length === 0) break;
        const found = await this.updateRound(missed, target);
        updated.push(...found);
        const hit = new Set(found.map((row) => row.i));
        missed = missed.filter((row) => !hit.has(row.i));
      }
      for (const row of updated)
        results[row.i] = { id: Number(row.id), runId: Number(row.run_id), status: row.status };
    }
    return results;
  }

  /**
   * This month's partition when it carries the update trigger (checked once a month per process,
   * and again a minute after a miss), else null: the updates then go through the parent.
   */
  private async directPartition(): Promise<string | null> {
    const now = Date.now();
    const name = currentTradePartition(new Date(now));
    if (
      this.partitionCheck?.name !== name ||
      (!this.partitionCheck.ok && now - this.partitionCheck.at > 60_000)
    ) {
      const check = { name, at: now, ok: false };
      this.partitionCheck = check;
      // the trigger trades_partition_triggers adds (Migration20261215000300)
      const [row] = await this.uow.sql(
        (sql) =>
          sql.query<{ ok: boolean }>(
            `select count(*) = 1 as ok from pg_trigger
              where tgrelid = to_regclass($1) and tgname = 'trades_rollups_update'`,
            [name],
          ),
        { single: true },
      );
      check.ok = row.ok;
    }
    return this.partitionCheck.ok ? name : null;
  }

  /**
   * One UPDATE … FROM of a round's rows: in one partition, or among the trades logged in [from, to)
   * (partition pruning), or in every partition. A partition not made (yet) holds none of them.
   */
  private async updateRound(rows: { i: number; id: number }[], target: UpdateTarget): Promise<UpdatedRow[]> {
    const bounded = target.from !== undefined && target.to !== undefined;
    const table = target.partition ? escapeIdentifier(target.partition) : 'trades';
    const ids = rows.map((row) => row.id);
    try {
      return await this.uow.sql(
        (sql) =>
          sql.query<UpdatedRow>(
            `update ${table} t set
             status = case when u.has_status then u.status else t.status end,
             fill_price = case when u.has_fill_price then u.fill_price else t.fill_price end,
             fill_size = case when u.has_fill_size then u.fill_size else t.fill_size end,
             fill_timestamp = case when u.has_fill_timestamp then u.fill_timestamp else t.fill_timestamp end,
             resolved_outcome = case when u.has_resolved_outcome then u.resolved_outcome else t.resolved_outcome end,
             pnl = case when u.has_pnl then u.pnl else t.pnl end,
             extra = case when u.extra is null then t.extra else t.extra || u.extra end,
             updated_at = now()
           from jsonb_to_recordset($1::jsonb) as u(i int, id bigint, owner bigint, status text, has_status boolean,
                fill_price numeric, has_fill_price boolean, fill_size numeric, has_fill_size boolean,
                fill_timestamp timestamptz, has_fill_timestamp boolean, resolved_outcome text, has_resolved_outcome boolean,
                pnl numeric, has_pnl boolean, extra jsonb)
          where t.id = any($2::bigint[]) and t.id = u.id and (u.owner is null or t.bot_id = u.owner)
            ${bounded ? 'and t.created_at >= $3::timestamptz and t.created_at < $4::timestamptz' : ''}
          returning u.i, t.id, t.run_id, t.status`,
            // the id list makes the plan an index lookup of these trades, whatever the size of the table
            [JSON.stringify(rows), `{${ids.join(',')}}`, ...(bounded ? [target.from, target.to] : [])],
          ),
        { single: true },
      );
    } catch (error) {
      if (target.partition && error instanceof DatabaseError && error.code === UNDEFINED_TABLE) return [];
      throw error;
    }
  }

  /**
   * Inserts trades in one statement with a single JSON parameter (exact decimals: PostgreSQL parses
   * the decimal strings itself). Identity values are taken in row order, so the ids sorted ascending
   * are in input order. `botOfRun` gives the bot that owns each trade's run (checked by the caller).
   */
  async insert(
    sql: Sql,
    trades: NewTrade[],
    botOfRun: ReadonlyMap<number, number | null>,
  ): Promise<number[]> {
    if (trades.length === 0) return [];
    if (trades.length === 1) {
      const t = trades[0];
      const [row] = await sql.query<{ id: string }>(
        `insert into trades (run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id, extra)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb) returning id`,
        [
          t.runId,
          botOfRun.get(t.runId) ?? null,
          t.cycle,
          t.asset,
          t.windowDuration,
          t.side,
          t.outcome,
          t.price,
          t.size,
          t.strategy,
          t.conditionId,
          t.tokenId,
          JSON.stringify(t.extra),
        ],
      );
      return [Number(row.id)];
    }
    const rows = trades.map((t) => ({
      run_id: t.runId,
      bot_id: botOfRun.get(t.runId) ?? null,
      cycle: t.cycle,
      asset: t.asset,
      window_duration: t.windowDuration,
      side: t.side,
      outcome: t.outcome,
      price: t.price,
      size: t.size,
      strategy: t.strategy,
      condition_id: t.conditionId,
      token_id: t.tokenId,
      extra: t.extra,
    }));
    const inserted = await sql.query<{ id: string }>(
      `insert into trades (run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id, extra)
       select run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id, coalesce(extra, '{}')
         from jsonb_to_recordset($1::jsonb) as x(run_id bigint, bot_id bigint, cycle bigint, asset text, window_duration text, side text,
              outcome text, price numeric, size numeric, strategy text, condition_id text, token_id text, extra jsonb)
       returning id`,
      [JSON.stringify(rows)],
    );
    return inserted.map((row) => Number(row.id)).sort((a, b) => a - b);
  }

  /**
   * Applies a trade/update in one statement (only the fields sent change); `owner` is the calling bot
   * (null: any trade), another bot's trade is a 404.
   */
  async update(sql: Sql, update: TradeUpdate, owner: number | null): Promise<UpdatedTrade> {
    const values: unknown[] = [update.tradeId, owner];
    const sets: string[] = [];
    const set = (column: string, value: unknown, cast = '') => {
      values.push(value);
      sets.push(`${column} = $${values.length}${cast}`);
    };
    if (update.status !== undefined) set('status', update.status);
    if (update.fillPrice !== undefined) set('fill_price', update.fillPrice);
    if (update.fillSize !== undefined) set('fill_size', update.fillSize);
    if (update.fillTimestamp !== undefined) set('fill_timestamp', update.fillTimestamp, '::timestamptz');
    if (update.resolvedOutcome !== undefined) set('resolved_outcome', update.resolvedOutcome);
    if (update.pnl !== undefined) set('pnl', update.pnl);
    if (Object.keys(update.extra).length > 0) {
      values.push(JSON.stringify(update.extra));
      sets.push(`extra = extra || $${values.length}::jsonb`);
    }
    sets.push('updated_at = now()');
    const statement = `update trades set ${sets.join(', ')} where id = $1 and ($2::bigint is null or bot_id = $2::bigint)`;
    // the recent months first, then every month (see recentTradeMonths)
    const [from, to] = recentTradeMonths();
    const [recent] = await sql.query<{ id: string; run_id: string; status: TradeStatus }>(
      `${statement} and created_at >= $${values.length + 1}::timestamptz and created_at < $${values.length + 2}::timestamptz returning id, run_id, status`,
      [...values, from, to],
    );
    const [row] = recent
      ? [recent]
      : await sql.query<{ id: string; run_id: string; status: TradeStatus }>(
          `${statement} returning id, run_id, status`,
          values,
        );
    if (!row) throw tradeNotFound(update.tradeId);
    return { id: Number(row.id), runId: Number(row.run_id), status: row.status };
  }

  /**
   * Moves the P&L journal (appended by the trades' triggers: Migration20261215000100) into the hourly
   * and daily rollups, in one statement: a read sees each change either in the journal or in the
   * rollups, never in both or neither. The whole journal at once, in one pass (a batch would scan the
   * dead rows of the batches before it); rows appended meanwhile wait for the next fold. Run by the
   * scheduler's pnl-fold job under its lock; returns how many journal rows it moved.
   */
  async foldPnl(em: EntityManager): Promise<number> {
    const add = (unit: 'hour' | 'day', table: string) => {
      const keys = `${unit}, bot_id, asset, window_duration`;
      return `insert into ${table} as h (${keys}, pnl, trades, wins, losses)
              select date_trunc('${unit}', created_at, 'UTC') as ${unit}, bot_id, asset, window_duration,
                     sum(pnl), sum(trades), sum(wins), sum(losses)
                from moved
               group by 1, 2, 3, 4
              having sum(pnl) <> 0 or sum(trades) <> 0 or sum(wins) <> 0 or sum(losses) <> 0
               order by 1, 2, 3, 4
              on conflict (${keys}) do update
                 set pnl = h.pnl + excluded.pnl, trades = h.trades + excluded.trades,
                     wins = h.wins + excluded.wins, losses = h.losses + excluded.losses`;
    };
    const [row] = await sqlOf(em).query<{ moved: string }>(
      `with moved as (
         delete from pnl_journal returning *
       ), hourly as (${add('hour', 'pnl_hourly')}), daily as (${add('day', 'pnl_daily')})
       select count(*) as moved from moved`,
    );
    return Number(row.moved);
  }

  /**
   * VACUUM of the P&L journal, outside any transaction: after a large fold (a bulk import of resolved
   * trades) the emptied pages would otherwise stay in every P&L read's scan until autovacuum.
   */
  async vacuumPnlJournal(): Promise<void> {
    await this.uow.sql((sql) => sql.query('vacuum pnl_journal'), { single: true });
  }

  /**
   * Creates the monthly partitions of the trades for this month and the next `monthsAhead`
   * (idempotent). Trades have no retention: every month is kept.
   */
  async createPartitionsAhead(em: EntityManager, monthsAhead: number): Promise<string[]> {
    const sql = sqlOf(em);
    const made = await createMonthlyPartitions(sql, 'trades', 'created_at', monthsAhead);
    // Each partition carries the parent's update trigger (applyUpdates updates this month's
    // partition itself): added to the new ones, and to any partition made by hand without it.
    // (the function adds it only where it lacks)
    await sql.query(
      `select trades_partition_triggers(i.inhrelid::regclass) from pg_inherits i where i.inhparent = 'trades'::regclass`,
    );
    return made;
  }

  /** How many trades name each token and when the last one came (one bot's, or every bot's with null). */
  async activityByToken(tokenIds: string[], botId: number | null): Promise<Map<string, TokenActivity>> {
    if (tokenIds.length === 0) return new Map();
    const rows = await this.uow.read((em) =>
      em.execute<{ token_id: string; n: string; last_at: Date }[]>(
        `select token_id, count(*) as n, max(created_at) as last_at from trades
          where token_id in (select jsonb_array_elements_text(?::jsonb)) and (?::bigint is null or bot_id = ?::bigint)
          group by token_id`,
        [JSON.stringify([...new Set(tokenIds)]), botId, botId],
      ),
    );
    return new Map(
      rows.map((row) => [row.token_id, { tradeCount: Number(row.n), lastTradeAt: new Date(row.last_at) }]),
    );
  }

  /**
   * A run's trade totals from the run_trade_stats aggregate (kept by triggers on trades as trades
   * and fills arrive): one row read, no scan of the run's trades. Exact decimals as strings.
   */
  /**
   * Realised P&L (the exact sum of the resolved trades' P&L, from the runs' kept aggregates) and
   * fills / orders of each of these runs' owners, summed per bot: `runsOfBot` maps run id to bot id.
   */
  async realisedByBot(
    runsOfBot: ReadonlyMap<number, number>,
  ): Promise<Map<number, { pnl: string; trades: number; filled: number; failed: number }>> {
    if (runsOfBot.size === 0) return new Map();
    const rows = await this.uow.sql((sql) =>
      sql.query<{ bot: string; pnl: string; trades: string; filled: string; failed: string }>(
        `select b.bot, sum(s.pnl)::text as pnl, sum(s.trades) as trades, sum(s.filled) as filled, sum(s.failed) as failed
           from unnest($1::bigint[], $2::bigint[]) as b (run, bot)
           join run_trade_stats s on s.run_id = b.run
          group by b.bot`,
        [[...runsOfBot.keys()], [...runsOfBot.values()]],
      ),
    );
    return new Map(
      rows.map((row) => [
        Number(row.bot),
        {
          pnl: normalDecimal(row.pnl),
          trades: Number(row.trades),
          filled: Number(row.filled),
          failed: Number(row.failed),
        },
      ]),
    );
  }

  /**
   * The newest `limit` resolved trades of a run as the suggestion statistics read them (asset, UTC hour
   * logged, strategy, P&L as a float: a statistic's input, never summed as money), from the
   * (run_id, id) index; for the analysis job, not a request.
   */
  async resolvedSamplesOf(
    em: EntityManager,
    runId: number,
    limit: number,
  ): Promise<{ asset: string; hour: number; strategy: string; pnl: number }[]> {
    const rows = await em.execute<{ asset: string; hour: number; strategy: string; pnl: number }[]>(
      `select asset, extract(hour from created_at at time zone 'UTC')::int as hour, coalesce(strategy, '') as strategy, pnl::float8 as pnl
         from trades where run_id = ? and pnl is not null order by id desc limit ?`,
      [runId, limit],
    );
    return rows.map((row) => ({
      asset: row.asset,
      hour: Number(row.hour),
      strategy: row.strategy,
      pnl: Number(row.pnl),
    }));
  }

  async statsOf(db: EntityManager | Sql, runId: number): Promise<RunTradeStats> {
    const [row] = await sqlOf(db).query<{
      trades: string;
      filled: string;
      cancelled: string;
      failed: string;
      pnl: string;
      filled_notional: string;
      wins: string;
      losses: string;
      gross_loss: string;
      avg_size: string | null;
    }>(
      `select trades, filled, cancelled, failed, pnl::text as pnl, filled_notional::text as filled_notional, wins, losses,
              gross_loss::text as gross_loss, round(size_sum / nullif(trades, 0), 4)::text as avg_size
         from run_trade_stats where run_id = $1`,
      [runId],
    );
    if (!row)
      return {
        total: 0,
        filled: 0,
        cancelled: 0,
        failed: 0,
        pnl: '0',
        filledNotional: '0',
        wins: 0,
        losses: 0,
        avgSize: null,
        grossLoss: '0',
      };
    return toRunTradeStats(row);
  }

  /**
   * The totals of run_trade_stats (same definitions: orders by status, exact P&L, filled notional,
   * wins, losses) of each run's trades logged during each interval [since, until) (server time of
   * logging; null: unbounded on that side), in the order asked. One statement, one index range of
   * trades (run_id, created_at) per interval; exact sums by PostgreSQL.
   */
  async intervalStats(intervals: readonly TradeInterval[]): Promise<RunTradeStats[]> {
    if (intervals.length === 0) return [];
    const rows = await this.uow.sql(
      (sql) =>
        sql.query<{
          i: number;
          trades: string;
          filled: string;
          cancelled: string;
          failed: string;
          pnl: string;
          filled_notional: string;
          wins: string;
          losses: string;
          gross_loss: string;
          avg_size: string | null;
        }>(
          // The intervals as one JSON text (an array parameter is spread inside an ORM transaction).
          `select s.i, count(t.id) as trades, count(*) filter (where t.status = 'filled') as filled,
                  count(*) filter (where t.status = 'cancelled') as cancelled, count(*) filter (where t.status = 'failed') as failed,
                  coalesce(sum(t.pnl), 0)::text as pnl,
                  coalesce(sum(case when t.status = 'filled' then coalesce(t.fill_price, t.price) * coalesce(t.fill_size, t.size) else 0 end), 0)::text as filled_notional,
                  count(*) filter (where t.pnl > 0) as wins, count(*) filter (where t.pnl < 0) as losses,
                  coalesce(sum(least(t.pnl, 0)), 0)::text as gross_loss, round(avg(t.size), 4)::text as avg_size
             from jsonb_to_recordset($1::jsonb) as s (i int, run bigint, since timestamptz, until timestamptz)
             left join trades t on t.run_id = s.run
                                and t.created_at >= coalesce(s.since, '-infinity'::timestamptz)
                                and t.created_at < coalesce(s.until, 'infinity'::timestamptz)
            group by s.i
            order by s.i`,
          [
            JSON.stringify(
              intervals.map((v, i) => ({
                i,
                run: v.runId,
                since: v.since?.toISOString() ?? null,
                until: v.until?.toISOString() ?? null,
              })),
            ),
          ],
        ),
      { single: true },
    );
    return rows.map(toRunTradeStats);
  }

  /**
   * A run's trades, orders, fills and P&L by asset, window, outcome, strategy and UTC hour of
   * placement: one scan of the run's trades, for the full analysis (an outbox job, not a request).
   */
  async breakdownsOf(em: EntityManager, runId: number): Promise<TradeBreakdowns> {
    const rows = await em.execute<
      { dim: TradeBreakdownDimension; key: string; trades: string; fills: string; pnl: string }[]
    >(
      `select dim, key, count(*) as trades, count(*) filter (where status = 'filled') as fills, coalesce(sum(pnl), 0)::text as pnl
         from trades t
         cross join lateral (values ${Object.entries(BREAKDOWN_COLUMNS)
           .map(([name, column]) => `('${name}', ${column})`)
           .join(', ')}) as d(dim, key)
        where t.run_id = ?
        group by dim, key
        order by dim, key`,
      [runId],
    );
    const breakdowns: TradeBreakdowns = { asset: [], window: [], outcome: [], strategy: [], hour: [] };
    for (const row of rows)
      breakdowns[row.dim].push({
        key: row.key,
        trades: Number(row.trades),
        fills: Number(row.fills),
        pnl: normalDecimal(row.pnl),
      });
    return breakdowns;
  }

  /**
   * The market-making figures of a run (see RunMarketMakingStats), for the full analysis (an outbox
   * job, not a request): one scan of the run's filled trades (the run_id index), then windows and
   * markouts over those rows only. A fill is marked against the bot's next fill in the same window
   * within `horizonSeconds` (same outcome: its price; the other outcome: 1 − its price), as market
   * reports carry no prices.
   */
  async marketMakingOf(
    db: EntityManager | Sql,
    runId: number,
    options: { horizonSeconds: number; includeOpenWindows: boolean },
  ): Promise<RunMarketMakingStats> {
    const [row] = await sqlOf(db).query<Record<string, string>>(
      `with f as materialized (
         select t.id, t.condition_id as w, t.outcome, coalesce(t.strategy, '') ~* '^hedge' as hedge,
                case when lower(t.side) = 'sell' then -1 else 1 end as dir,
                coalesce(t.fill_size, t.size) as size, coalesce(t.fill_price, t.price) as price,
                coalesce(t.fill_timestamp, t.created_at) as at, t.pnl,
                (t.pnl is not null or t.resolved_outcome is not null) as resolved
           from trades t
          where t.run_id = $1 and t.status = 'filled'
       ),
       placed as materialized (
         select f.*, lead(f.outcome) over win as next_outcome, lead(f.price) over win as next_price, lead(f.at) over win as next_at
           from f
          where f.w is not null and f.outcome in ('Up', 'Down')
         window win as (partition by f.w order by f.at, f.id)
       ),
       marked as (
         select size, dir * ((case when next_outcome = outcome then next_price else 1 - next_price end) - price) as move
           from placed
          where not hedge and next_at is not null and next_at <= at + make_interval(secs => $2::double precision)
       ),
       windows as (
         select w, bool_or(resolved) as resolved, bool_or(hedge) as hedged, coalesce(sum(pnl), 0) as pnl,
                greatest(coalesce(sum(dir * size) filter (where outcome = 'Up'), 0), 0) as up,
                coalesce(sum(dir * size * price) filter (where outcome = 'Up'), 0) as up_cost,
                greatest(coalesce(sum(dir * size) filter (where outcome = 'Down'), 0), 0) as down,
                coalesce(sum(dir * size * price) filter (where outcome = 'Down'), 0) as down_cost,
                greatest(coalesce(sum(dir * size) filter (where outcome = 'Up' and not hedge), 0), 0) as q_up,
                coalesce(sum(dir * size * price) filter (where outcome = 'Up' and not hedge), 0) as q_up_cost,
                greatest(coalesce(sum(dir * size) filter (where outcome = 'Down' and not hedge), 0), 0) as q_down,
                coalesce(sum(dir * size * price) filter (where outcome = 'Down' and not hedge), 0) as q_down_cost
           from placed
          group by w
       ),
       per_window as (
         select resolved, hedged, pnl, up, down,
                case when q_up > 0 and q_down > 0 then least(q_up, q_down) else 0 end as q_paired,
                case when q_up > 0 and q_down > 0 then least(q_up, q_down) * (1 - q_up_cost / q_up - q_down_cost / q_down) else 0 end as q_edge,
                case when up > 0 and down > 0 then least(up, down) else 0 end as paired,
                case when up > 0 and down > 0 then least(up, down) * (up_cost / up + down_cost / down) else 0 end as pair_cost,
                abs(up - down) as unpaired,
                case when up > down then (up - down) * up_cost / up when down > up then (down - up) * down_cost / down else 0 end as unpaired_cost
           from windows
       ),
       counted as (select * from per_window where resolved or $3::boolean)
       select (select count(*) from f)::text as fills,
              (select count(*) from placed)::text as window_fills,
              (select count(*) from placed where not hedge)::text as q_fills,
              (select coalesce(sum(size), 0) from placed where not hedge)::text as q_shares,
              (select count(*) from marked)::text as marked_fills,
              (select coalesce(sum(size), 0) from marked)::text as marked_shares,
              (select round(coalesce(sum(size * greatest(move, 0)), 0), 10) from marked)::text as favourable,
              (select round(coalesce(sum(size * greatest(-move, 0)), 0), 10) from marked)::text as adverse,
              (select coalesce(sum(q_paired), 0) from per_window)::text as q_paired,
              (select round(coalesce(sum(q_edge), 0), 10) from per_window)::text as q_edge,
              (select count(*) from counted)::text as windows,
              (select count(*) from counted where (up > 0) <> (down > 0))::text as one_sided_windows,
              (select count(*) from per_window where not resolved)::text as open_windows,
              (select coalesce(sum(up + down), 0) from counted)::text as shares,
              (select coalesce(sum(unpaired), 0) from counted)::text as unpaired,
              (select round(coalesce(sum(unpaired_cost), 0), 10) from counted)::text as unpaired_cost,
              (select count(*) from f where hedge)::text as h_fills,
              (select coalesce(sum(size), 0) from f where hedge)::text as h_shares,
              (select coalesce(sum(dir * size * price), 0) from f where hedge)::text as h_cost,
              (select coalesce(sum(pnl), 0) from f where hedge)::text as h_pnl,
              (select count(*) from per_window where hedged)::text as h_windows,
              (select coalesce(sum(paired), 0) from per_window where hedged)::text as h_paired,
              (select round(coalesce(sum(pair_cost), 0), 10) from per_window where hedged)::text as h_pair_cost,
              (select coalesce(sum(pnl), 0) from per_window where hedged)::text as h_windows_pnl`,
      [runId, options.horizonSeconds, options.includeOpenWindows],
    );
    const whole = (key: string) => Number(row[key]);
    const dec = (key: string) => normalDecimal(row[key]);
    return {
      horizonSeconds: options.horizonSeconds,
      includesOpenWindows: options.includeOpenWindows,
      fills: whole('fills'),
      windowFills: whole('window_fills'),
      quoting: {
        fills: whole('q_fills'),
        shares: dec('q_shares'),
        markedFills: whole('marked_fills'),
        markedShares: dec('marked_shares'),
        favourableUsd: dec('favourable'),
        adverseUsd: dec('adverse'),
        pairedShares: dec('q_paired'),
        pairEdgeUsd: dec('q_edge'),
      },
      inventory: {
        windows: whole('windows'),
        oneSidedWindows: whole('one_sided_windows'),
        openWindows: whole('open_windows'),
        shares: dec('shares'),
        unpairedShares: dec('unpaired'),
        unpairedCost: dec('unpaired_cost'),
      },
      hedging: {
        fills: whole('h_fills'),
        shares: dec('h_shares'),
        cost: dec('h_cost'),
        pnl: dec('h_pnl'),
        windows: whole('h_windows'),
        pairedShares: dec('h_paired'),
        pairCostUsd: dec('h_pair_cost'),
        windowsPnl: dec('h_windows_pnl'),
      },
    };
  }

  /**
   * The values the trade filters offer, at a cost that does not grow with the table: the distinct
   * (asset, window) pairs by a loose index scan of trades_asset_window_id_index (one index descent
   * per pair, at most FACET_MAX + 1 of them), and the strategies of the latest FACET_STRATEGY_WINDOW
   * trades (strategy has no index of its own: one would cost every trade insert).
   */
  async facets(): Promise<TradeFacetsView> {
    const [pairs, strategies] = await this.uow.read((em) =>
      Promise.all([
        em.execute<{ asset: string; window_duration: string }[]>(
          `with recursive pairs (asset, window_duration) as (
             (select asset, window_duration from trades order by asset, window_duration limit 1)
             union all
             select n.asset, n.window_duration from pairs p
              cross join lateral (
                select t.asset, t.window_duration from trades t
                 where (t.asset, t.window_duration) > (p.asset, p.window_duration)
                 order by t.asset, t.window_duration limit 1
              ) n
           )
           select asset, window_duration from pairs limit ?`,
          [FACET_MAX + 1],
        ),
        em.execute<{ strategy: string }[]>(
          `select distinct strategy from (select strategy from trades order by id desc limit ?) latest
            where strategy is not null order by strategy limit ?`,
          [FACET_STRATEGY_WINDOW, FACET_MAX + 1],
        ),
      ]),
    );
    const sorted = (values: Iterable<string>) =>
      [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const assets = sorted(pairs.slice(0, FACET_MAX).map((row) => row.asset));
    const windows = sorted(pairs.slice(0, FACET_MAX).map((row) => row.window_duration));
    return {
      assets,
      windows,
      strategies: sorted(strategies.slice(0, FACET_MAX).map((row) => row.strategy)),
      truncated: pairs.length > FACET_MAX || strategies.length > FACET_MAX,
    };
  }

  async page(query: TradeQueryDto): Promise<TradePageView> {
    const limit = query.limit ?? 100;
    const rows = await this.uow.read((em) => this.fetch(em, query, limit + 1, query.cursor));
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toTradeView),
      nextCursor: rows.length > limit && last ? encodeCursor(query, last) : null,
    };
  }

  /** Every trade matching the filter, page by page, for streaming exports. */
  async *all(query: TradeQueryDto, pageSize = 5000): AsyncGenerator<TradeView[]> {
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.uow.read((em) => this.fetch(em, query, pageSize, cursor));
      if (rows.length === 0) return;
      yield rows.map(toTradeView);
      if (rows.length < pageSize) return;
      cursor = encodeCursor(query, rows[rows.length - 1]);
    }
  }

  private async fetch(
    em: EntityManager,
    query: TradeQueryDto,
    limit: number,
    cursor?: string,
  ): Promise<Trade[]> {
    const sort = SORT_COLUMNS[query.sort ?? 'id'];
    const order = query.order ?? 'desc';
    const conditions = tradeConditions(query);
    if (cursor) {
      const [value, id] = decodeCursor(cursor, query.sort ?? 'id');
      const op = order === 'desc' ? '<' : '>';
      // Explicit casts: the cursor's value is compared in the column's family (numeric, bigint)
      // whatever its magnitude, so no value that passed validation can fail in PostgreSQL.
      const cast = sort === 'cycle' ? 'bigint' : 'numeric';
      if (sort === 'id') conditions.push({ sql: `t.id ${op} ?::bigint`, values: [id] });
      else conditions.push({ sql: `(t.${sort}, t.id) ${op} (?::${cast}, ?::bigint)`, values: [value, id] });
    }
    if (query.botId && !query.asset && !query.runId && sort === 'id') {
      const ofBot = await this.fetchOfBot(em, query.botId, conditions, order, limit);
      if (ofBot) return ofBot;
    }
    const qb = em.createQueryBuilder(Trade, 't').select('*');
    for (const condition of conditions) qb.andWhere(condition.sql, condition.values);
    const orderBy: Record<string, 'asc' | 'desc'> =
      sort === 'id' ? { id: order } : { [sort]: order, id: order };
    return qb.orderBy(orderBy).limit(limit).getResultList();
  }

  /**
   * One bot's trades of every asset, by id. `trades` has no `(bot_id, id)` index (each index costs
   * every insert; `(bot_id, asset, id)` serves this page too): the bot's assets come from a loose
   * scan of that index (one descent per asset and month, at most BOT_ASSETS_MAX + 1 assets), each
   * asset's page from a keyset read of the same index, and the pages are merged by id. Null (read
   * the plain way, the bot's trades sorted) for a bot with more assets than that.
   */
  private async fetchOfBot(
    em: EntityManager,
    botId: number,
    conditions: Condition[],
    order: 'asc' | 'desc',
    limit: number,
  ): Promise<Trade[] | null> {
    const assets = await em.execute<{ asset: string }[]>(
      `with recursive a (asset) as (
         (select asset from trades where bot_id = ?::bigint order by asset limit 1)
         union all
         select n.asset from a cross join lateral (
           select t.asset from trades t where t.bot_id = ?::bigint and t.asset > a.asset order by t.asset limit 1
         ) n
       )
       select asset from a limit ?`,
      [botId, botId, BOT_ASSETS_MAX + 1],
    );
    if (assets.length > BOT_ASSETS_MAX) return null;
    if (assets.length === 0) return [];
    const where = conditions.map((c) => c.sql).join(' and ');
    const rows = await em.execute<Record<string, unknown>[]>(
      `select t.* from jsonb_array_elements_text(?::jsonb) as a (asset) cross join lateral (
         select * from trades t where t.asset = a.asset and ${where} order by t.id ${order} limit ?
       ) t
       order by t.id ${order} limit ?`,
      [JSON.stringify(assets.map((row) => row.asset)), ...conditions.flatMap((c) => c.values), limit, limit],
    );
    return rows.map((row) => em.map(Trade, row));
  }
}

interface Condition {
  sql: string;
  values: unknown[];
}

/** The trade page's filters as SQL over `trades t`, the same for every way the page is read. */
function tradeConditions(query: TradeQueryDto): Condition[] {
  const conditions: Condition[] = [];
  const equal = (column: string, value: string | number | undefined, cast = 'text') => {
    if (value !== undefined && value !== '')
      conditions.push({ sql: `t.${column} = ?::${cast}`, values: [value] });
  };
  if (query.runId) equal('run_id', query.runId, 'bigint');
  if (query.botId) equal('bot_id', query.botId, 'bigint');
  equal('asset', query.asset);
  equal('window_duration', query.window);
  equal('side', query.side);
  equal('outcome', query.outcome);
  equal('status', query.status);
  equal('strategy', query.strategy);
  if (query.from)
    conditions.push({ sql: 't.created_at >= ?::timestamptz', values: [new Date(query.from).toISOString()] });
  if (query.to)
    conditions.push({ sql: 't.created_at < ?::timestamptz', values: [new Date(query.to).toISOString()] });
  return conditions;
}

function encodeCursor(query: TradeQueryDto, trade: Trade): string {
  const sort = query.sort ?? 'id';
  const value = sort === 'id' ? null : (trade as unknown as Record<string, string | number>)[sort];
  return encodeTradeCursor(value, Number(trade.id));
}

function decodeCursor(cursor: string, sort: TradeSort): TradeCursor {
  // The query DTO already refused a cursor that does not fit its sort; this guards other callers.
  const decoded = decodeTradeCursor(cursor, sort);
  if (decoded) return decoded;
  throw new BadInputError(
    'cursor is not valid for this query: pass the nextCursor of the previous page unchanged.',
    [{ field: 'cursor', message: 'cursor is not a cursor of this query' }],
  );
}

export function toTradeView(trade: Trade): TradeView {
  return {
    id: Number(trade.id),
    runId: Number(trade.runId),
    botId: trade.botId === null ? null : Number(trade.botId),
    cycle: trade.cycle,
    asset: trade.asset,
    windowDuration: trade.windowDuration,
    side: trade.side,
    outcome: trade.outcome,
    price: normalDecimal(trade.price) ?? '0',
    size: normalDecimal(trade.size) ?? '0',
    strategy: trade.strategy,
    conditionId: trade.conditionId,
    tokenId: trade.tokenId,
    status: trade.status,
    fillPrice: normalDecimal(trade.fillPrice),
    fillSize: normalDecimal(trade.fillSize),
    fillTimestamp: trade.fillTimestamp,
    resolvedOutcome: trade.resolvedOutcome,
    pnl: normalDecimal(trade.pnl),
    extra: trade.extra,
    createdAt: new Date(trade.createdAt).toISOString(),
    updatedAt: new Date(trade.updatedAt).toISOString(),
  };
}

/** A run_trade_stats-shaped row (counts as bigint text, sums as numeric text) as RunTradeStats. */
function toRunTradeStats(row: {
  trades: string;
  filled: string;
  cancelled: string;
  failed: string;
  pnl: string;
  filled_notional: string;
  wins: string;
  losses: string;
  gross_loss: string;
  avg_size: string | null;
}): RunTradeStats {
  return {
    total: Number(row.trades),
    filled: Number(row.filled),
    cancelled: Number(row.cancelled),
    failed: Number(row.failed),
    pnl: normalDecimal(row.pnl),
    filledNotional: normalDecimal(row.filled_notional),
    wins: Number(row.wins),
    losses: Number(row.losses),
    avgSize: row.avg_size,
    grossLoss: normalDecimal(row.gross_loss),
  };
}

function tradeNotFound(tradeId: number): NotFoundError {
  return new NotFoundError(
    `Trade ${tradeId} does not exist. Use the tradeId returned by POST /api/bot/trade.`,
  );
}

/**
 * The months a trade being updated is almost always in: from the first of last month to the first
 * of the month after next (UTC), as ISO strings. `trades` is partitioned by month of `created_at`
 * and a trade/update names only the id, so an UPDATE by id alone is planned over every partition
 * (about 2× the time of the same UPDATE on an unpartitioned table at 18 partitions, and growing with
 * them). Bounded by these literal times the plan holds three partitions; a trade outside them (an
 * old trade, a 404) costs a further, unbounded statement. The grouped updates try this month's
 * partition itself before these months (applyUpdates).
 */
export function recentTradeMonths(now = new Date()): [string, string] {
  const month = (offset: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString();
  return [month(-1), month(2)];
}
