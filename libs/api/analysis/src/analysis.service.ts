import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AnalysisInputs, BreakdownRow } from './analysis-inputs';
import { RunAnalysis, scoreRun } from './score-run';

interface RunRow {
  id: string;
  status: string;
  started_at: Date;
  stopped_at: Date | null;
  last_update_at: Date;
  starting_bankroll: string | null;
  metrics: Record<string, unknown>;
}

const BREAKDOWN_COLUMNS = {
  asset: 'asset',
  window: 'window_duration',
  outcome: 'outcome',
  strategy: "coalesce(strategy, '')",
  hour: "to_char(created_at at time zone 'UTC', 'HH24')",
} as const;

/** Gathers a run's numbers with SQL aggregates (exact numeric sums) and scores them. */
@Injectable()
export class AnalysisService {
  async analyzeRun(em: EntityManager, runId: number): Promise<RunAnalysis> {
    return scoreRun(await this.gather(em, runId));
  }

  async gather(em: EntityManager, runId: number): Promise<AnalysisInputs> {
    const connection = em.getConnection();
    const [run] = await connection.execute<RunRow[]>(
      'select id, status, started_at, stopped_at, last_update_at, starting_bankroll, metrics from runs where id = ?',
      [runId],
    );
    const [totals] = await connection.execute<
      { total: string; filled: string; cancelled: string; failed: string; pnl: string; notional: string; wins: string; losses: string }[]
    >(
      `select count(*) as total,
              count(*) filter (where status = 'filled') as filled,
              count(*) filter (where status = 'cancelled') as cancelled,
              count(*) filter (where status = 'failed') as failed,
              coalesce(sum(pnl), 0)::text as pnl,
              coalesce(sum(coalesce(fill_price, price) * coalesce(fill_size, size)) filter (where status = 'filled'), 0)::text as notional,
              count(*) filter (where pnl > 0) as wins,
              count(*) filter (where pnl < 0) as losses
         from trades where run_id = ?`,
      [runId],
    );
    const [series] = await connection.execute<{ max_drawdown: string | null; peak: string | null; points: string }[]>(
      `select max(peak - pnl)::text as max_drawdown, max(peak)::text as peak, count(*) as points
         from (select (metric_values->>'totalPnl')::numeric as pnl,
                      max((metric_values->>'totalPnl')::numeric) over (order by at, id) as peak
                 from run_metric_points
                where run_id = ? and metric_values->>'totalPnl' is not null) s`,
      [runId],
    );
    const breakdowns = {} as AnalysisInputs['breakdowns'];
    for (const [name, column] of Object.entries(BREAKDOWN_COLUMNS)) {
      const rows = await connection.execute<{ key: string; trades: string; fills: string; pnl: string }[]>(
        `select ${column} as key, count(*) as trades, count(*) filter (where status = 'filled') as fills,
                coalesce(sum(pnl), 0)::text as pnl
           from trades where run_id = ? group by 1 order by 1`,
        [runId],
      );
      breakdowns[name as keyof typeof BREAKDOWN_COLUMNS] = rows.map(
        (row): BreakdownRow => ({ key: row.key, trades: Number(row.trades), fills: Number(row.fills), pnl: row.pnl }),
      );
    }
    const end = run.stopped_at ?? new Date();
    return {
      runId,
      status: run.status,
      durationSeconds: Math.max(0, Math.round((new Date(end).getTime() - new Date(run.started_at).getTime()) / 1000)),
      startingBankroll: run.starting_bankroll,
      metrics: run.metrics,
      trades: {
        total: Number(totals.total),
        filled: Number(totals.filled),
        cancelled: Number(totals.cancelled),
        failed: Number(totals.failed),
        pnl: totals.pnl,
        filledNotional: totals.notional,
        wins: Number(totals.wins),
        losses: Number(totals.losses),
      },
      seriesMaxDrawdown: series?.max_drawdown ?? null,
      seriesPeakPnl: series?.peak ?? null,
      metricPoints: Number(series?.points ?? 0),
      breakdowns,
    };
  }
}
