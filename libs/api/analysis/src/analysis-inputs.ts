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
  trades: {
    total: number;
    filled: number;
    cancelled: number;
    failed: number;
    pnl: string;
    filledNotional: string;
    wins: number;
    losses: number;
    /** Average size (shares) of the orders placed; null without orders. */
    avgSize?: string | null;
    /** Sum of the P&L of losing trades (negative or 0). */
    grossLoss?: string;
  };
  /** Largest peak-to-trough fall of totalPnl across the metric series. */
  seriesMaxDrawdown: string | null;
  seriesPeakPnl: string | null;
  metricPoints: number;
  breakdowns: Record<'asset' | 'window' | 'outcome' | 'strategy' | 'hour', BreakdownRow[]>;
  /** The config the run used (or the active one when the run named none): what suggestions start from. */
  config?: { id: number | null; values: Record<string, unknown>; assumed: boolean };
}
