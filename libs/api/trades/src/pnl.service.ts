import { Injectable } from '@nestjs/common';
import { BadInputError, toDecimalString, UnitOfWork } from '@polymaker/api/core';
import type {
  PnlBucketView,
  PnlCalendarQueryDto,
  PnlCalendarView,
  PnlGroup,
  PnlPeriod,
  PnlTotalView,
} from './dto/pnl.dto';

/** The longest range each period may cover (days), so a request's cost stays bounded by its range. */
export const PNL_MAX_DAYS: Record<PnlPeriod, number> = { day: 400, week: 5 * 366, month: 10 * 366 };
/** The range shown when none is asked for. */
const DEFAULT_BUCKETS: Record<PnlPeriod, number> = { day: 35, week: 26, month: 12 };
/** Unresolved fills older than this are not "exposure now" (every window the bots trade is shorter). */
const OPEN_POSITION_MAX_AGE_HOURS = 48;

const GROUP_COLUMNS: Record<PnlGroup, string> = {
  fleet: "''",
  bot: "coalesce(t.bot_id::text, '')",
  asset: 't.asset',
  window: 't.window_duration',
};

/** A bot's filled, unresolved position in one market window. */
export interface OpenPosition {
  botId: number | null;
  /** The condition id, else the token id, else `asset/window` (a window the bot did not name). */
  market: string;
  conditionId: string | null;
  tokenIds: string[];
  asset: string;
  window: string;
  /** Net shares bought (buys minus sells) and their cost, per outcome (Up / Down / …). */
  outcomes: { outcome: string; size: string; cost: string; fills: number }[];
  firstFillAt: string;
  lastFillAt: string;
}

/**
 * Realised P&L over time (the calendar) and the open positions (exposure), read from the trades.
 * A trade counts in the bucket of the time it was logged (its window resolves within hours).
 */
@Injectable()
export class PnlService {
  private zones: Promise<Set<string>> | null = null;

  constructor(private readonly uow: UnitOfWork) {}

  async calendar(query: PnlCalendarQueryDto): Promise<PnlCalendarView> {
    const period = query.period ?? 'day';
    const groupBy = query.groupBy ?? 'fleet';
    const timeZone = await this.checkZone(query.timeZone ?? 'UTC');
    const to = query.to ? checkDate('to', query.to) : today(timeZone);
    const from = query.from ? checkDate('from', query.from) : defaultFrom(period, to);
    const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
    if (days < 1)
      throw new BadInputError(`from (${from}) is after to (${to}).`, [
        { field: 'from', message: 'must not be after to' },
      ]);
    if (days > PNL_MAX_DAYS[period]) {
      throw new BadInputError(
        `A ${period} calendar covers at most ${PNL_MAX_DAYS[period]} days (asked ${days}); narrow from/to or use a longer period.`,
        [{ field: 'from', message: `range longer than ${PNL_MAX_DAYS[period]} days` }],
      );
    }
    const rows = await this.uow.sql((sql) =>
      sql.query<{
        start: string | null;
        key: string | null;
        pnl: string;
        trades: string;
        wins: string;
        losses: string;
        by_start: number;
        by_key: number;
      }>(
        `select start, key, coalesce(sum(pnl), 0)::text as pnl, count(*) as trades, count(*) filter (where pnl > 0) as wins,
                count(*) filter (where pnl < 0) as losses, grouping(start) as by_start, grouping(key) as by_key
           from (select to_char(date_trunc($1, t.created_at at time zone $2), 'YYYY-MM-DD') as start, ${GROUP_COLUMNS[groupBy]} as key, t.pnl
                   from trades t
                  where t.pnl is not null
                    and t.created_at >= ($3::date::timestamp at time zone $2)
                    and t.created_at < (($4::date + 1)::timestamp at time zone $2)
                    and ($5::bigint is null or t.bot_id = $5::bigint)) x
          group by grouping sets ((start, key), (key), ())
          order by start nulls last, key nulls last`,
        [period, timeZone, from, to, query.botId ?? null],
      ),
    );
    const buckets: PnlBucketView[] = [];
    const totals: PnlTotalView[] = [];
    let total = '0';
    let trades = 0;
    for (const row of rows) {
      const pnl = exact(row.pnl);
      if (row.by_start === 0) {
        buckets.push({
          start: row.start ?? '',
          key: row.key ?? '',
          pnl,
          trades: Number(row.trades),
          wins: Number(row.wins),
          losses: Number(row.losses),
        });
      } else if (row.by_key === 0) totals.push({ key: row.key ?? '', pnl, trades: Number(row.trades) });
      else {
        total = pnl;
        trades = Number(row.trades);
      }
    }
    return { period, groupBy, timeZone, from, to, buckets, totals, total, trades };
  }

  /**
   * Filled trades not yet resolved (no P&L, no resolved outcome) of the last 48 hours, netted per bot,
   * market window and outcome: what the bots hold now.
   */
  async openPositions(botId: number | null = null): Promise<OpenPosition[]> {
    const rows = await this.uow.sql((sql) =>
      sql.query<{
        bot_id: string | null;
        market: string;
        condition_id: string | null;
        token_ids: string[];
        asset: string;
        window: string;
        outcome: string;
        size: string;
        cost: string;
        fills: string;
        first_at: Date;
        last_at: Date;
      }>(
        `select t.bot_id, coalesce(t.condition_id, t.token_id, t.asset || '/' || t.window_duration) as market,
                min(t.condition_id) as condition_id, array_remove(array_agg(distinct t.token_id), null) as token_ids,
                min(t.asset) as asset, min(t.window_duration) as window, t.outcome,
                sum(case when lower(t.side) = 'sell' then -1 else 1 end * coalesce(t.fill_size, t.size))::text as size,
                sum(case when lower(t.side) = 'sell' then -1 else 1 end * coalesce(t.fill_size, t.size) * coalesce(t.fill_price, t.price))::text as cost,
                count(*) as fills, min(t.created_at) as first_at, max(t.created_at) as last_at
           from trades t
          where t.status = 'filled' and t.pnl is null and t.resolved_outcome is null
            and t.created_at >= now() - make_interval(hours => $1)
            and ($2::bigint is null or t.bot_id = $2::bigint)
          group by t.bot_id, 2, t.outcome
          order by t.bot_id, 2, t.outcome`,
        [OPEN_POSITION_MAX_AGE_HOURS, botId],
      ),
    );
    const positions = new Map<string, OpenPosition>();
    for (const row of rows) {
      const id = `${row.bot_id ?? ''}|${row.market}`;
      let position = positions.get(id);
      if (!position) {
        position = {
          botId: row.bot_id === null ? null : Number(row.bot_id),
          market: row.market,
          conditionId: row.condition_id,
          tokenIds: [],
          asset: row.asset,
          window: row.window,
          outcomes: [],
          firstFillAt: new Date(row.first_at).toISOString(),
          lastFillAt: new Date(row.last_at).toISOString(),
        };
        positions.set(id, position);
      }
      for (const token of row.token_ids)
        if (!position.tokenIds.includes(token)) position.tokenIds.push(token);
      position.outcomes.push({
        outcome: row.outcome,
        size: exact(row.size),
        cost: exact(row.cost),
        fills: Number(row.fills),
      });
      const first = new Date(row.first_at).toISOString();
      const last = new Date(row.last_at).toISOString();
      if (first < position.firstFillAt) position.firstFillAt = first;
      if (last > position.lastFillAt) position.lastFillAt = last;
    }
    return [...positions.values()];
  }

  /** Realised P&L of each bot since each of these instants (exact sums), in one scan of the newest trades. */
  async realisedSince(since: Record<string, Date>): Promise<Map<number, Record<string, string>>> {
    const names = Object.keys(since);
    const earliest = Math.min(...names.map((n) => since[n].getTime()));
    const rows = await this.uow.sql((sql) =>
      sql.query<Record<string, string | null> & { bot_id: string }>(
        `select t.bot_id, ${names.map((_, i) => `coalesce(sum(t.pnl) filter (where t.created_at >= $${i + 2}::timestamptz), 0)::text as p${i}`).join(', ')}
           from trades t
          where t.pnl is not null and t.bot_id is not null and t.created_at >= $1::timestamptz
          group by t.bot_id`,
        [new Date(earliest).toISOString(), ...names.map((n) => since[n].toISOString())],
      ),
    );
    return new Map(
      rows.map((row) => [
        Number(row.bot_id),
        Object.fromEntries(names.map((n, i) => [n, exact(row[`p${i}`] ?? '0')])),
      ]),
    );
  }

  /** Refuses a time zone PostgreSQL or this process does not know (read once from pg_timezone_names). */
  private async checkZone(zone: string): Promise<string> {
    this.zones ??= this.uow
      .sql((sql) => sql.query<{ name: string }>('select name from pg_timezone_names'))
      .then((rows) => new Set(rows.map((r) => r.name)));
    this.zones.catch(() => (this.zones = null));
    const known = await this.zones;
    let intl = true;
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      intl = false;
    }
    if (!known.has(zone) || !intl) {
      throw new BadInputError(
        `Unknown time zone "${zone}": give an IANA name such as UTC, Europe/Berlin or America/New_York.`,
        [{ field: 'timeZone', message: 'unknown time zone' }],
      );
    }
    return zone;
  }
}

/** A real calendar date between 2000 and 2999 given as YYYY-MM-DD. */
function checkDate(field: string, value: string): string {
  const at = Date.parse(`${value}T00:00:00Z`);
  if (
    !Number.isFinite(at) ||
    new Date(at).toISOString().slice(0, 10) !== value ||
    value < '2000-01-01' ||
    value > '2999-12-31'
  ) {
    throw new BadInputError(`${field} "${value}" is not a calendar date between 2000-01-01 and 2999-12-31.`, [
      { field, message: 'not a calendar date' },
    ]);
  }
  return value;
}

/** Today's date in a time zone, YYYY-MM-DD. */
function today(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

function defaultFrom(period: PnlPeriod, to: string): string {
  const end = new Date(`${to}T00:00:00Z`);
  if (period === 'day') end.setUTCDate(end.getUTCDate() - (DEFAULT_BUCKETS.day - 1));
  else if (period === 'week') {
    // back to Monday, then the weeks before it
    end.setUTCDate(end.getUTCDate() - ((end.getUTCDay() + 6) % 7) - 7 * (DEFAULT_BUCKETS.week - 1));
  } else {
    end.setUTCDate(1);
    end.setUTCMonth(end.getUTCMonth() - (DEFAULT_BUCKETS.month - 1));
  }
  return end.toISOString().slice(0, 10);
}

function exact(value: string): string {
  return toDecimalString(value) ?? value;
}
