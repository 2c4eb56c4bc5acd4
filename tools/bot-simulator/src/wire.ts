/**
 * Request bodies exactly as `polymaker_client.py` puts them on the wire (see
 * docs/bot-api.md and tools/bot-session/recorded-session.jsonl): camelCase keys in the
 * client's order, integer ids, prices and sizes as JSON numbers, optional keys left out when unset.
 */
import type { Outcome } from './market';

export type RunMode = 'dry_run' | 'live';
export type StopStatus = 'completed' | 'stopped' | 'error';

export interface StartRunBody {
  configId: number | null;
  mode: RunMode;
  startingBankroll: number;
}

export interface TradeBody {
  runId: number;
  cycle: number;
  asset: string;
  windowDuration: string;
  side: 'buy' | 'sell' | 'BUY' | 'SELL';
  outcome: Outcome | 'Unknown';
  price: number;
  size: number;
  strategy: string;
  conditionId?: string;
  tokenId?: string;
}

export interface TradeUpdateBody {
  tradeId: number;
  status?: 'placed' | 'filled' | 'cancelled' | 'failed';
  fillPrice?: number;
  fillSize?: number;
  fillTimestamp?: string;
  resolvedOutcome?: string;
  pnl?: number;
}

export interface HedgeAnalytics {
  pairs: number;
  orphans: number;
  tier1: number;
  tier2: number;
  tier3: number;
  tier4: number;
  avgPairCost: number | null;
  hedgeSpendUsd: number;
}

/** The metrics the client maps to camelCase (update_run / stop_run keyword arguments). */
export interface RunMetrics {
  totalCycles: number;
  totalOrders: number;
  totalFills: number;
  totalPnl: number;
  peakPnl: number;
  maxDrawdown: number;
  winCount: number;
  lossCount: number;
  avgSpreadCaptured: number | null;
  avgFillRate: number | null;
  endingBankroll: number;
  maxCapitalDeployed: number;
  walletBalance: number | null;
  startingWallet: number;
  mergesCompleted: number;
  totalMergedUsd: number;
  claimsCompleted: number;
  totalClaimedUsd: number;
  claimsPending: number;
  positionValue: number;
  hedgeAnalytics: HedgeAnalytics;
  realizedPnl: number;
  pairedWindows: number;
  oneSidedFills: number;
}

export interface MarketReportItem {
  tokenId: string;
  tokenIdDown?: string;
  asset: string;
  window: string;
  windowId?: string;
  conditionId?: string;
  expiresAt?: string;
}

/** Money rounded to 1/10000 USDC so no float noise (0.30000000000000004) goes on the wire. */
export function money(value: number): number {
  const rounded = Math.round(value * 10_000) / 10_000;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** Python's `datetime.now(timezone.utc).isoformat()`: microseconds and "+00:00". */
export function pythonIsoTimestamp(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString(); // 2026-11-24T07:16:50.905Z
  const micros = String(Math.floor((ms % 1000) * 1000)).padStart(6, '0');
  return `${iso.slice(0, 19)}.${micros}+00:00`;
}

export function startRunBody(configId: number | null, mode: RunMode, startingBankroll: number): StartRunBody {
  return { configId, mode, startingBankroll: money(startingBankroll) };
}

export function tradeBody(trade: {
  runId: number;
  cycle: number;
  asset: string;
  windowDuration: string;
  side: TradeBody['side'];
  outcome: TradeBody['outcome'];
  price: number;
  size: number;
  strategy: string;
  conditionId?: string | null;
  tokenId?: string | null;
}): TradeBody {
  const body: TradeBody = {
    runId: trade.runId,
    cycle: trade.cycle,
    asset: trade.asset,
    windowDuration: trade.windowDuration,
    side: trade.side,
    outcome: trade.outcome,
    price: Math.round(trade.price * 100) / 100,
    size: Math.round(trade.size * 100) / 100,
    strategy: trade.strategy,
  };
  if (trade.conditionId) body.conditionId = trade.conditionId;
  if (trade.tokenId) body.tokenId = String(trade.tokenId);
  return body;
}

export function fillBody(
  tradeId: number,
  fillPrice: number,
  fillSize: number,
  atMs: number,
): TradeUpdateBody {
  return {
    tradeId,
    status: 'filled',
    fillPrice: Math.round(fillPrice * 100) / 100,
    fillSize: Math.round(fillSize * 100) / 100,
    fillTimestamp: pythonIsoTimestamp(atMs),
  };
}

export function cancelBody(tradeId: number): TradeUpdateBody {
  return { tradeId, status: 'cancelled' };
}

export function failedBody(tradeId: number): TradeUpdateBody {
  return { tradeId, status: 'failed' };
}

export function resolutionBody(tradeId: number, resolvedOutcome: Outcome, pnl: number): TradeUpdateBody {
  return { tradeId, resolvedOutcome, pnl: money(pnl) };
}

/** POST /run/update: `{runId, ...metrics, ...extra}`; extra keys go as the bot named them. */
export function runUpdateBody(
  runId: number,
  metrics: RunMetrics,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { runId, ...roundMetrics(metrics), ...extra };
}

/** POST /run/stop: `{runId, status, errorMessage?, ...final metrics}`. */
export function stopBody(
  runId: number,
  status: StopStatus,
  final: Partial<RunMetrics>,
  errorMessage?: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = { runId, status };
  if (errorMessage) body['errorMessage'] = errorMessage;
  return { ...body, ...roundMetrics(final) };
}

export function marketsReportBody(markets: MarketReportItem[]): { markets: MarketReportItem[] } {
  return { markets };
}

function roundMetrics(metrics: Partial<RunMetrics>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number') out[key] = Number.isInteger(value) ? value : money(value);
    else if (key === 'hedgeAnalytics' && value && typeof value === 'object') {
      const hedge: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) hedge[k] = typeof v === 'number' ? money(v) : v;
      out[key] = hedge;
    } else out[key] = value;
  }
  return out;
}
