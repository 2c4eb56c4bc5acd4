import type { Analysis, AnalysisSummary, BreakdownRow, Breakdowns, SubScore, SubScores, Suggestion } from '@polymaker/admin/data-access';
import { formatDecimal } from '@polymaker/admin/util';

export interface ScoreRow {
  key: keyof SubScores;
  label: string;
  weight: number | null;
  score: number | null;
  /** 0–100, for the bar width */
  pct: number;
  formula: string | null;
  inputs: Array<[string, string]>;
}

const SCORE_LABELS: Record<keyof SubScores, string> = {
  profitability: 'Profitability',
  execution: 'Execution',
  risk: 'Risk',
  efficiency: 'Efficiency',
};

/** A value for display: numbers rounded sensibly, arrays and objects as compact JSON. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 10_000) / 10_000);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The four sub-scores in a fixed order, with their weight, inputs and formula (null score: not computable for this run). */
export function scoreRows(scores: SubScores, weights: Record<string, number> = {}): ScoreRow[] {
  return (Object.keys(SCORE_LABELS) as Array<keyof SubScores>).map((key) => {
    const s: SubScore | null = scores[key];
    const score = s ? s.score : null;
    return {
      key,
      label: SCORE_LABELS[key],
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
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '—' : `${(ratio * 100).toFixed(digits)} %`;
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
    { label: 'Win / loss', value: `${s.winCount} / ${s.lossCount}${decided ? ` (${percent(s.winCount / decided, 0)} won)` : ''}` },
    { label: 'Max drawdown', value: s.maxDrawdown === null ? '—' : formatDecimal(s.maxDrawdown, 2) },
    { label: 'Capital efficiency', value: s.capitalEfficiency === null ? '—' : `${formatDecimal(s.capitalEfficiency, 4)} per $` },
    { label: 'Pairing quality', value: percent(s.pairingQuality) },
    { label: 'Avg spread captured', value: s.avgSpreadCaptured === null ? '—' : formatDecimal(s.avgSpreadCaptured, 4) },
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
export function breakdownRows(breakdowns: Breakdowns, key: BreakdownKey): Array<BreakdownRow & { fillRate: string }> {
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
export function selectedIds(suggestions: readonly Suggestion[], checked: ReadonlySet<string>): string[] | null {
  const ids = suggestions.filter((s) => checked.has(s.id)).map((s) => s.id);
  return ids.length ? ids : null;
}
