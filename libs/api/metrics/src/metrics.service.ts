import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { RunUpdatedEvent, Sql, sqlOf, toDecimalString, UnitOfWork } from '@polymaker/api/core';
import type { MetricPointView } from './dto/metric-point.dto';
import { RunMetricPoint } from './entities/run-metric-point.entity';

/** A balance reading from a bot's metrics. */
export interface WalletPoint {
  runId: number;
  apiKeyId: number | null;
  /** The bot that owns the run (the first key of its rotation chain); null: a run without a bot. */
  botId: number | null;
  at: string;
  walletBalance: string | null;
  startingWallet: string | null;
  positionValue: string | null;
}

interface WalletPointRow {
  run_id: string;
  api_key_id: string | null;
  bot_id: string | null;
  at: Date;
  wallet: string | null;
  starting: string | null;
  position: string | null;
}

function toWalletPoint(row: WalletPointRow): WalletPoint {
  return {
    runId: Number(row.run_id),
    apiKeyId: row.api_key_id === null ? null : Number(row.api_key_id),
    botId: row.bot_id === null ? null : Number(row.bot_id),
    at: new Date(row.at).toISOString(),
    walletBalance: row.wallet,
    startingWallet: row.starting,
    positionValue: row.position,
  };
}

/** A run's totalPnl series: points with a totalPnl, its peak and its largest peak-to-trough fall. */
export interface MetricSeriesStats {
  points: number;
  peakPnl: string | null;
  maxDrawdown: string | null;
}

@Injectable()
export class MetricsService implements OnModuleInit {
  constructor(private readonly uow: UnitOfWork) {}

  /** The metric series reacts to run.updated inside the update's transaction: the point commits with it. */
  onModuleInit(): void {
    this.uow.listenInTransaction<RunUpdatedEvent>(RunUpdatedEvent.eventName, (event, sql) => this.recordPoint(sql, event));
  }

  /** Stores the point of one run/update (one statement, in the update's transaction). */
  async recordPoint(sql: Sql, event: RunUpdatedEvent): Promise<void> {
    await sql.query(
      'insert into run_metric_points (run_id, api_key_id, bot_id, at, metric_values, extra) values ($1, $2, $3, $4, $5::jsonb, $6::jsonb)',
      [event.runId, event.apiKeyId, event.botId, event.at, JSON.stringify(event.metrics), JSON.stringify(event.extra)],
    );
  }

  /** The latest point with a walletBalance of each key (one row per key). */
  async latestWalletPoints(): Promise<WalletPoint[]> {
    const rows = await this.uow.read((em) =>
      em.execute<WalletPointRow[]>(
        `select distinct on (api_key_id) run_id, api_key_id, bot_id, at, id,
                metric_values->>'walletBalance' as wallet, metric_values->>'startingWallet' as starting,
                metric_values->>'positionValue' as position
           from run_metric_points
          where metric_values->>'walletBalance' is not null
          order by api_key_id, at desc, id desc`,
      ),
    );
    return rows.map(toWalletPoint);
  }

  /** Balance points (walletBalance or positionValue), the newest `limit`, oldest first. */
  async walletPoints(query: { runId?: number; apiKeyId?: number; limit: number }): Promise<WalletPoint[]> {
    const where: string[] = ["(metric_values->>'walletBalance' is not null or metric_values->>'positionValue' is not null)"];
    const params: unknown[] = [];
    if (query.runId) {
      where.push('run_id = ?');
      params.push(query.runId);
    }
    if (query.apiKeyId) {
      where.push('api_key_id = ?');
      params.push(query.apiKeyId);
    }
    params.push(query.limit);
    const rows = await this.uow.read((em) =>
      em.execute<WalletPointRow[]>(
        `select * from (
           select run_id, api_key_id, bot_id, at, id,
                  metric_values->>'walletBalance' as wallet, metric_values->>'startingWallet' as starting,
                  metric_values->>'positionValue' as position
             from run_metric_points
            where ${where.join(' and ')}
            order by at desc, id desc limit ?) s
          order by at, id`,
        params,
      ),
    );
    return rows.map(toWalletPoint);
  }

  /**
   * Retention: deletes points older than `days` except those of the runs still running (the caller
   * names them: runs are the runs module's). Returns how many went.
   */
  async purgeOlderThan(em: EntityManager, days: number, keepRunIds: number[]): Promise<number> {
    const [row] = await em.execute<{ n: string }[]>(
      `with gone as (
         delete from run_metric_points
          where at < now() - make_interval(days => ?)
            and run_id not in (select (jsonb_array_elements_text(?::jsonb))::bigint)
         returning 1)
       select count(*) as n from gone`,
      [days, JSON.stringify(keepRunIds)],
    );
    return Number(row.n);
  }

  /**
   * The run's totalPnl series in three numbers, from the run_metric_stats aggregate (kept by a
   * trigger on run_metric_points): no scan of the series. Exact decimals as strings.
   */
  async seriesStatsOf(db: EntityManager | Sql, runId: number): Promise<MetricSeriesStats> {
    const [row] = await sqlOf(db).query<{ points: string; peak_pnl: string | null; max_drawdown: string | null }>(
      'select points, peak_pnl::text as peak_pnl, max_drawdown::text as max_drawdown from run_metric_stats where run_id = $1',
      [runId],
    );
    if (!row) return { points: 0, peakPnl: null, maxDrawdown: null };
    return { points: Number(row.points), peakPnl: exact(row.peak_pnl), maxDrawdown: exact(row.max_drawdown) };
  }

  async series(runId: number, limit = 5000): Promise<MetricPointView[]> {
    const points = await this.uow.read((em) =>
      em.find(RunMetricPoint, { runId }, { orderBy: { at: 'desc', id: 'desc' }, limit }),
    );
    return points.reverse().map((point) => ({ ...point.values, at: point.at.toISOString(), extra: point.extra }));
  }
}

/** numeric text from PostgreSQL without its trailing zeros ("0.50000000" → "0.5"). */
function exact(value: string | null): string | null {
  return value === null ? null : (toDecimalString(value) ?? value);
}
