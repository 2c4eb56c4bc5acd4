import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { toDecimalString, UnitOfWork } from '@polymaker/api/core';
import type { MetricPointView } from './dto/metric-point.dto';
import { RunMetricPoint } from './entities/run-metric-point.entity';
import type { MetricSample } from './metric-keys';

/** A run's totalPnl series: points with a totalPnl, its peak and its largest peak-to-trough fall. */
export interface MetricSeriesStats {
  points: number;
  peakPnl: string | null;
  maxDrawdown: string | null;
}

@Injectable()
export class MetricsService {
  constructor(private readonly uow: UnitOfWork) {}

  /** Stores one point; called inside the unit of work that updates the run, so both commit together. */
  record(em: EntityManager, runId: number, sample: MetricSample, at = new Date()): void {
    em.persist(em.create(RunMetricPoint, { runId, at, values: sample.values, extra: sample.extra } as RunMetricPoint));
  }

  /**
   * The run's totalPnl series in three numbers, from the run_metric_stats aggregate (kept by a
   * trigger on run_metric_points): no scan of the series. Exact decimals as strings.
   */
  async seriesStatsOf(em: EntityManager, runId: number): Promise<MetricSeriesStats> {
    const [row] = await em.execute<{ points: string; peak_pnl: string | null; max_drawdown: string | null }[]>(
      'select points, peak_pnl::text as peak_pnl, max_drawdown::text as max_drawdown from run_metric_stats where run_id = ?',
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
