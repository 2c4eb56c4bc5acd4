import { CONFIG_KEYS } from '@polymaker/api/config';
import type { RunMarketMakingStats } from '@polymaker/api/trades';
import type { AnalysisInputs, BreakdownRow } from './analysis-inputs';

export interface SubScore {
  score: number;
  inputs: Record<string, number | string | null>;
  formula: string;
  /** What the page calls it (absent in analyses of engine 2 and before). */
  label?: string;
  /** What it rewards, in plain words (absent in analyses of engine 2 and before). */
  rewards?: string;
}

/** The sub-scores of engine 3, in the order the page lists them. */
export const SUB_SCORES = ['spreadCapture', 'inventory', 'hedging', 'risk', 'capitalReturn'] as const;
export type SubScoreName = (typeof SUB_SCORES)[number];

export interface RunAnalysis {
  runId: number;
  overallScore: number;
  /**
   * Engine 3's sub-scores (null: not computable for this run). Analyses stored by engine 2 and
   * before have profitability, execution, risk and efficiency instead; they are kept as stored.
   */
  scores: Record<SubScoreName, SubScore | null>;
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

/** Every number the scores are made of. The formulas shown on the page are written from these. */
export interface ScoringConstants {
  weights: Record<SubScoreName, number>;
  /** A fill is marked against the bot's next fill in its window within this many seconds. */
  markoutHorizonSeconds: number;
  /** Fewer marked fills than this and spread capture is not scored. */
  minMarkedFills: number;
  /** Net edge per share that scores 50 + 50·tanh(1) ≈ 88 (and its negative ≈ 12). */
  edgeScalePerShare: number;
  /** Share of the shares held one-sided at resolution that scores 0. */
  inventoryZeroShare: number;
  /** Hedge premium per pair (pair cost above 1.00) that scores 0. */
  hedgePremiumZero: number;
  /** maxLossPct when the run's config does not set it (the config schema's default). */
  defaultMaxLossPct: number;
  /** P&L per hour per dollar of capital deployed that scores 50 + 50·tanh(1) ≈ 88. */
  capitalReturnScalePerHour: number;
}

export const SCORING: Readonly<ScoringConstants> = Object.freeze({
  weights: Object.freeze({ spreadCapture: 0.3, inventory: 0.2, hedging: 0.1, risk: 0.2, capitalReturn: 0.2 }),
  markoutHorizonSeconds: 120,
  minMarkedFills: 5,
  edgeScalePerShare: 0.01,
  inventoryZeroShare: 0.5,
  hedgePremiumZero: 0.2,
  defaultMaxLossPct: Number(CONFIG_KEYS.get('maxLossPct')?.default ?? 0.2),
  capitalReturnScalePerHour: 0.01,
});

export const ENGINE_VERSION = 3;
/** Fewer fills or a shorter run than this and the score is a rough sign and no change is suggested. */
export const THIN_DATA = { minFills: 20, minSeconds: 600 };

export const num = (value: unknown): number | null => {
  if (value === null || value === undefined || value === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
};
const clamp = (value: number, low = 0, high = 100) => Math.max(low, Math.min(high, value));
const round1 = (value: number) => Math.round(value * 10) / 10;
const round4 = (value: number) => Math.round(value * 1e4) / 1e4;
/** A derived number for a formula's text, without binary noise (0.011 * 100 → 1.1). */
const shown = (value: number) => String(Number(value.toPrecision(12)));
const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** A sub-score, or why it could not be computed (a note for the page; null: nothing worth saying). */
type Outcome = { sub: SubScore } | { sub: null; note: string | null };
const none = (note: string | null): Outcome => ({ sub: null, note });

/**
 * Spread captured per fill net of adverse selection: each quoting fill (not a hedge) is marked
 * against the bot's next fill in the same window within the horizon; the move in the fill's favour
 * is the spread it captured, the move against it what it lost to a better-informed counterparty.
 */
export function scoreSpreadCapture(mm: RunMarketMakingStats, c: ScoringConstants = SCORING): Outcome {
  const q = mm.quoting;
  if (q.fills === 0) return none(null);
  if (q.markedFills < c.minMarkedFills) {
    return none(
      `Only ${q.markedFills} of ${q.fills} quoting fills had a later fill of the bot in the same window within ` +
        `${c.markoutHorizonSeconds} s (need ${c.minMarkedFills}): spread capture is not scored.`,
    );
  }
  const marked = Number(q.markedShares);
  const favourable = Number(q.favourableUsd) / marked;
  const adverse = Number(q.adverseUsd) / marked;
  const net = favourable - adverse;
  const paired = Number(q.pairedShares);
  return {
    sub: {
      label: 'Spread capture',
      rewards:
        'earning the spread on each fill without being picked off: the price should not move against a fill soon after it',
      score: round1(clamp(50 + 50 * Math.tanh(net / c.edgeScalePerShare))),
      inputs: {
        quotingFills: q.fills,
        markedFills: q.markedFills,
        markedShares: q.markedShares,
        horizonSeconds: mm.horizonSeconds,
        spreadPerShare: round4(favourable),
        adverseSelectionPerShare: round4(adverse),
        netEdgePerShare: round4(net),
        pairedShares: q.pairedShares,
        pairEdgePerPairedShare: paired > 0 ? round4(Number(q.pairEdgeUsd) / paired) : null,
      },
      formula:
        `50 + 50 * tanh(netEdgePerShare / ${c.edgeScalePerShare}), netEdgePerShare = spreadPerShare - adverseSelectionPerShare: ` +
        `each fill that is not a hedge is marked against the bot's next fill in the same window within ${c.markoutHorizonSeconds} s ` +
        `(same outcome: its price; other outcome: 1 - its price); the move in the fill's favour is spread captured, the move against it ` +
        `adverse selection, both per marked share; needs ${c.minMarkedFills} marked fills`,
    },
  };
}

/** How much of what the bot bought was still one-sided when its windows resolved. */
export function scoreInventory(mm: RunMarketMakingStats, c: ScoringConstants = SCORING): Outcome {
  const inv = mm.inventory;
  const shares = Number(inv.shares);
  if (inv.windows === 0 || shares <= 0) {
    return none(
      inv.openWindows > 0
        ? `No window of the run has resolved yet (${inv.openWindows} open): inventory is not scored.`
        : null,
    );
  }
  const oneSidedShare = Number(inv.unpairedShares) / shares;
  return {
    sub: {
      label: 'Inventory',
      rewards:
        'ending each window with Up and Down matched, so the resolution cannot go against a one-sided position',
      score: round1(clamp(100 * (1 - oneSidedShare / c.inventoryZeroShare))),
      inputs: {
        windows: inv.windows,
        oneSidedWindows: inv.oneSidedWindows,
        shares: inv.shares,
        unpairedShares: inv.unpairedShares,
        unpairedCost: inv.unpairedCost,
        oneSidedShare: round4(oneSidedShare),
        openWindowsCounted: mm.includesOpenWindows ? inv.openWindows : 0,
      },
      formula:
        `100 * max(0, 1 - oneSidedShare / ${c.inventoryZeroShare}), oneSidedShare = unpairedShares / shares over the run's windows at ` +
        `resolution (per window: |net Up - net Down| of every fill, hedges included): ${shown(c.inventoryZeroShare * 100)}% one-sided scores 0`,
    },
  };
}

/** What completing pairs with hedges cost: the pair cost above 1.00 a hedged window locked in. */
export function scoreHedging(mm: RunMarketMakingStats, c: ScoringConstants = SCORING): Outcome {
  const h = mm.hedging;
  const paired = Number(h.pairedShares);
  if (h.fills === 0)
    return none(mm.windowFills > 0 ? 'No hedge fills (strategy "hedge…"): hedging is not scored.' : null);
  if (h.windows === 0 || paired <= 0)
    return none('No hedge fill completed a pair in its window: hedging is not scored.');
  const pairCost = Number(h.pairCostUsd) / paired;
  const premium = pairCost - 1;
  return {
    sub: {
      label: 'Hedging',
      rewards:
        'completing one-sided windows cheaply: a hedged pair should cost as little above 1.00 (its payout) as possible',
      score: round1(clamp(100 * (1 - premium / c.hedgePremiumZero))),
      inputs: {
        hedgeFills: h.fills,
        hedgeShares: h.shares,
        hedgeCost: h.cost,
        hedgePnl: h.pnl,
        hedgedWindows: h.windows,
        hedgedWindowsPnl: h.windowsPnl,
        pairedShares: h.pairedShares,
        avgPairCost: round4(pairCost),
        premiumPerShare: round4(premium),
      },
      formula:
        `100 * clamp(1 - premiumPerShare / ${c.hedgePremiumZero}, 0, 1), premiumPerShare = avgPairCost - 1 over the windows with a hedge fill ` +
        `(a pair pays 1.00: at or under 1.00 scores 100, ${shown(1 + c.hedgePremiumZero)} or more scores 0); hedge P&L is shown, not scored, ` +
        `as the resolution decides it`,
    },
  };
}

/** The worst fall from a peak against the run's own loss limit (maxLossPct of the bankroll). */
export function scoreRisk(inputs: AnalysisInputs, c: ScoringConstants = SCORING): Outcome {
  const m = inputs.metrics;
  const bankroll = num(inputs.startingBankroll) ?? num(m['startingWallet']);
  const drawdownText = text(m['maxDrawdown']) ?? inputs.seriesMaxDrawdown;
  const drawdown = num(drawdownText);
  if (!bankroll || bankroll <= 0) return none(null);
  if (drawdown === null) return none('No drawdown reported and no metric series: risk is not scored.');
  const configured = num(inputs.config?.values['maxLossPct']);
  const maxLossPct = configured !== null && configured > 0 ? configured : c.defaultMaxLossPct;
  const limit = maxLossPct * bankroll;
  const used = Math.max(0, drawdown) / limit;
  return {
    sub: {
      label: 'Risk',
      rewards:
        'staying far from the loss limit: the deepest fall from a peak, as a share of what maxLossPct allows',
      score: round1(clamp(100 * (1 - used))),
      inputs: {
        maxDrawdown: drawdownText,
        bankroll: String(bankroll),
        maxLossPct,
        maxLossPctFrom: configured !== null && configured > 0 ? 'config' : 'default',
        lossLimit: round4(limit),
        limitUsed: round4(used),
      },
      formula:
        `100 * max(0, 1 - maxDrawdown / lossLimit), lossLimit = maxLossPct * bankroll (maxLossPct from the run's config, ` +
        `${c.defaultMaxLossPct} when unset): a drawdown reaching the loss limit scores 0`,
    },
  };
}

/** P&L per hour per dollar of capital deployed: what the capital earned for the time it was at work. */
export function scoreCapitalReturn(inputs: AnalysisInputs, c: ScoringConstants = SCORING): Outcome {
  const m = inputs.metrics;
  const totalPnlText = text(m['totalPnl']) ?? inputs.trades.pnl;
  const totalPnl = num(totalPnlText) ?? 0;
  const reported = num(m['maxCapitalDeployed']);
  const fallback = num(inputs.trades.filledNotional);
  const capital = reported !== null && reported > 0 ? reported : fallback;
  if (capital === null || capital <= 0) return none(null);
  if (inputs.durationSeconds <= 0) return none('The run has no duration yet: capital return is not scored.');
  const hours = inputs.durationSeconds / 3600;
  const perHour = totalPnl / capital / hours;
  return {
    sub: {
      label: 'Capital return',
      rewards:
        'P&L for the capital tied up and the time it was tied up: the same profit with less capital or in less time scores higher',
      score: round1(clamp(50 + 50 * Math.tanh(perHour / c.capitalReturnScalePerHour))),
      inputs: {
        totalPnl: totalPnlText,
        capitalDeployed:
          reported !== null && reported > 0 ? text(m['maxCapitalDeployed']) : inputs.trades.filledNotional,
        capitalFrom:
          reported !== null && reported > 0
            ? 'maxCapitalDeployed'
            : 'filled notional (no maxCapitalDeployed)',
        hours: round4(hours),
        returnPerHour: round4(perHour),
      },
      formula:
        `50 + 50 * tanh(returnPerHour / ${c.capitalReturnScalePerHour}), returnPerHour = totalPnl / capitalDeployed / hours ` +
        `(capitalDeployed: the bot's peak maxCapitalDeployed, else the filled notional): ${shown(c.capitalReturnScalePerHour * 100)}% an hour scores 88, 0 scores 50`,
    },
  };
}

/** The weighted mean of the sub-scores that could be computed, rounded to a whole number (0 when none). */
export function overallOf(
  scores: Partial<Record<string, SubScore | null>>,
  weights: Readonly<Record<string, number>>,
): number {
  let weighted = 0;
  let weightSum = 0;
  for (const [name, weight] of Object.entries(weights)) {
    const sub = scores[name];
    if (sub) {
      weighted += sub.score * weight;
      weightSum += weight;
    }
  }
  return weightSum > 0 ? Math.round(weighted / weightSum) : 0;
}

/**
 * Scores a run from its own numbers. Sums arrive as exact decimal strings from SQL; each score is
 * a bounded ratio, where a float is fine. Each sub-score carries its inputs and a formula written
 * from the same constants. Without `inputs.marketMaking` (the stop's quick score, from aggregates
 * only) spread capture, inventory and hedging are left to the full analysis.
 */
export function scoreRun(
  inputs: AnalysisInputs,
  now = new Date(),
  c: ScoringConstants = SCORING,
): RunAnalysis {
  const m = inputs.metrics;
  const notes: string[] = [];
  const totalPnlText = text(m['totalPnl']) ?? inputs.trades.pnl;
  const totalPnl = num(totalPnlText) ?? 0;
  const orders = num(m['totalOrders']) ?? inputs.trades.total;
  const fills = num(m['totalFills']) ?? inputs.trades.filled;
  const fillRate = orders > 0 ? Math.min(1, fills / orders) : null;
  const drawdownText = text(m['maxDrawdown']) ?? inputs.seriesMaxDrawdown;
  const capitalText =
    text(m['maxCapitalDeployed']) ??
    (num(inputs.trades.filledNotional) ? inputs.trades.filledNotional : null);
  const capital = num(capitalText);
  const bankroll = num(inputs.startingBankroll) ?? num(m['startingWallet']);

  const scores: RunAnalysis['scores'] = {
    spreadCapture: null,
    inventory: null,
    hedging: null,
    risk: null,
    capitalReturn: null,
  };
  const take = (name: SubScoreName, outcome: Outcome) => {
    if (outcome.sub) scores[name] = outcome.sub;
    else if (outcome.note) notes.push(outcome.note);
  };
  const mm = inputs.marketMaking;
  if (mm) {
    if (mm.fills > 0 && mm.windowFills === 0) {
      notes.push(
        `None of the ${mm.fills} fills names a window (a conditionId with outcome Up or Down): spread capture, inventory and hedging are not scored.`,
      );
    } else {
      take('spreadCapture', scoreSpreadCapture(mm, c));
      take('inventory', scoreInventory(mm, c));
      take('hedging', scoreHedging(mm, c));
    }
  } else {
    notes.push(
      "Quick score from the run's totals: spread capture, inventory and hedging need the run's fills and come with the full analysis.",
    );
  }
  take('risk', scoreRisk(inputs, c));
  take('capitalReturn', scoreCapitalReturn(inputs, c));
  if (!bankroll || bankroll <= 0) notes.push('No starting bankroll: risk is not scored.');

  const overallScore = overallOf(scores, c.weights);
  if (SUB_SCORES.every((name) => scores[name] === null))
    notes.push('Nothing to score yet: no fills in a window, no bankroll and no capital deployed.');
  const thin = fills < THIN_DATA.minFills || inputs.durationSeconds < THIN_DATA.minSeconds;
  if (thin)
    notes.push(
      `Thin data (${fills} fills over ${Math.round(inputs.durationSeconds / 60)} min): treat the score as a rough sign.`,
    );

  const paired = num(m['pairedWindows']);
  const oneSided = num(m['oneSidedFills']);
  const pairedTotal = (paired ?? 0) + (oneSided ?? 0);
  const hedge = m['hedgeAnalytics'];

  return {
    runId: inputs.runId,
    overallScore,
    scores,
    weights: { ...c.weights },
    formula:
      'round(sum(weight * score) / sum(weight)) over the sub-scores that could be computed; weights ' +
      SUB_SCORES.map((name) => `${name} ${c.weights[name]}`).join(', '),
    dataQuality: thin ? 'thin' : 'ok',
    notes,
    summary: {
      totalPnl: totalPnlText,
      realizedPnl:
        text(m['realizedPnl']) ?? (inputs.trades.wins + inputs.trades.losses > 0 ? inputs.trades.pnl : null),
      fillRate: fillRate === null ? null : Math.round(fillRate * 1e4) / 1e4,
      trades: inputs.trades.total,
      fills,
      winCount: num(m['winCount']) ?? inputs.trades.wins,
      lossCount: num(m['lossCount']) ?? inputs.trades.losses,
      maxDrawdown: drawdownText ?? null,
      durationSeconds: inputs.durationSeconds,
      avgSpreadCaptured: text(m['avgSpreadCaptured']),
      capitalEfficiency:
        capital !== null && capital > 0 ? Math.round((totalPnl / capital) * 1e4) / 1e4 : null,
      peakCapitalDeployed: capitalText,
      oneSidedFillRatio: pairedTotal > 0 ? Math.round(((oneSided ?? 0) / pairedTotal) * 1e4) / 1e4 : null,
      pairingQuality: pairedTotal > 0 ? Math.round(((paired ?? 0) / pairedTotal) * 1e4) / 1e4 : null,
      hedgeAnalytics:
        hedge && typeof hedge === 'object' && !Array.isArray(hedge)
          ? (hedge as Record<string, unknown>)
          : null,
    },
    breakdowns: inputs.breakdowns,
    analyzedAt: now.toISOString(),
    engineVersion: ENGINE_VERSION,
  };
}

export type { BreakdownRow };
