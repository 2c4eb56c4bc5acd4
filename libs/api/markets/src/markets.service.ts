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
}

/** Where a watchlist page ends: the sort key of its last market (asset, window, expiry or null, id). */
type MarketCursor = [string, string, string | null, number];

@Injectable()
export class MarketsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly trades: TradesService,
  ) {}

  /**
   * Records the report and upserts each market in the reporting bot's own rows (one statement), in
   * the caller's transaction. Another bot's rows for the same tokens are left as that bot reported them.
   */
  async report(sql: Sql, reporter: MarketReporter, markets: ReportedMarket[], raw: unknown[]): Promise<number> {
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
    this.uow.publish(new MarketsReportedEvent(Number(report.id), apiKeyId, unique.map((m) => m.tokenId)));
    return unique.length;
  }

  /**
   * The watchlist: one row per market (token) across the bots that report it, showing the values of
   * its first report (a later bot cannot rewrite what the first one reported; `botId` shows one bot's
   * own values). Markets not long expired or still being reported, by asset and window, soonest expiry
   * first, in keyset pages: a market whose sort key does not change is listed exactly once.
   */
  async watchlist(query: MarketQueryDto = {}): Promise<MarketListView> {
    const includeExpired = query.includeExpired === 'true';
    const botId = query.botId ?? null;
    const limit = query.limit ?? MARKET_PAGE_DEFAULT;
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const shown = `select token_id from markets
        where (?::boolean or expires_at is null or expires_at > now() - interval '15 minutes'
               or last_reported_at > now() - interval '15 minutes')
          and (?::bigint is null or bot_id = ?::bigint)`;
    const shownParams = [includeExpired, botId, botId];
    const [rows, [{ total }]] = await this.uow.read((em) =>
      Promise.all([
        em.execute<MarketRow[]>(
          `with firsts as (
             select distinct on (m.token_id) m.id, m.token_id, m.token_id_down, m.asset, m."window", m.window_id,
                    m.condition_id, m.expires_at
               from markets m
              where m.token_id in (${shown}) and (?::bigint is null or m.bot_id = ?::bigint)
              order by m.token_id, m.id
           ), page as (
             select * from firsts
              where ?::text is null
                 or (asset, "window", coalesce(expires_at, 'infinity'::timestamptz), id)
                    > (?::text, ?::text, ?::timestamptz, ?::bigint)
              order by asset, "window", coalesce(expires_at, 'infinity'::timestamptz), id
              limit ?
           )
           select p.*, s.first_reported_at, s.last_reported_at, s.report_count, s.bot_count, s.bot_ids
             from page p
             join lateral (
               select min(first_reported_at) as first_reported_at, max(last_reported_at) as last_reported_at,
                      sum(report_count) as report_count, count(bot_id) as bot_count,
                      array_agg(bot_id order by bot_id) filter (where bot_id is not null) as bot_ids
                 from markets r where r.token_id = p.token_id and (?::bigint is null or r.bot_id = ?::bigint)
             ) s on true
            order by p.asset, p."window", coalesce(p.expires_at, 'infinity'::timestamptz), p.id`,
          [
            ...shownParams,
            botId,
            botId,
            after?.[0] ?? null,
            after?.[0] ?? null,
            after?.[1] ?? null,
            after ? (after[2] ?? 'infinity') : null,
            after?.[3] ?? null,
            limit + 1, // one more than asked: tells whether there is a next page
            botId,
            botId,
          ],
        ),
        em.execute<{ total: string }[]>(`select count(distinct token_id) as total from (${shown}) shown`, shownParams),
      ]),
    );
    const now = Date.now();
    const pageRows = rows.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    // Trade activity is the trades module's: asked for the page's tokens (both outcomes of a market).
    const tokens = pageRows.flatMap((row) => (row.token_id_down ? [row.token_id, row.token_id_down] : [row.token_id]));
    const activity = await this.trades.activityByToken(tokens, botId);
    return {
      items: pageRows.map((row) => toMarketView(row, now, [activity.get(row.token_id), row.token_id_down ? activity.get(row.token_id_down) : undefined])),
      total: Number(total),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }
}

function toMarketView(row: MarketRow, now: number, activity: (TokenActivity | undefined)[]): MarketView {
  const seen = activity.filter((a): a is TokenActivity => a !== undefined);
  const lastTradeAt = seen.reduce<Date | null>((latest, a) => (latest === null || a.lastTradeAt > latest ? a.lastTradeAt : latest), null);
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

function encodeCursor(row: MarketRow): string {
  const cursor: MarketCursor = [
    row.asset,
    row.window,
    row.expires_at ? new Date(row.expires_at).toISOString() : null,
    Number(row.id),
  ];
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function isoRoundTrips(value: string): boolean {
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

function decodeCursor(cursor: string): MarketCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 4) {
      const [asset, window, expiresAt, id] = parsed as unknown[];
      const text = (value: unknown): value is string =>
        typeof value === 'string' && value.length <= 200 && !value.includes('\u0000');
      // Exactly what encodeCursor writes: an instant as toISOString() prints it, or null (no expiry).
      const expiry = expiresAt === null || (typeof expiresAt === 'string' && isoRoundTrips(expiresAt));
      if (text(asset) && text(window) && expiry && Number.isSafeInteger(id) && (id as number) > 0) {
        return [asset, window, expiresAt as string | null, id as number];
      }
    }
  } catch {
    // reported below
  }
  throw new BadInputError('cursor is not valid for this query: pass the nextCursor of the previous page unchanged.', [
    { field: 'cursor', message: 'must be the nextCursor of the previous page' },
  ]);
}
