import { MAX_MONEY, MIN_MONEY, PayloadReader } from '@polymaker/api/core';

export type MetricKind = 'count' | 'money' | 'ratio' | 'object';

/** The metric keys of the wire contract. Anything else a bot sends is kept as an extra, as sent. */
export const METRIC_KEYS: Readonly<Record<string, MetricKind>> = {
  totalCycles: 'count',
  totalOrders: 'count',
  totalFills: 'count',
  totalPnl: 'money',
  peakPnl: 'money',
  maxDrawdown: 'money',
  winCount: 'count',
  lossCount: 'count',
  avgSpreadCaptured: 'money',
  avgFillRate: 'ratio',
  endingBankroll: 'money',
  maxCapitalDeployed: 'money',
  walletBalance: 'money',
  startingWallet: 'money',
  mergesCompleted: 'count',
  totalMergedUsd: 'money',
  claimsCompleted: 'count',
  totalClaimedUsd: 'money',
  claimsPending: 'money',
  positionValue: 'money',
  hedgeAnalytics: 'object',
  realizedPnl: 'money',
  pairedWindows: 'count',
  oneSidedFills: 'count',
};

/** Known metrics normalised (counts as numbers, money as decimal strings, null kept), extras as sent. */
export interface MetricSample {
  values: Record<string, number | string | Record<string, unknown> | null>;
  extra: Record<string, unknown>;
}

/**
 * Reads the metric keys out of a run/update or run/stop body. The reader must not have read these
 * keys yet; whatever it has not read when this returns becomes an extra.
 */
export function readMetrics(reader: PayloadReader, skip: readonly string[]): MetricSample {
  const values: MetricSample['values'] = {};
  for (const [key, kind] of Object.entries(METRIC_KEYS)) {
    if (!reader.has(key)) continue;
    if (kind === 'count') values[key] = reader.integer(key, { min: 0 });
    else if (kind === 'object') values[key] = reader.object(key);
    else values[key] = reader.decimal(key, { min: MIN_MONEY, max: MAX_MONEY });
  }
  const extra = reader.rest();
  for (const key of skip) delete extra[key];
  return { values, extra };
}
