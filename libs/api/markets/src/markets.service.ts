import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { MarketsReportedEvent, PayloadReader, UnitOfWork } from '@polymaker/api/core';
import type { MarketView } from './dto/market.dto';
import { MarketReport } from './entities/market-report.entity';

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
  trade_count: string;
  last_trade_at: Date | null;
}

@Injectable()
export class MarketsService {
  constructor(private readonly uow: UnitOfWork) {}

  /** Records the report and upserts each market (one statement), in the caller's transaction. */
  async report(em: EntityManager, apiKeyId: number | null, markets: ReportedMarket[], raw: unknown[]): Promise<number> {
    const report = em.create(MarketReport, { apiKeyId, marketCount: markets.length, markets: raw } as MarketReport);
    await em.persist(report).flush();
    // The last report of a token in one call wins; duplicates would make the upsert fail.
    const unique = [...new Map(markets.map((market) => [market.tokenId, market])).values()];
    if (unique.length > 0) {
      const params: unknown[] = [];
      const tuples = unique.map((m) => {
        params.push(m.tokenId, m.tokenIdDown, m.asset, m.window, m.windowId, m.conditionId, m.expiresAt, apiKeyId);
        return '(?, ?, ?, ?, ?, ?, ?, ?, now(), now(), 1)';
      });
      await em.execute(
        `insert into markets (token_id, token_id_down, asset, "window", window_id, condition_id, expires_at, last_api_key_id,
           first_reported_at, last_reported_at, report_count)
         values ${tuples.join(', ')}
         on conflict (token_id) do update set
           token_id_down = coalesce(excluded.token_id_down, markets.token_id_down),
           asset = excluded.asset,
           "window" = excluded."window",
           window_id = coalesce(excluded.window_id, markets.window_id),
           condition_id = coalesce(excluded.condition_id, markets.condition_id),
           expires_at = coalesce(excluded.expires_at, markets.expires_at),
           last_api_key_id = excluded.last_api_key_id,
           last_reported_at = now(),
           report_count = markets.report_count + 1`,
        params,
      );
    }
    this.uow.publish(new MarketsReportedEvent(report.id, apiKeyId, unique.map((m) => m.tokenId)));
    return unique.length;
  }

  /** The watchlist: markets not long expired or still being reported, by asset and window, soonest expiry first. */
  async watchlist(includeExpired = false): Promise<MarketView[]> {
    const rows = await this.uow.read((em) =>
      em.execute<MarketRow[]>(
        `select m.*, coalesce(t.trade_count, 0) as trade_count, t.last_trade_at
           from markets m
           left join lateral (
             select sum(n) as trade_count, max(last_at) as last_trade_at
               from (select count(*) as n, max(created_at) as last_at from trades where token_id = m.token_id
                     union all
                     select count(*), max(created_at) from trades where m.token_id_down is not null and token_id = m.token_id_down) per_token
           ) t on true
          where ? or m.expires_at is null or m.expires_at > now() - interval '15 minutes'
             or m.last_reported_at > now() - interval '15 minutes'
          order by m.asset, m."window", m.expires_at nulls last, m.id
          limit 1000`,
        [includeExpired],
      ),
    );
    const now = Date.now();
    return rows.map((row) => ({
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
      tradeCount: Number(row.trade_count),
      lastTradeAt: row.last_trade_at ? new Date(row.last_trade_at).toISOString() : null,
    }));
  }
}
