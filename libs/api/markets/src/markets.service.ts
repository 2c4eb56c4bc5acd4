import { Injectable } from '@nestjs/common';
import { BadInputError, MarketsReportedEvent, PayloadReader, Sql, UnitOfWork } from '@polymaker/api/core';
import { MARKET_PAGE_DEFAULT, MarketListView, MarketQueryDto, MarketView } from './dto/market.dto';
import { TokenActivity, TradesService } from '@polymaker/api/trades';

export interface ReportedMarket {
  tokenId: string;
  tokenIdDown: string | null;
  asset: string;
  window: string;
  windowId: string | null;
  conditionId: string | null;
  expiresAt: Date | null;
}

export function readReportedMarket(reader: PayloadReader): ReportedMarket {
  return {
    tokenId: reader.string('tokenId', { required: true, maxLength: 200 }),
    tokenIdDown: reader.string('tokenIdDown', { maxLength: 200 }),
    asset: reader.string('asset', { required: true, maxLength: 40 }),
    window: reader.string('window', { required: true, maxLength: 20 }),
    windowId: reader.string('windowId', { maxLength: 200 }),
    conditionId: reader.string('conditionId', { maxLength: 200 }),
    expiresAt: reader.timestamp('expiresAt'),
  };
}

/** Who reported: the bot (its rows are its own) and the key it used. */
export interface MarketReporter {
  botId: number;
  apiKeyId: number;
}

interface MarketRow {
  id: string;
  token_id: string;
  token_id_down: string | null;
  asset: string;
  window: string;
  window_id: string | null;
  condition_id: string | null;
  expires_at: Date | null;
  first_reported_at: Date;
  last_reported_at: Date;
  report_count: string | number;
  bot_count: string;
  bot_ids: string[] | null;
  expired: boolean;
}

/** Where a watchlist page ends: its last market's sort key (expired, expiry or null, id) and the time of the first page. */
type MarketCursor = [boolean, string | null, number, string];

/** The asset filter's choices: at most this many. */
const MARKET_ASSETS_MAX = 100;

@Injectable()
export class MarketsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly trades: TradesService,
  ) {}

  /**
   * When the market windows with these condition ids or token ids (Up or Down) expire, as the bots
   * reported it: keyed by condition id and by token id (null: reported without an expiry).
   */
  async expiryOf(conditionIds: string[], tokenIds: string[]): Promise<Map<string, Date | null>> {
    if (conditionIds.length === 0 && tokenIds.length === 0) return new Map();
    const rows = await this.uow.sql((sql) =>
      sql.query<{
        condition_id: string | null;
        token_id: string;
        token_id_down: string | null;
        expires_at: Date | null;
      }>(
        `select condition_id, token_id, token_id_down, expires_at from markets
          where condition_id = any($1::text[]) or token_id = any($2::text[]) or token_id_down = any($2::text[])`,
        [conditionIds, tokenIds],
      ),
    );
    const expiry = new Map<string, Date | null>();
    for (const row of rows) {
      const at = row.expires_at === null ? null : new Date(row.expires_at);
      for (const key of [row.condition_id, row.token_id, row.token_id_down])
        if (key !== null && !expiry.has(key)) expiry.set(key, at);
    }
    return expiry;
  }

  /**
   * Records the report and upserts each market in the reporting bot's own rows (one statement), in
   * the caller's transaction. Another bot's rows for the same tokens are left as that bot reported them.
   */
  async report(
    sql: Sql,
    reporter: MarketReporter,
    markets: ReportedMarket[],
    raw: unknown[],
  ): Promise<number> {
    const { botId, apiKeyId } = reporter;
    // The last report of a token in one call wins; duplicates would make the upsert fail.
    const unique = [...new Map(markets.map((market) => [market.tokenId, market])).values()];
    const rows = unique.map((m) => ({
      token_id: m.tokenId,
      token_id_down: m.tokenIdDown,
      asset: m.asset,
      window: m.window,
      window_id: m.windowId,
      condition_id: m.conditionId,
      expires_at: m.expiresAt?.toISOString() ?? null,
    }));
    // One statement: the report as sent, and the upsert of each market in the reporting bot's own rows.
    const [report] = await sql.query<{ id: string }>(
      `with report as (
         insert into market_reports (api_key_id, market_count, markets) values ($1, $2, $3::jsonb) returning id
       ), upserted as (
         insert into markets (token_id, bot_id, token_id_down, asset, "window", window_id, condition_id, expires_at, last_api_key_id,
           first_reported_at, last_reported_at, report_count)
         select token_id, $5::bigint, token_id_down, asset, "window", window_id, condition_id, expires_at, $1::bigint, now(), now(), 1
           from jsonb_to_recordset($4::jsonb) as x(token_id text, token_id_down text, asset text, "window" text, window_id text,
                condition_id text, expires_at timestamptz)
         on conflict (token_id, bot_id) do update set
           token_id_down = coalesce(excluded.token_id_down, markets.token_id_down),
           asset = excluded.asset,
           "window" = excluded."window",
           window_id = coalesce(excluded.window_id, markets.window_id),
           condition_id = coalesce(excluded.condition_id, markets.condition_id),
           expires_at = coalesce(excluded.expires_at, markets.expires_at),
           last_api_key_id = excluded.last_api_key_id,
           last_reported_at = now(),
           report_count = markets.report_count + 1
       )
       select id from report`,
      [apiKeyId, markets.length, JSON.stringify(raw), JSON.stringify(rows), botId],
    );
    this.uow.publish(
      new MarketsReportedEvent(
        Number(report.id),
        apiKeyId,
        unique.map((m) => m.tokenId),
      ),
    );
    return unique.length;
  }

  /**
   * The watchlist: one row per market (token) across the bots that report it, showing the values of
   * its first report (a later bot cannot rewrite what the first one reported; `botId` shows one bot's
   * own values). Live markets first, soonest expiry first (no expiry last); with `includeExpired`
   * the expired ones follow, most recently expired first. Expired means `expiresAt` at or before the
   * time of the first page, which the cursor carries, so a market that expires while an admin pages
   * keeps its place and is listed exactly once. `asset` (exact) and `search` (asset or slug contains,
   * case-insensitive, wildcards escaped) narrow it. Cost: the markets the filter shows (the live ones
   * by default, through the expiry index; the search through a trigram index where pg_trgm exists).
   */
  async watchlist(query: MarketQueryDto = {}): Promise<MarketListView> {
    const includeExpired = query.includeExpired === 'true';
    const botId = query.botId ?? null;
    const limit = query.limit ?? MARKET_PAGE_DEFAULT;
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const asOf = after ? after[3] : new Date().toISOString();
    const pattern =
      query.search === undefined || query.search === '' ? null : `%${escapeLike(query.search)}%`;
    const asset = query.asset === undefined || query.asset === '' ? null : query.asset;
    // $1 include expired, $2 as of, $3 bot, $4 search pattern, $5 asset; the same rule on any row of a
    // token (candidates, through the indexes) and on the first report shown for it.
    const shownRule = (
      m: string,
    ) => `($1::boolean or ${m}.expires_at is null or ${m}.expires_at > $2::timestamptz)
         and ($4::text is null or (${m}.asset || ' ' || coalesce(${m}.window_id, '')) ilike $4::text escape '!')
         and ($5::text is null or ${m}.asset = $5::text)`;
    const shown = `candidates as (
         select distinct token_id from markets c
          where ($3::bigint is null or c.bot_id = $3::bigint) and ${shownRule('c')}
       ), firsts as (
         select distinct on (m.token_id) m.id, m.token_id, m.token_id_down, m.asset, m."window", m.window_id,
                m.condition_id, m.expires_at
           from markets m
          where m.token_id in (select token_id from candidates) and ($3::bigint is null or m.bot_id = $3::bigint)
          order by m.token_id, m.id
       ), shown as (
         select f.*, (f.expires_at is not null and f.expires_at <= $2::timestamptz) as expired
           from firsts f where ${shownRule('f')}
       )`;
    const common = [includeExpired, asOf, botId, pattern, asset];
    const [rows, totals, assets] = await this.uow.sql((sql) =>
      sql.batch([
        {
          // $6 cursor given, $7 its group (expired), $8 its expiry (null: none), $9 its id, $10 limit
          text: `with ${shown}, page as (
             select * from shown
              where not $6::boolean
                 or (not $7::boolean and (expired
                      or (coalesce(expires_at, 'infinity'::timestamptz), id) > (coalesce($8::timestamptz, 'infinity'::timestamptz), $9::bigint)))
                 or ($7::boolean and expired and (expires_at < $8::timestamptz or (expires_at = $8::timestamptz and id > $9::bigint)))
              order by expired, case when not expired then coalesce(expires_at, 'infinity'::timestamptz) end, expires_at desc, id
              limit $10
           )
           select p.*, s.first_reported_at, s.last_reported_at, s.report_count, s.bot_count, s.bot_ids
             from page p
             join lateral (
               select min(first_reported_at) as first_reported_at, max(last_reported_at) as last_reported_at,
                      sum(report_count) as report_count, count(bot_id) as bot_count,
                      array_agg(bot_id order by bot_id) filter (where bot_id is not null) as bot_ids
                 from markets r where r.token_id = p.token_id and ($3::bigint is null or r.bot_id = $3::bigint)
             ) s on true
            order by p.expired, case when not p.expired then coalesce(p.expires_at, 'infinity'::timestamptz) end, p.expires_at desc, p.id`,
          values: [
            ...common,
            after !== null,
            after?.[0] ?? false,
            after?.[1] ?? null,
            after?.[2] ?? 0,
            limit + 1, // one more than asked: tells whether there is a next page
          ],
        },
        { text: `with ${shown} select count(*) as total from shown`, values: common },
        // The asset filter's choices: the assets of the markets this filter shows without its asset
        // and search, by a loose index scan of markets (asset, expires_at): one descent per asset
        // and one probe for a shown market of it, whatever the number of markets.
        {
          text: `with recursive assets (asset) as (
             (select asset from markets order by asset limit 1)
             union all
             select (select m.asset from markets m where m.asset > a.asset order by m.asset limit 1)
               from assets a where a.asset is not null
           )
           select asset from assets a
            where a.asset is not null
              and exists (select 1 from markets m where m.asset = a.asset
                            and ($1::boolean or m.expires_at is null or m.expires_at > $2::timestamptz)
                            and ($3::bigint is null or m.bot_id = $3::bigint))
            limit ${MARKET_ASSETS_MAX}`,
          values: [includeExpired, asOf, botId],
        },
      ]),
    );
    const now = Date.now();
    const all = rows as MarketRow[];
    const pageRows = all.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    // Trade activity is the trades module's: asked for the page's tokens (both outcomes of a market).
    const tokens = pageRows.flatMap((row) =>
      row.token_id_down ? [row.token_id, row.token_id_down] : [row.token_id],
    );
    const activity = await this.trades.activityByToken(tokens, botId);
    return {
      items: pageRows.map((row) =>
        toMarketView(row, now, [
          activity.get(row.token_id),
          row.token_id_down ? activity.get(row.token_id_down) : undefined,
        ]),
      ),
      assets: (assets as { asset: string }[])
        .map((row) => row.asset)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      total: Number((totals as { total: string }[])[0]?.total ?? 0),
      nextCursor: all.length > limit && last ? encodeCursor(last, asOf) : null,
    };
  }
}

/** `%`, `_` and the escape character itself match only themselves in the LIKE pattern (escape '!'). */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

function toMarketView(row: MarketRow, now: number, activity: (TokenActivity | undefined)[]): MarketView {
  const seen = activity.filter((a): a is TokenActivity => a !== undefined);
  const lastTradeAt = seen.reduce<Date | null>(
    (latest, a) => (latest === null || a.lastTradeAt > latest ? a.lastTradeAt : latest),
    null,
  );
  return {
    id: Number(row.id),
    asset: row.asset,
    window: row.window,
    windowId: row.window_id,
    tokenId: row.token_id,
    tokenIdDown: row.token_id_down,
    conditionId: row.condition_id,
    expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    secondsToExpiry: row.expires_at ? Math.round((new Date(row.expires_at).getTime() - now) / 1000) : null,
    firstReportedAt: new Date(row.first_reported_at).toISOString(),
    lastReportedAt: new Date(row.last_reported_at).toISOString(),
    reportCount: Number(row.report_count),
    botCount: Number(row.bot_count),
    botIds: (row.bot_ids ?? []).map(Number),
    tradeCount: seen.reduce((sum, a) => sum + a.tradeCount, 0),
    lastTradeAt: lastTradeAt ? lastTradeAt.toISOString() : null,
  };
}

function encodeCursor(row: MarketRow, asOf: string): string {
  const cursor: MarketCursor = [
    row.expired,
    row.expires_at ? new Date(row.expires_at).toISOString() : null,
    Number(row.id),
    asOf,
  ];
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function isoRoundTrips(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 40) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

function decodeCursor(cursor: string): MarketCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 4) {
      const [expired, expiresAt, id, asOf] = parsed as unknown[];
      // Exactly what encodeCursor writes: instants as toISOString() prints them (or null: no expiry).
      const expiry = expiresAt === null || isoRoundTrips(expiresAt);
      // an expired market has an expiry
      if (
        typeof expired === 'boolean' &&
        expiry &&
        !(expired && expiresAt === null) &&
        Number.isSafeInteger(id) &&
        (id as number) > 0 &&
        isoRoundTrips(asOf)
      ) {
        return [expired, expiresAt as string | null, id as number, asOf];
      }
    }
  } catch {
    // reported below
  }
  throw new BadInputError(
    'cursor is not valid for this query: pass the nextCursor of the previous page unchanged.',
    [{ field: 'cursor', message: 'must be the nextCursor of the previous page' }],
  );
}
