import { CONFIG_KEYS, ConfigValue } from '@polymaker/api/config';
import type { AnalysisInputs, BreakdownRow } from './analysis-inputs';
import { num, RunAnalysis, THIN_DATA } from './score-run';

export interface Suggestion {
  /** Stable within its analysis: pass it to the apply endpoint. */
  id: string;
  key: string;
  current: ConfigValue;
  /** true when `current` is not set in the config and was read from what the run did instead. */
  currentObserved: boolean;
  suggested: ConfigValue;
  rationale: string;
  /** 0–1: how much the run's evidence supports the change (sample size and effect strength). */
  confidence: number;
  evidence: Record<string, number | string | null>;
}

export interface SuggestionSet {
  /** pending: run/stop's answer, before the full analysis has run. */
  status: 'ok' | 'thin-data' | 'nothing-to-change' | 'pending';
  message: string;
  items: Suggestion[];
}

type Draft = Omit<Suggestion, 'id' | 'suggested' | 'currentObserved' | 'confidence'> & {
  suggested: number | string[] | number[][];
  currentObserved?: boolean;
  strength: number;
};

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const money = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)} USDC`;

/** A number config value: the config's, else the schema default, else (observed) what the run did. */
function currentNumber(values: Record<string, unknown>, key: string, observed: number | null): { value: number | null; observed: boolean } {
  const set = num(values[key]);
  if (set !== null) return { value: set, observed: false };
  const def = num(CONFIG_KEYS.get(key)?.default);
  if (def !== null) return { value: def, observed: false };
  return { value: observed, observed: observed !== null };
}

/** Rounds to the key's type and keeps it inside the schema's bounds. */
export function fitToSchema(key: string, value: number): number {
  const spec = CONFIG_KEYS.get(key);
  let fitted = spec?.type === 'integer' ? Math.round(value) : Number(value.toPrecision(4));
  if (spec?.min !== undefined) fitted = Math.max(spec.min, fitted);
  if (spec?.max !== undefined) fitted = Math.min(spec.max, fitted);
  return fitted;
}

function stringList(value: unknown): string[] | null {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  return null;
}

function hourWindows(value: unknown): number[][] {
  return Array.isArray(value) ? value.filter((w): w is number[] => Array.isArray(w) && w.length === 2).map((w) => w.map(Number)) : [];
}

/** Merges single UTC hours (and existing [start, end) windows) into sorted, non-overlapping windows. */
export function mergeHourWindows(existing: number[][], hours: number[]): number[][] {
  const covered = new Set<number>();
  for (const [start, end] of existing) for (let h = start; h !== end && covered.size < 24; h = (h + 1) % 24) covered.add(h);
  for (const h of hours) covered.add(h);
  const sorted = [...covered].sort((a, b) => a - b);
  const windows: number[][] = [];
  for (const hour of sorted) {
    const last = windows[windows.length - 1];
    if (last && last[1] === hour) last[1] = hour + 1;
    else windows.push([hour, hour + 1]);
  }
  return windows;
}

/**
 * Proposes config changes backed by the run's numbers. Each rule cites what it saw; nothing is
 * suggested from a thin run. Values stay inside the schema's bounds; one suggestion per key.
 */
export function suggestChanges(inputs: AnalysisInputs, analysis: RunAnalysis): SuggestionSet {
  const s = analysis.summary;
  if (analysis.dataQuality === 'thin') {
    return {
      status: 'thin-data',
      message:
        `Data too thin to suggest changes: ${s.fills} fills over ${Math.round(s.durationSeconds / 60)} min ` +
        `(need at least ${THIN_DATA.minFills} fills and ${THIN_DATA.minSeconds / 60} min).`,
      items: [],
    };
  }
  const values = inputs.config?.values ?? {};
  const m = inputs.metrics;
  const drafts: Draft[] = [];
  const orders = s.trades > 0 ? s.trades : (num(m['totalOrders']) ?? 0);
  const fillRate = s.fillRate;
  const pnl = num(s.totalPnl) ?? 0;
  const bankroll = num(inputs.startingBankroll) ?? num(m['startingWallet']);
  const drawdown = num(s.maxDrawdown);
  const ddRatio = bankroll && drawdown !== null ? drawdown / bankroll : null;
  const maxLoss = currentNumber(values, 'maxLossPct', null).value ?? 0.2;
  const spread = currentNumber(values, 'mmSpreadMin', num(s.avgSpreadCaptured));
  const spreadMax = num(values['mmSpreadMax']);

  // Execution: quotes too wide to fill, or filling eagerly at a loss.
  if (fillRate !== null && fillRate < 0.25 && orders >= 40 && spread.value !== null && spread.value > 0) {
    drafts.push({
      key: 'mmSpreadMin',
      current: spread.value,
      currentObserved: spread.observed,
      suggested: fitToSchema('mmSpreadMin', spread.value * 0.8),
      rationale:
        `Fill rate was ${pct(fillRate)} (${s.fills} fills of ${orders} orders): quotes at a spread of at least ${spread.value} ` +
        `rarely filled. Narrowing mmSpreadMin by 20% should raise fills.`,
      evidence: { fillRate, fills: s.fills, orders },
      strength: (0.25 - fillRate) / 0.25,
    });
  } else if (fillRate !== null && fillRate > 0.7 && pnl < 0 && spread.value !== null && spread.value > 0) {
    const widened = fitToSchema('mmSpreadMin', spread.value * 1.25);
    drafts.push({
      key: 'mmSpreadMin',
      current: spread.value,
      currentObserved: spread.observed,
      suggested: spreadMax !== null ? Math.min(widened, spreadMax) : widened,
      rationale:
        `Fill rate was ${pct(fillRate)} but the run lost ${money(pnl)}: fills came too easily at a spread of ${spread.value}. ` +
        `Widening mmSpreadMin by 25% should capture more per fill.`,
      evidence: { fillRate, totalPnl: s.totalPnl, avgSpreadCaptured: s.avgSpreadCaptured },
      strength: Math.min(1, (fillRate - 0.7) / 0.3 + 0.3),
    });
  }

  // Risk: drawdown measured against the run's own loss limit.
  const observedSize = num(inputs.trades.avgSize);
  const size = currentNumber(values, 'mmOrderSize', observedSize);
  if (ddRatio !== null && ddRatio >= maxLoss * 0.5) {
    if (size.value !== null && size.value > 0) {
      drafts.push({
        key: 'mmOrderSize',
        current: size.value,
        currentObserved: size.observed,
        suggested: fitToSchema('mmOrderSize', size.value * 0.75),
        rationale:
          `Max drawdown was ${drawdown} USDC, ${pct(ddRatio)} of the ${bankroll} USDC bankroll: over half of maxLossPct ` +
          `(${pct(maxLoss)}). Smaller orders (-25%) keep a bad stretch further from the loss limit.`,
        evidence: { maxDrawdown: s.maxDrawdown, bankroll, drawdownRatio: Math.round(ddRatio * 1e4) / 1e4, maxLossPct: maxLoss },
        strength: Math.min(1, ddRatio / maxLoss),
      });
    }
    const budget = num(values['budgetPerMarket']);
    if (budget !== null && budget > 0) {
      drafts.push({
        key: 'budgetPerMarket',
        current: budget,
        currentObserved: false,
        suggested: fitToSchema('budgetPerMarket', budget * 0.75),
        rationale: `Max drawdown reached ${pct(ddRatio)} of bankroll (limit ${pct(maxLoss)}): cap each market window at 25% less capital.`,
        evidence: { maxDrawdown: s.maxDrawdown, bankroll, budgetPerMarket: budget },
        strength: Math.min(1, ddRatio / maxLoss),
      });
    }
    if (ddRatio >= maxLoss * 0.75) {
      const windows = currentNumber(values, 'maxConcurrentWindows', null).value;
      if (windows !== null && windows > 1) {
        drafts.push({
          key: 'maxConcurrentWindows',
          current: windows,
          currentObserved: false,
          suggested: fitToSchema('maxConcurrentWindows', windows - 1),
          rationale: `Drawdown came within ${pct(maxLoss - ddRatio)} of the loss limit: trade one market window fewer at a time.`,
          evidence: { drawdownRatio: Math.round(ddRatio * 1e4) / 1e4, maxLossPct: maxLoss, maxConcurrentWindows: windows },
          strength: Math.min(1, ddRatio / maxLoss),
        });
      }
    }
  } else if (
    bankroll &&
    pnl / bankroll > 0.01 &&
    (ddRatio ?? 0) < maxLoss * 0.25 &&
    fillRate !== null &&
    fillRate >= 0.3 &&
    size.value !== null &&
    size.value > 0
  ) {
    drafts.push({
      key: 'mmOrderSize',
      current: size.value,
      currentObserved: size.observed,
      suggested: fitToSchema('mmOrderSize', size.value * 1.2),
      rationale:
        `The run made ${money(pnl)} (${pct(pnl / bankroll)} of bankroll) with a drawdown of only ${pct(ddRatio ?? 0)} ` +
        `and a ${pct(fillRate)} fill rate: there is room for 20% larger orders.`,
      evidence: { totalPnl: s.totalPnl, bankroll, drawdownRatio: ddRatio === null ? null : Math.round(ddRatio * 1e4) / 1e4, fillRate },
      strength: Math.min(1, (pnl / bankroll) * 20),
    });
  }

  // Time of day: UTC hours that lost money while the rest of the run made it.
  const hours = inputs.breakdowns.hour.filter((row) => row.fills >= 5);
  const losing = hours.filter((row) => (num(row.pnl) ?? 0) < 0).sort((a, b) => (num(a.pnl) ?? 0) - (num(b.pnl) ?? 0)).slice(0, 3);
  const lost = sumPnl(losing);
  const rest = sumPnl(inputs.breakdowns.hour) - lost;
  if (losing.length > 0 && losing.length < inputs.breakdowns.hour.length && rest > 0) {
    const existing = hourWindows(values['tradingBlackoutWindows']);
    const proposed = mergeHourWindows(existing, losing.map((row) => Number(row.key)));
    drafts.push({
      key: 'tradingBlackoutWindows',
      current: existing.length > 0 ? existing : null,
      suggested: proposed,
      rationale:
        `UTC hour${losing.length > 1 ? 's' : ''} ${losing.map((row) => Number(row.key)).join(', ')} lost ${money(lost)} over ` +
        `${losing.reduce((n, row) => n + row.fills, 0)} fills while the other hours made ${money(rest)}: pause trading then.`,
      evidence: { losingHoursPnl: lost.toFixed(4), otherHoursPnl: rest.toFixed(4) },
      strength: Math.min(1, -lost / Math.max(rest, 0.01)),
    });
  }

  // Assets: one asset losing while the others win.
  const assets = stringList(values['targetAssets']) ?? stringList(CONFIG_KEYS.get('targetAssets')?.default) ?? [];
  const byAsset = inputs.breakdowns.asset.filter((row) => row.fills >= 10 && assets.includes(row.key.toUpperCase()));
  const worst = [...byAsset].sort((a, b) => (num(a.pnl) ?? 0) - (num(b.pnl) ?? 0))[0];
  const othersPnl = worst ? sumPnl(inputs.breakdowns.asset) - (num(worst.pnl) ?? 0) : 0;
  if (worst && (num(worst.pnl) ?? 0) < 0 && othersPnl > 0 && assets.length >= 2) {
    drafts.push({
      key: 'targetAssets',
      current: assets,
      suggested: assets.filter((asset) => asset !== worst.key.toUpperCase()),
      rationale: `${worst.key} lost ${money(num(worst.pnl) ?? 0)} over ${worst.fills} fills while the other assets made ${money(othersPnl)}: drop it.`,
      evidence: { asset: worst.key, assetPnl: worst.pnl, assetFills: worst.fills, otherAssetsPnl: othersPnl.toFixed(4) },
      strength: Math.min(1, -(num(worst.pnl) ?? 0) / Math.max(othersPnl, 0.01)),
    });
  }

  // Pairing: too many one-sided fills (the other side never filled).
  if (s.oneSidedFillRatio !== null && s.oneSidedFillRatio > 0.3) {
    const paired = num(m['pairedWindows']) ?? 0;
    const oneSided = num(m['oneSidedFills']) ?? 0;
    if (paired + oneSided >= 10) {
      const tier1 = currentNumber(values, 'hedgeTier1Pct', null).value;
      if (tier1 !== null && tier1 < 100) {
        drafts.push({
          key: 'hedgeTier1Pct',
          current: tier1,
          currentObserved: false,
          suggested: fitToSchema('hedgeTier1Pct', tier1 + 10),
          rationale: `${oneSided} of ${paired + oneSided} windows (${pct(s.oneSidedFillRatio)}) ended one-sided: start the first hedge tier earlier.`,
          evidence: { oneSidedFills: oneSided, pairedWindows: paired, oneSidedFillRatio: s.oneSidedFillRatio },
          strength: Math.min(1, (s.oneSidedFillRatio - 0.3) / 0.4 + 0.2),
        });
      }
      const gate = currentNumber(values, 'momentumGate', null).value;
      if (gate !== null && gate > 0) {
        drafts.push({
          key: 'momentumGate',
          current: gate,
          currentObserved: false,
          suggested: fitToSchema('momentumGate', gate * 0.75),
          rationale: `${pct(s.oneSidedFillRatio)} one-sided fills suggest quotes were hit during moves: tighten the momentum gate by 25%.`,
          evidence: { oneSidedFillRatio: s.oneSidedFillRatio, momentumGate: gate },
          strength: Math.min(1, (s.oneSidedFillRatio - 0.3) / 0.4),
        });
      }
    }
  }

  const seen = new Set<string>();
  const sample = Math.min(1, s.fills / 200);
  const items: Suggestion[] = [];
  for (const draft of drafts) {
    if (seen.has(draft.key) || JSON.stringify(draft.suggested) === JSON.stringify(draft.current)) continue;
    seen.add(draft.key);
    const { strength, ...rest } = draft;
    items.push({
      ...rest,
      id: `s${items.length + 1}`,
      currentObserved: draft.currentObserved ?? false,
      confidence: Math.round(Math.max(0.3, Math.min(0.9, 0.3 + 0.35 * sample + 0.25 * Math.max(0, strength))) * 100) / 100,
    });
  }
  return items.length > 0
    ? { status: 'ok', message: `${items.length} change${items.length > 1 ? 's' : ''} suggested from this run.`, items }
    : { status: 'nothing-to-change', message: 'Nothing in this run points to a config change.', items };
}

function sumPnl(rows: BreakdownRow[]): number {
  return rows.reduce((total, row) => total + (num(row.pnl) ?? 0), 0);
}
