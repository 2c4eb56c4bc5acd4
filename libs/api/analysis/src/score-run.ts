import type { AnalysisInputs, BreakdownRow } from './analysis-inputs';

export interface SubScore {
  score: number;
  inputs: Record<string, number | string | null>;
  formula: string;
}

export interface RunAnalysis {
  runId: number;
  overallScore: number;
  scores: Record<'profitability' | 'execution' | 'risk' | 'efficiency', SubScore | null>;
  weights: Record<string, number>;
  /** How the overall score is made from the sub-scores. */
  formula: string;
  dataQuality: 'ok' | 'thin';
  notes: string[];
  summary: {
    totalPnl: string;
    realizedPnl: string | null;
    fillRate: number | null;
    trades: number;
    fills: number;
    winCount: number;
    lossCount: number;
    maxDrawdown: string | null;
    durationSeconds: number;
    avgSpreadCaptured: string | null;
    /** totalPnl per dollar of peak capital deployed. */
    capitalEfficiency: number | null;
    peakCapitalDeployed: string | null;
    /** oneSidedFills / (pairedWindows + oneSidedFills), when the bot reports them. */
    oneSidedFillRatio: number | null;
    /** pairedWindows / (pairedWindows + oneSidedFills). */
    pairingQuality: number | null;
    hedgeAnalytics: Record<string, unknown> | null;
  };
  breakdowns: AnalysisInputs['breakdowns'];
  analyzedAt: string;
  engineVersion: number;
}

const WEIGHTS = { profitability: 0.4, execution: 0.25, risk: 0.2, efficiency: 0.15 };
export const ENGINE_VERSION = 2;
/** Fewer fills or a shorter run than this and the score is a rough sign and no change is suggested. */
export const THIN_DATA = { minFills: 20, minSeconds: 600 };

export const num = (value: unknown): number | null => {
  if (value === null || value === undefined || value === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
};
const clamp = (value: number) => Math.max(0, Math.min(100, value));
const round = (value: number) => Math.round(value * 10) / 10;
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * Scores a run from its own numbers. Sums arrive as exact decimal strings from SQL; the score
 * itself is a bounded ratio, where a float is fine. Each sub-score carries its inputs and formula.
 */
export function scoreRun(inputs: AnalysisInputs, now = new Date()): RunAnalysis {
  const m = inputs.metrics;
  const notes: string[] = [];
  const totalPnlText = text(m['totalPnl']) ?? inputs.trades.pnl;
  const totalPnl = num(totalPnlText) ?? 0;
  const bankroll = num(inputs.startingBankroll) ?? num(m['startingWallet']);
  const orders = num(m['totalOrders']) ?? inputs.trades.total;
  const fills = num(m['totalFills']) ?? inputs.trades.filled;
  const fillRate = orders > 0 ? Math.min(1, fills / orders) : null;
  const drawdownText = text(m['maxDrawdown']) ?? inputs.seriesMaxDrawdown;
  const drawdown = num(drawdownText);
  const capitalText = text(m['maxCapitalDeployed']) ?? (num(inputs.trades.filledNotional) ? inputs.trades.filledNotional : null);
  const capital = num(capitalText);

  const scores: RunAnalysis['scores'] = { profitability: null, execution: null, risk: null, efficiency: null };
  if (bankroll && bankroll > 0) {
    const returnPct = (totalPnl / bankroll) * 100;
    scores.profitability = {
      score: round(clamp(50 + 50 * Math.tanh(returnPct / 2))),
      inputs: { totalPnl: totalPnlText, bankroll: String(bankroll), returnPct: round(returnPct) },
      formula: '50 + 50 * tanh(returnPct / 2), returnPct = totalPnl / bankroll * 100',
    };
  } else {
    notes.push('No starting bankroll: profitability is not scored.');
  }
  if (fillRate !== null) {
    scores.execution = {
      score: round(clamp(fillRate * 100 * 1.25)),
      inputs: { orders, fills, fillRate: round(fillRate * 100) / 100 },
      formula: 'min(100, fillRate * 125): a fill rate of 80% or more scores 100',
    };
  } else {
    notes.push('No orders: execution is not scored.');
  }
  if (drawdown !== null && bankroll && bankroll > 0) {
    const ddPct = (drawdown / bankroll) * 100;
    scores.risk = {
      score: round(clamp(100 - ddPct * 10)),
      inputs: { maxDrawdown: drawdownText ?? null, bankroll: String(bankroll), drawdownPct: round(ddPct) },
      formula: '100 - 10 * drawdownPct: each 1% of bankroll lost from the peak costs 10 points',
    };
  }
  let capitalEfficiency: number | null = null;
  if (capital !== null && capital > 0) {
    capitalEfficiency = Math.round((totalPnl / capital) * 1e4) / 1e4;
    scores.efficiency = {
      score: round(clamp(50 + 50 * Math.tanh((totalPnl / capital) * 20))),
      inputs: { totalPnl: totalPnlText, capitalDeployed: capitalText, pnlPerDollar: capitalEfficiency },
      formula: '50 + 50 * tanh(20 * pnlPerDollar), pnlPerDollar = totalPnl / peak capital deployed',
    };
  }

  let weighted = 0;
  let weightSum = 0;
  for (const [name, weight] of Object.entries(WEIGHTS)) {
    const sub = scores[name as keyof typeof WEIGHTS];
    if (sub) {
      weighted += sub.score * weight;
      weightSum += weight;
    }
  }
  const overallScore = weightSum > 0 ? Math.round(weighted / weightSum) : 0;
  if (weightSum === 0) notes.push('Nothing to score yet: the run has no orders and no bankroll.');
  const thin = fills < THIN_DATA.minFills || inputs.durationSeconds < THIN_DATA.minSeconds;
  if (thin) notes.push(`Thin data (${fills} fills over ${Math.round(inputs.durationSeconds / 60)} min): treat the score as a rough sign.`);

  const paired = num(m['pairedWindows']);
  const oneSided = num(m['oneSidedFills']);
  const pairedTotal = (paired ?? 0) + (oneSided ?? 0);
  const hedge = m['hedgeAnalytics'];

  return {
    runId: inputs.runId,
    overallScore,
    scores,
    weights: WEIGHTS,
    formula: 'round(sum(weight * score) / sum(weight)) over the sub-scores that could be computed',
    dataQuality: thin ? 'thin' : 'ok',
    notes,
    summary: {
      totalPnl: totalPnlText,
      realizedPnl: text(m['realizedPnl']) ?? (inputs.trades.wins + inputs.trades.losses > 0 ? inputs.trades.pnl : null),
      fillRate: fillRate === null ? null : Math.round(fillRate * 1e4) / 1e4,
      trades: inputs.trades.total,
      fills,
      winCount: num(m['winCount']) ?? inputs.trades.wins,
      lossCount: num(m['lossCount']) ?? inputs.trades.losses,
      maxDrawdown: drawdownText ?? null,
      durationSeconds: inputs.durationSeconds,
      avgSpreadCaptured: text(m['avgSpreadCaptured']),
      capitalEfficiency,
      peakCapitalDeployed: capitalText,
      oneSidedFillRatio: pairedTotal > 0 ? Math.round(((oneSided ?? 0) / pairedTotal) * 1e4) / 1e4 : null,
      pairingQuality: pairedTotal > 0 ? Math.round(((paired ?? 0) / pairedTotal) * 1e4) / 1e4 : null,
      hedgeAnalytics: hedge && typeof hedge === 'object' && !Array.isArray(hedge) ? (hedge as Record<string, unknown>) : null,
    },
    breakdowns: inputs.breakdowns,
    analyzedAt: now.toISOString(),
    engineVersion: ENGINE_VERSION,
  };
}

export type { BreakdownRow };
