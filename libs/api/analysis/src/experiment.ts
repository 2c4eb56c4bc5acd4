import { EVIDENCE, holm, normalCdf, seededRandom, tToZ, zFor } from './evidence';

/**
 * The statistics of an experiment: two or more config versions compared over the segments run with
 * them (a segment: part of one run under one version). P&L per hour is the ratio estimator
 * sum(P&L) / sum(hours) of a version's segments; each version is compared with the first (the
 * baseline) by a bootstrap over segments (segments resampled with replacement within each version):
 * the difference over its bootstrap standard error, read on Student's t with (fewer segments − 1)
 * degrees of freedom, gives the p-value and the interval (a plain percentile interval is too narrow
 * with a dozen segments); with more than two versions the p-values are Holm-corrected. Floats: these are statistics of the exact sums, never stored as money.
 */
export const EXPERIMENT = {
  level: EVIDENCE.level,
  resamples: 2000,
  /** A version needs this many segments before it is compared at all. */
  minSegments: 3,
} as const;

export interface ExperimentSegment {
  runId: number;
  /** Hours under the version in this segment. */
  hours: number;
  /** Realised P&L in it (USDC). */
  pnl: number;
  orders: number;
  fills: number;
  /** Largest fall of the run's P&L within the segment (USDC, ≥ 0). */
  maxDrawdown: number;
  /** The sub-scores (and `overall`) of the run's newest analysis; absent or null: not scored. */
  scores?: Readonly<Record<string, number | null>> | null;
}

/** A sub-score of a version: its runs' scores weighted by their hours under it, with a bootstrap interval. */
export interface VersionSubScore {
  name: string;
  mean: number | null;
  low: number | null;
  high: number | null;
  /** Segments that had this score. */
  segments: number;
}

export interface VersionFigures {
  configId: number;
  segments: ExperimentSegment[];
}

export interface VersionSummary {
  configId: number;
  hours: number;
  runs: number;
  segments: number;
  pnl: number;
  pnlPerHour: number | null;
  /** Percentile interval of its P&L per hour (bootstrap over its segments). */
  pnlPerHourLow: number | null;
  pnlPerHourHigh: number | null;
  fillRate: number | null;
  maxDrawdown: number;
  /** The overall score first, then each sub-score, in the order first met. */
  subScores: VersionSubScore[];
}

export interface Comparison {
  configId: number;
  baselineConfigId: number;
  /** This version's P&L per hour minus the baseline's. */
  difference: number | null;
  low: number | null;
  high: number | null;
  /** Two-sided bootstrap p-value, Holm-adjusted over the comparisons. */
  p: number | null;
  significant: boolean;
  /** About how many more hours (of both, in the current proportion) would make a difference this size significant. */
  moreHoursNeeded: number | null;
  verdict: string;
}

export interface ExperimentResult {
  method: string;
  versions: VersionSummary[];
  comparisons: Comparison[];
}

export const EXPERIMENT_METHOD =
  `P&L per hour = realised P&L ÷ hours over each version's segments; each version against the first by a bootstrap over segments ` +
  `(${EXPERIMENT.resamples} resamples within each version): the difference over its bootstrap standard error on Student's t ` +
  `(fewer segments − 1 degrees of freedom) gives the p-value and the ${Math.round(EXPERIMENT.level * 100)} % interval, ` +
  `Holm-corrected when more than two versions are compared; a version needs ${EXPERIMENT.minSegments} segments to be compared. ` +
  `Scores: each run's analysis scores (overall and sub-scores), weighted by the run's hours under the version (a run that ran two versions ` +
  `counts its whole-run scores under both, by hours), with a ${Math.round(EXPERIMENT.level * 100)} % percentile interval from the same bootstrap over segments.`;

const rate = (segments: readonly ExperimentSegment[]) => {
  const hours = segments.reduce((a, s) => a + s.hours, 0);
  return hours > 0 ? segments.reduce((a, s) => a + s.pnl, 0) / hours : null;
};
const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

/** One bootstrap draw of a version's segments, as its P&L per hour. */
function resampleRate(segments: readonly ExperimentSegment[], random: () => number): number | null {
  let pnl = 0;
  let hours = 0;
  for (let k = 0; k < segments.length; k++) {
    const s = segments[Math.floor(random() * segments.length)];
    pnl += s.pnl;
    hours += s.hours;
  }
  return hours > 0 ? pnl / hours : null;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** The names of the scores the segments carry: overall first, then in the order first met. */
function scoreNames(segments: readonly ExperimentSegment[]): string[] {
  const names = new Set<string>();
  for (const s of segments)
    for (const [name, value] of Object.entries(s.scores ?? {}))
      if (value !== null && Number.isFinite(value)) names.add(name);
  return [...names].sort((a, b) => (a === 'overall' ? -1 : b === 'overall' ? 1 : 0));
}

/** Hours-weighted mean of one score over the segments that have it (null: none has it). */
function weightedScore(
  segments: readonly ExperimentSegment[],
  name: string,
  pick: (i: number) => number = (i) => i,
): number | null {
  let sum = 0;
  let hours = 0;
  for (let k = 0; k < segments.length; k++) {
    const s = segments[pick(k)];
    const value = s.scores?.[name];
    if (value === null || value === undefined || !Number.isFinite(value) || s.hours <= 0) continue;
    sum += value * s.hours;
    hours += s.hours;
  }
  return hours > 0 ? sum / hours : null;
}

/** Each score of a version with its interval: the segments resampled with replacement, as for P&L per hour. */
function subScoresOf(segments: readonly ExperimentSegment[], random: () => number): VersionSubScore[] {
  const tail = (1 - EXPERIMENT.level) / 2;
  return scoreNames(segments).map((name) => {
    const having = segments.filter(
      (s) => s.scores?.[name] !== null && s.scores?.[name] !== undefined && s.hours > 0,
    );
    const mean = weightedScore(segments, name);
    if (having.length < EXPERIMENT.minSegments || mean === null)
      return {
        name,
        mean: mean === null ? null : round(mean, 1),
        low: null,
        high: null,
        segments: having.length,
      };
    const draws: number[] = [];
    for (let b = 0; b < EXPERIMENT.resamples; b++) {
      const draw = weightedScore(having, name, () => Math.floor(random() * having.length));
      if (draw !== null) draws.push(draw);
    }
    const sorted = Float64Array.from(draws).sort();
    return {
      name,
      mean: round(mean, 1),
      low: round(percentile(sorted, tail), 1),
      high: round(percentile(sorted, 1 - tail), 1),
      segments: having.length,
    };
  });
}

/** Compares the versions (the first is the baseline); `seed` makes the result reproducible. */
export function compareVersions(versions: readonly VersionFigures[], seed = 1): ExperimentResult {
  const random = seededRandom(seed);
  // the scores' intervals draw from their own stream, so adding them changed no P&L comparison
  const scoreRandom = seededRandom(seed + 7919);
  const tail = (1 - EXPERIMENT.level) / 2;
  const summaries: VersionSummary[] = versions.map((v) => {
    const hours = v.segments.reduce((a, s) => a + s.hours, 0);
    const orders = v.segments.reduce((a, s) => a + s.orders, 0);
    let low: number | null = null;
    let high: number | null = null;
    if (v.segments.length >= EXPERIMENT.minSegments) {
      const draws = new Float64Array(EXPERIMENT.resamples);
      for (let b = 0; b < draws.length; b++) draws[b] = resampleRate(v.segments, random) ?? 0;
      draws.sort();
      low = round(percentile(draws, tail));
      high = round(percentile(draws, 1 - tail));
    }
    const perHour = rate(v.segments);
    return {
      configId: v.configId,
      hours: round(hours, 2),
      runs: new Set(v.segments.map((s) => s.runId)).size,
      segments: v.segments.length,
      pnl: round(v.segments.reduce((a, s) => a + s.pnl, 0)),
      pnlPerHour: perHour === null ? null : round(perHour),
      pnlPerHourLow: low,
      pnlPerHourHigh: high,
      fillRate: orders > 0 ? round(v.segments.reduce((a, s) => a + s.fills, 0) / orders) : null,
      maxDrawdown: round(Math.max(0, ...v.segments.map((s) => s.maxDrawdown))),
      subScores: subScoresOf(v.segments, scoreRandom),
    };
  });
  const [baseline, ...others] = versions;
  const raw = others.map((v) => {
    const base = baseline ? rate(baseline.segments) : null;
    const mine = rate(v.segments);
    if (
      !baseline ||
      base === null ||
      mine === null ||
      v.segments.length < EXPERIMENT.minSegments ||
      baseline.segments.length < EXPERIMENT.minSegments
    ) {
      return { v, difference: null, low: null, high: null, p: null, se: null, df: 0 };
    }
    const draws = new Float64Array(EXPERIMENT.resamples);
    for (let b = 0; b < draws.length; b++)
      draws[b] = (resampleRate(v.segments, random) ?? 0) - (resampleRate(baseline.segments, random) ?? 0);
    const mean = draws.reduce((a, d) => a + d, 0) / draws.length;
    const se = Math.sqrt(draws.reduce((a, d) => a + (d - mean) ** 2, 0) / (draws.length - 1));
    const df = Math.min(v.segments.length, baseline.segments.length) - 1;
    const difference = mine - base;
    const z = se > 0 ? tToZ(difference / se, df) : 0;
    const p = se > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
    const half = tCritical(df) * se;
    return { v, difference, low: difference - half, high: difference + half, p, se, df };
  });
  const adjusted = holm(raw.map((r) => r.p ?? 1));
  const comparisons: Comparison[] = raw.map((r, i) => {
    const hours = summaries.find((s) => s.configId === r.v.configId)?.hours ?? 0;
    const baseHours = summaries[0]?.hours ?? 0;
    const runs = new Set([...r.v.segments, ...(baseline?.segments ?? [])].map((s) => s.runId)).size;
    if (r.difference === null || r.low === null || r.high === null || r.p === null) {
      return {
        configId: r.v.configId,
        baselineConfigId: baseline?.configId ?? 0,
        difference: null,
        low: null,
        high: null,
        p: null,
        significant: false,
        moreHoursNeeded: null,
        verdict: `Not enough data yet: each version needs at least ${EXPERIMENT.minSegments} segments (v${r.v.configId} has ${r.v.segments.length}, v${baseline?.configId ?? '?'} has ${baseline?.segments.length ?? 0}).`,
      };
    }
    const significant = adjusted[i] < 1 - EXPERIMENT.level && (r.low > 0 || r.high < 0);
    const z = r.se && r.se > 0 ? Math.abs(r.difference) / r.se : 0;
    const needed = tCritical(r.df);
    // hours to two decimals: a demo at x30 compares versions over minutes, not hours
    const more =
      significant || z === 0
        ? null
        : Math.max(0.01, Math.ceil((hours + baseHours) * ((needed / z) ** 2 - 1) * 100) / 100);
    const interval = `${Math.round(EXPERIMENT.level * 100)} % CI ${fmt(r.low)} to ${fmt(r.high)}`;
    const verdict = significant
      ? `v${r.v.configId} earns ${fmt(Math.abs(r.difference))} USDC/h ${r.difference > 0 ? 'more' : 'less'} than v${baseline?.configId}, ${interval}, from ${runs} runs (${round(hours + baseHours, 1)} h).`
      : `Not enough evidence yet (v${r.v.configId} − v${baseline?.configId}: ${fmt(r.difference)} USDC/h, ${interval}): about ${moreText(more)} needed.`;
    return {
      configId: r.v.configId,
      baselineConfigId: baseline?.configId ?? 0,
      difference: round(r.difference),
      low: round(r.low),
      high: round(r.high),
      p: round(adjusted[i]),
      significant,
      moreHoursNeeded: more,
      verdict,
    };
  });
  return { method: EXPERIMENT_METHOD, versions: summaries, comparisons };
}

/** "40 more hours", "1 more hour", "25 more minutes" (under an hour). */
function moreText(hours: number | null): string {
  if (hours === null) return '? more hours';
  if (hours < 1) {
    const minutes = Math.max(1, Math.ceil(hours * 60));
    return `${minutes} more minute${minutes === 1 ? '' : 's'}`;
  }
  const whole = Math.ceil(hours);
  return `${whole} more hour${whole === 1 ? '' : 's'}`;
}

function fmt(value: number): string {
  return value.toFixed(2);
}

/** The t beyond which a two-sided tail holds 1 − EXPERIMENT.level, for `df` degrees of freedom (bisection on tToZ). */
function tCritical(df: number): number {
  const target = zFor(1 - EXPERIMENT.level);
  let low = 0;
  let high = 100;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (tToZ(mid, df) < target) low = mid;
    else high = mid;
  }
  return high;
}
