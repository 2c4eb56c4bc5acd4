import type {
  Analysis,
  AnalysisSummary,
  BreakdownRow,
  Breakdowns,
  SubScore,
  SubScores,
  Suggestion,
} from '@polymaker/admin/data-access';
import { formatDecimal } from '@polymaker/admin/util';

export interface ScoreRow {
  key: string;
  label: string;
  /** What the sub-score rewards, in plain words (null for analyses stored before engine 3). */
  rewards: string | null;
  weight: number | null;
  score: number | null;
  /** 0–100, for the bar width */
  pct: number;
  formula: string | null;
  inputs: Array<[string, string]>;
}

/**
 * Names of the sub-scores an analysis may hold: engine 3's, then those of analyses stored by engine 2
 * and before (still shown as stored). A sub-score's own label, when it has one, wins.
 */
const SCORE_LABELS: Record<string, string> = {
  spreadCapture: 'Spread capture',
  inventory: 'Inventory',
  hedging: 'Hedging',
  risk: 'Risk',
  capitalReturn: 'Capital return',
  profitability: 'Profitability',
  execution: 'Execution',
  efficiency: 'Efficiency',
};

const ENGINE_3_ORDER = ['spreadCapture', 'inventory', 'hedging', 'risk', 'capitalReturn'];
const ENGINE_2_ORDER = ['profitability', 'execution', 'risk', 'efficiency'];

/** "capitalReturn" → "Capital return", for a sub-score this app does not know yet. */
function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A value for display: numbers rounded sensibly, arrays and objects as compact JSON. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 10_000) / 10_000);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The sub-scores the analysis holds, whatever its engine: the known ones in their engine's order
 * (engine 3's, or engine 2's for an analysis stored before), then any other it has, each with its weight, what it rewards, inputs and formula (null score:
 * not computable for this run).
 */
export function scoreRows(scores: SubScores, weights: Record<string, number> = {}): ScoreRow[] {
  const held = new Map(Object.entries(scores) as Array<[string, SubScore | null | undefined]>);
  // the engine's own order, not the weights' key order: stored as jsonb, an object's keys come back shortest first
  const order = ENGINE_2_ORDER.some((k) => k !== 'risk' && held.has(k)) ? ENGINE_2_ORDER : ENGINE_3_ORDER;
  const known = order.filter((k) => held.has(k) || k in weights);
  const keys = [...new Set([...known, ...held.keys(), ...Object.keys(weights)])];
  return keys.map((key) => {
    const s = held.get(key) ?? null;
    const score = s ? s.score : null;
    return {
      key,
      label: s?.label ?? SCORE_LABELS[key] ?? humanize(key),
      rewards: s?.rewards ?? null,
      weight: typeof weights[key] === 'number' ? weights[key] : null,
      score,
      pct: score === null ? 0 : Math.max(0, Math.min(100, score)),
      formula: s?.formula ?? null,
      inputs: Object.entries(s?.inputs ?? {}).map(([k, v]) => [k, showValue(v)] as [string, string]),
    };
  });
}

/** "0.1534" → "15.3 %" (null → "—"). */
export function percent(ratio: number | null | undefined, digits = 1): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio)
    ? '—'
    : `${(ratio * 100).toFixed(digits)} %`;
}

export interface Figure {
  label: string;
  value: string;
  /** money values are shown signed and coloured */
  money?: string | null;
  testId?: string;
}

/** The summary figures of an analysis, ready to show (money stays an exact decimal string). */
export function summaryFigures(s: AnalysisSummary): Figure[] {
  const decided = s.winCount + s.lossCount;
  return [
    { label: 'Total P&L', value: '', money: s.totalPnl, testId: 'analysis-pnl' },
    { label: 'Realized P&L', value: '', money: s.realizedPnl },
    { label: 'Fill rate', value: percent(s.fillRate), testId: 'analysis-fill-rate' },
    { label: 'Fills / trades', value: `${s.fills} / ${s.trades}` },
    {
      label: 'Win / loss',
      value: `${s.winCount} / ${s.lossCount}${decided ? ` (${percent(s.winCount / decided, 0)} won)` : ''}`,
    },
    { label: 'Max drawdown', value: s.maxDrawdown === null ? '—' : formatDecimal(s.maxDrawdown, 2) },
    {
      label: 'Capital efficiency',
      value: s.capitalEfficiency === null ? '—' : `${formatDecimal(s.capitalEfficiency, 4)} per $`,
    },
    { label: 'Pairing quality', value: percent(s.pairingQuality) },
    {
      label: 'Avg spread captured',
      value: s.avgSpreadCaptured === null ? '—' : formatDecimal(s.avgSpreadCaptured, 4),
    },
  ];
}

export type BreakdownKey = keyof Breakdowns;
export const BREAKDOWN_TABS: ReadonlyArray<{ key: BreakdownKey; label: string }> = [
  { key: 'asset', label: 'Asset' },
  { key: 'window', label: 'Window' },
  { key: 'outcome', label: 'Outcome' },
  { key: 'strategy', label: 'Strategy' },
  { key: 'hour', label: 'UTC hour' },
];

/** Rows of one breakdown, with the fill rate of each; hours in clock order, the rest by trades (most first). */
export function breakdownRows(
  breakdowns: Breakdowns,
  key: BreakdownKey,
): Array<BreakdownRow & { fillRate: string }> {
  const rows = [...(breakdowns[key] ?? [])];
  if (key === 'hour') rows.sort((a, b) => a.key.localeCompare(b.key));
  else rows.sort((a, b) => b.trades - a.trades || a.key.localeCompare(b.key));
  return rows.map((r) => ({ ...r, fillRate: r.trades ? percent(r.fills / r.trades) : '—' }));
}

/** The newest analysis first (by time, then id). */
export function newestFirst(list: readonly Analysis[]): Analysis[] {
  return [...list].sort((a, b) => b.analyzedAt.localeCompare(a.analyzedAt) || b.analysisId - a.analysisId);
}

/** The suggestion ids to send to apply: the checked ones, in the analysis' order; null when none is checked. */
export function selectedIds(
  suggestions: readonly Suggestion[],
  checked: ReadonlySet<string>,
): string[] | null {
  const ids = suggestions.filter((s) => checked.has(s.id)).map((s) => s.id);
  return ids.length ? ids : null;
}
