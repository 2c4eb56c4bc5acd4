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

/** The group key read from a pnl_daily or pnl_hourly row `h` (bot 0: trades logged without a bot) and from a trade `t`. */
const GROUP_COLUMNS: Record<PnlGroup, { rollup: string; trades: string }> = {
  fleet: { rollup: "''", trades: "''" },
  bot: {
    rollup: "case when h.bot_id = 0 then '' else h.bot_id::text end",
    trades: "coalesce(t.bot_id::text, '')",
  },
  asset: { rollup: 'h.asset', trades: 't.asset' },
  window: { rollup: 'h.window_duration', trades: 't.window_duration' },
};

/** The part of the calendar summed from the trades of the hours a bucket or the range cuts. */
function cutHours(groupBy: PnlGroup): string {
  return `union all
           select date_trunc($1, x.created_at at time zone $2), x.key, sum(x.pnl), count(*),
                  count(*) filter (where x.pnl > 0), count(*) filter (where x.pnl < 0)
             from bounds b, hours hs
             cross join lateral (
               select t.created_at, ${GROUP_COLUMNS[groupBy].trades} as key, t.pnl
                 from trades t
                where t.created_at >= greatest(hs.hour, b.lo) and t.created_at < least(hs.hour + interval '1 hour', b.hi)
                  and t.pnl is not null and ($5::bigint is null or t.bot_id = $5::bigint)
               offset 0) x
            where hs.cut
            group by 1, 2`;
}

/**
 * The part of the calendar still in the P&L journal (changes the pnl-fold job has not moved into the
 * rollups yet), each row in the bucket of its trade's time; the hours read from the trades themselves
 * (cut) are left out, since those trades are already counted.
 */
function journalPart(groupBy: PnlGroup, cut: boolean): string {
  return `union all
           select date_trunc($1, h.created_at at time zone $2), ${GROUP_COLUMNS[groupBy].rollup},
                  sum(h.pnl), sum(h.trades), sum(h.wins), sum(h.losses)
             from bounds b, pnl_journal h
            where h.created_at >= b.lo and h.created_at < b.hi and ($5::bigint is null or h.bot_id = $5::bigint)
              ${cut ? `and not exists (select 1 from hours hs where hs.cut and h.created_at >= hs.hour and h.created_at < hs.hour + interval '1 hour')` : ''}
            group by 1, 2`;
}

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
 * Realised P&L over time (the calendar, from the daily and hourly rollups pnl_daily and pnl_hourly
 * and, for the hours a bucket cuts, the trades) and the open positions (exposure), read from the trades.
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
    // Three grains, coarsest first: the range's whole UTC days that fall inside one bucket come from
    // pnl_daily; the other days' whole hours inside one bucket from pnl_hourly (both fed by the
    // trades' triggers through pnl_journal, whose rows not yet folded in are added); the hours a
    // bucket or the range cuts (a half-hour time zone, a range end) from the trades of that hour
    // alone (a lateral read per hour, by the created_at index). Only the days not read whole are
    // split into hours. The session runs in UTC (UnitOfWork): a day is 24 h.
    const grains = `with bounds as (
           select ($3::date::timestamp at time zone $2) as lo, (($4::date + 1)::timestamp at time zone $2) as hi
         ), span as materialized (
           select d as day,
                  (d >= b.lo and d + interval '1 day' <= b.hi
                   and date_trunc($1, d at time zone $2) = date_trunc($1, (d + interval '1 day' - interval '1 microsecond') at time zone $2)) as whole
             from bounds b, generate_series(date_trunc('day', b.lo, 'UTC'), b.hi - interval '1 microsecond', interval '1 day') d
         ), days as materialized (
           select day, date_trunc($1, day at time zone $2) as bucket from span where whole
         ), hours as materialized (
           select g as hour, date_trunc($1, g at time zone $2) as bucket,
                  (g < b.lo or g + interval '1 hour' > b.hi
                   or date_trunc($1, g at time zone $2) <> date_trunc($1, (g + interval '1 hour' - interval '1 microsecond') at time zone $2)) as cut
             from bounds b, span s, generate_series(s.day, s.day + interval '23 hours', interval '1 hour') g
            where not s.whole and g < b.hi and g + interval '1 hour' > b.lo
         )`;
    const rows = await this.uow.sql(async (sql) => {
      // The read of cut hours is planned over every partition of trades: only asked when there are any
      // (never in a zone whose offset is whole hours, such as UTC or Europe/Berlin).
      const [{ cut }] = await sql.query<{ cut: boolean }>(
        `${grains} select exists (select 1 from hours where cut) as cut`,
        [period, timeZone, from, to],
      );
      return sql.query<{
        start: string | null;
        key: string | null;
        pnl: string;
        trades: string;
        wins: string;
        losses: string;
        by_start: number;
        by_key: number;
      }>(
        `${grains}, parts as (
           select ds.bucket, ${GROUP_COLUMNS[groupBy].rollup} as key,
                  sum(h.pnl) as pnl, sum(h.trades) as trades, sum(h.wins) as wins, sum(h.losses) as losses
             from bounds b, days ds join pnl_daily h on h.day = ds.day
            where h.day >= b.lo and h.day < b.hi and ($5::bigint is null or h.bot_id = $5::bigint)
            group by 1, 2
           union all
           select hs.bucket, ${GROUP_COLUMNS[groupBy].rollup},
                  sum(h.pnl), sum(h.trades), sum(h.wins), sum(h.losses)
             from bounds b, hours hs join pnl_hourly h on h.hour = hs.hour
            where not hs.cut and h.hour >= b.lo and h.hour < b.hi and ($5::bigint is null or h.bot_id = $5::bigint)
            group by 1, 2
           ${cut ? cutHours(groupBy) : ''}
           ${journalPart(groupBy, cut)}
         )
         select to_char(bucket, 'YYYY-MM-DD') as start, key, coalesce(sum(pnl), 0)::text as pnl, coalesce(sum(trades), 0) as trades,
                coalesce(sum(wins), 0) as wins, coalesce(sum(losses), 0) as losses, grouping(bucket) as by_start, grouping(key) as by_key
           from parts
          group by grouping sets ((bucket, key), (key), ())
         having coalesce(sum(trades), 0) > 0 or grouping(bucket) + grouping(key) = 2
          order by bucket nulls last, key nulls last`,
        [period, timeZone, from, to, query.botId ?? null],
      );
    });
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

  /**
   * Realised P&L of each bot since each of these instants (exact sums): the whole hours after an instant
   * from pnl_hourly and the journal not yet folded into it, the part of the hour it falls in from that
   * hour's trades.
   */
  async realisedSince(since: Record<string, Date>): Promise<Map<number, Record<string, string>>> {
    const names = Object.keys(since);
    const instants = JSON.stringify(names.map((n) => since[n].toISOString()));
    const rows = await this.uow.sql((sql) =>
      sql.query<{ bot_id: string; i: number; pnl: string }>(
        `with since as (
           select (s.ord - 1)::int as i, s.at::timestamptz as at,
                  date_trunc('hour', s.at::timestamptz, 'UTC') + case when date_trunc('hour', s.at::timestamptz, 'UTC') = s.at::timestamptz
                    then interval '0' else interval '1 hour' end as whole
             from jsonb_array_elements_text($1::jsonb) with ordinality s(at, ord)
         )
         select bot_id, i, sum(pnl)::text as pnl
           from (select h.bot_id, s.i, h.pnl from since s join pnl_hourly h on h.hour >= s.whole where h.bot_id <> 0
                 union all
                 select j.bot_id, s.i, j.pnl from since s join pnl_journal j on j.created_at >= s.whole where j.bot_id <> 0
                 union all
                 select t.bot_id, s.i, t.pnl from since s
                   join trades t on t.created_at >= s.at and t.created_at < s.whole
                  where t.pnl is not null and t.bot_id is not null) x
          group by bot_id, i`,
        [instants],
      ),
    );
    const result = new Map<number, Record<string, string>>();
    for (const row of rows) {
      const botId = Number(row.bot_id);
      const figures = result.get(botId) ?? Object.fromEntries(names.map((n) => [n, '0']));
      figures[names[row.i]] = exact(row.pnl);
      result.set(botId, figures);
    }
    return result;
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
