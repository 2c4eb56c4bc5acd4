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
  };
  breakdowns: AnalysisInputs['breakdowns'];
  analyzedAt: string;
  engineVersion: number;
}

const WEIGHTS = { profitability: 0.4, execution: 0.25, risk: 0.2, efficiency: 0.15 };
export const ENGINE_VERSION = 1;

const num = (value: unknown): number | null => {
  if (value === null || value === undefined || value === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
};
const clamp = (value: number) => Math.max(0, Math.min(100, value));
const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Scores a run from its own numbers. Sums arrive as exact decimal strings from SQL; the score
 * itself is a bounded ratio, where a float is fine. Each sub-score carries its inputs and formula.
 */
export function scoreRun(inputs: AnalysisInputs, now = new Date()): RunAnalysis {
  const m = inputs.metrics;
  const notes: string[] = [];
  const totalPnlText = (m['totalPnl'] as string | undefined) ?? inputs.trades.pnl;
  const totalPnl = num(totalPnlText) ?? 0;
  const bankroll = num(inputs.startingBankroll) ?? num(m['startingWallet']);
  const orders = num(m['totalOrders']) ?? inputs.trades.total;
  const fills = num(m['totalFills']) ?? inputs.trades.filled;
  const fillRate = orders > 0 ? Math.min(1, fills / orders) : null;
  const drawdownText = (m['maxDrawdown'] as string | null | undefined) ?? inputs.seriesMaxDrawdown;
  const drawdown = num(drawdownText);
  const capital = num(m['maxCapitalDeployed']) ?? num(inputs.trades.filledNotional);

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
  if (capital !== null && capital > 0) {
    const perDollar = totalPnl / capital;
    scores.efficiency = {
      score: round(clamp(50 + 50 * Math.tanh(perDollar * 20))),
      inputs: { totalPnl: totalPnlText, capitalDeployed: String(capital), pnlPerDollar: Math.round(perDollar * 1e4) / 1e4 },
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
  const thin = fills < 20 || inputs.durationSeconds < 600;
  if (thin) notes.push(`Thin data (${fills} fills over ${Math.round(inputs.durationSeconds / 60)} min): treat the score as a rough sign.`);

  return {
    runId: inputs.runId,
    overallScore,
    scores,
    weights: WEIGHTS,
    dataQuality: thin ? 'thin' : 'ok',
    notes,
    summary: {
      totalPnl: totalPnlText,
      realizedPnl: (m['realizedPnl'] as string | null | undefined) ?? null,
      fillRate: fillRate === null ? null : Math.round(fillRate * 1e4) / 1e4,
      trades: inputs.trades.total,
      fills,
      winCount: num(m['winCount']) ?? inputs.trades.wins,
      lossCount: num(m['lossCount']) ?? inputs.trades.losses,
      maxDrawdown: drawdownText ?? null,
      durationSeconds: inputs.durationSeconds,
    },
    breakdowns: inputs.breakdowns,
    analyzedAt: now.toISOString(),
    engineVersion: ENGINE_VERSION,
  };
}

export type { BreakdownRow };
