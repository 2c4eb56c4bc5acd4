import type { RunMarketMakingStats, RunTradeStats } from '@polymaker/api/trades';
import type { TradeSample } from './evidence';

/** Everything the analysis reads about one run, gathered with SQL aggregates (exact decimals as strings). */
export interface BreakdownRow {
  key: string;
  trades: number;
  fills: number;
  pnl: string;
}

export interface AnalysisInputs {
  runId: number;
  status: string;
  durationSeconds: number;
  startingBankroll: string | null;
  metrics: Record<string, unknown>;
  /** The trades module's per-run totals. */
  trades: RunTradeStats;
  /** Largest peak-to-trough fall of totalPnl across the metric series. */
  seriesMaxDrawdown: string | null;
  seriesPeakPnl: string | null;
  metricPoints: number;
  breakdowns: Record<'asset' | 'window' | 'outcome' | 'strategy' | 'hour', BreakdownRow[]>;
  /**
   * The run's windows, markouts and hedges from one scan of its fills: read by the full analysis
   * only. Absent for the stop's quick score, which reads aggregates only.
   */
  marketMaking?: RunMarketMakingStats;
  /** The config the run used (or the active one when the run named none): what suggestions start from. */
  config?: { id: number | null; values: Record<string, unknown>; assumed: boolean };
  /** The newest resolved trades (at most EVIDENCE.maxTrades), for the suggestions' statistics (full analysis only). */
  samples?: TradeSample[];
}
