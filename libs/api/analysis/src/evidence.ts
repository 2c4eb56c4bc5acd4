/**
 * The statistics behind suggestions: how far an effect seen in one run (a group of its trades doing
 * better or worse than the rest) stands out from the run's own variability.
 *
 * Method (the same words are on the page and in the README): the run's resolved trades are resampled
 * with replacement EVIDENCE.resamples times (a bootstrap over trades, seeded by the run id so an
 * analysis is reproducible); in each resample every group's mean P&L per trade is compared with the
 * rest of the run. The spread of those differences is the effect's standard error; the effect over it,
 * read on Student's t with (smaller side − 1) degrees of freedom (a small group's own spread is itself
 * uncertain), gives a two-sided p-value, and the p-values of all the groups tested in one run are corrected together
 * (Holm–Bonferroni) so that a run of pure noise makes no suggestion at the stated level however many
 * assets, hours and strategies it has. Statistics are floats: they are ratios, never money sums.
 */

/** Named thresholds of the evidence (the page and the README quote them). */
export const EVIDENCE = {
  /** Family-wise level: the chance that a run of pure noise yields any suggestion from its groups. */
  level: 0.95,
  /** Bootstrap resamples of the run's trades. */
  resamples: 400,
  /** At most this many resolved trades are resampled (the newest; a sample of a bigger run). */
  maxTrades: 5000,
  /** A group needs this many resolved trades to be tested at all. */
  minGroupTrades: 20,
} as const;

/** One resolved trade as the tests see it. */
export interface TradeSample {
  asset: string;
  /** UTC hour it was logged, 0-23. */
  hour: number;
  strategy: string;
  pnl: number;
}

export type EffectDimension = 'asset' | 'hour' | 'strategy';

/** A group's difference from the rest of its run, with its evidence. */
export interface Effect {
  dimension: EffectDimension | 'run';
  key: string;
  /** Resolved trades in the group. */
  trades: number;
  /** Mean P&L per trade in the group (USDC). */
  mean: number;
  /** Mean P&L per trade of the rest of the run (0 for the whole run's own test). */
  restMean: number;
  /** mean - restMean (or the mean itself for the run's own test). */
  effect: number;
  /** Bootstrap standard error of the effect. */
  standardError: number;
  /** Percentile interval of the effect at EVIDENCE.level, before the family correction. */
  low: number;
  high: number;
  /** Two-sided p-value (normal approximation of the bootstrap distribution), Holm-adjusted within the run. */
  p: number;
  /** Distinguishable from noise at EVIDENCE.level, family-wise. */
  significant: boolean;
  /** Not significant yet: about how many more resolved trades of this group would make an effect this size significant. */
  moreTradesNeeded: number | null;
}

/** A small, fast, seedable PRNG (mulberry32): the same run gives the same resamples. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Student's t (ν degrees of freedom) mapped to the standard normal with the same tail (a Wallace-type
 * approximation, close for ν ≥ 5; conservative enough below): tails of small samples are not
 * underestimated.
 */
export function tToZ(t: number, df: number): number {
  if (!Number.isFinite(df) || df > 1e6) return t;
  const nu = Math.max(1, df);
  return (Math.sign(t) * Math.sqrt(nu * Math.log(1 + (t * t) / nu)) * (8 * nu + 1)) / (8 * nu + 3);
}

/** The z beyond which a two-sided tail holds `alpha` (bisection on normalCdf). */
export function zFor(alpha: number): number {
  let low = 0;
  let high = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (2 * (1 - normalCdf(mid)) > alpha) low = mid;
    else high = mid;
  }
  return high;
}

/** Wilson score interval of a proportion at `level` (two-sided). */
export function wilson(
  successes: number,
  trials: number,
  level: number = EVIDENCE.level,
): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const z = zFor(1 - level);
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Holm–Bonferroni: each p-value adjusted for the family it was tested in (monotone, capped at 1). */
export function holm(pValues: number[]): number[] {
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(pValues.length).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, p * (pValues.length - rank)));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * The effect of every group (asset, UTC hour, strategy) with at least EVIDENCE.minGroupTrades trades,
 * against the rest of the run, and the run's own mean P&L per trade against 0 (dimension 'run', key
 * ''), all from one bootstrap of the run's trades; p-values Holm-adjusted over all of them.
 */
export function bootstrapEffects(
  samples: readonly TradeSample[],
  seed: number,
  resamples: number = EVIDENCE.resamples,
): Effect[] {
  const n = samples.length;
  if (n < EVIDENCE.minGroupTrades) return [];
  type Group = { dimension: EffectDimension | 'run'; key: string; members: Uint8Array; size: number };
  const groups: Group[] = [];
  const dimensions: EffectDimension[] = ['asset', 'hour', 'strategy'];
  for (const dimension of dimensions) {
    const keys = new Map<string, number[]>();
    samples.forEach((sample, i) => {
      const key = dimension === 'hour' ? String(sample.hour) : sample[dimension];
      const list = keys.get(key);
      if (list) list.push(i);
      else keys.set(key, [i]);
    });
    if (keys.size < 2) continue; // one asset (or hour, or strategy) only: nothing to compare with
    for (const [key, indices] of keys) {
      if (indices.length < EVIDENCE.minGroupTrades || n - indices.length < EVIDENCE.minGroupTrades) continue;
      const members = new Uint8Array(n);
      for (const i of indices) members[i] = 1;
      groups.push({ dimension, key, members, size: indices.length });
    }
  }
  groups.push({ dimension: 'run', key: '', members: new Uint8Array(n).fill(1), size: n });

  const pnl = Float64Array.from(samples, (s) => s.pnl);
  const observed = groups.map((g) => difference(g, (i) => pnl[i], n));
  const draws = groups.map(() => new Float64Array(resamples));
  const random = seededRandom(seed);
  const picks = new Uint32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let k = 0; k < n; k++) picks[k] = Math.floor(random() * n);
    groups.forEach((g, gi) => {
      let inSum = 0;
      let inCount = 0;
      let outSum = 0;
      let outCount = 0;
      for (let k = 0; k < n; k++) {
        const i = picks[k];
        if (g.members[i]) {
          inSum += pnl[i];
          inCount += 1;
        } else {
          outSum += pnl[i];
          outCount += 1;
        }
      }
      const inMean = inCount > 0 ? inSum / inCount : 0;
      const outMean = outCount > 0 ? outSum / outCount : 0;
      draws[gi][b] = g.dimension === 'run' ? inMean : inMean - outMean;
    });
  }
  const raw = groups.map((g, gi) => {
    const values = draws[gi];
    const mean = values.reduce((a, v) => a + v, 0) / resamples;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, resamples - 1);
    const standardError = Math.sqrt(variance);
    const sorted = Float64Array.from(values).sort();
    const tail = (1 - EVIDENCE.level) / 2;
    const df = (g.dimension === 'run' ? n : Math.min(g.size, n - g.size)) - 1;
    const z = standardError > 0 ? tToZ(observed[gi].effect / standardError, df) : 0;
    return {
      g,
      standardError,
      low: sorted[Math.floor(tail * (resamples - 1))],
      high: sorted[Math.ceil((1 - tail) * (resamples - 1))],
      p: standardError > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1,
      z,
    };
  });
  const adjusted = holm(raw.map((r) => r.p));
  // the strictest Holm threshold: an effect not significant yet needs about this z to be
  const zStrict = zFor((1 - EVIDENCE.level) / raw.length);
  return raw.map((r, gi) => {
    const significant = adjusted[gi] < 1 - EVIDENCE.level;
    const more =
      significant || r.z === 0
        ? null
        : Math.max(1, Math.ceil(r.g.size * ((zStrict / Math.abs(r.z)) ** 2 - 1)));
    return {
      dimension: r.g.dimension,
      key: r.g.key,
      trades: r.g.size,
      mean: round(observed[gi].mean),
      restMean: round(observed[gi].restMean),
      effect: round(observed[gi].effect),
      standardError: round(r.standardError),
      low: round(r.low),
      high: round(r.high),
      p: Math.round(adjusted[gi] * 1e4) / 1e4,
      significant,
      moreTradesNeeded: more,
    };
  });
}

function difference(
  group: { dimension: string; members: Uint8Array },
  value: (i: number) => number,
  n: number,
): { mean: number; restMean: number; effect: number } {
  let inSum = 0;
  let inCount = 0;
  let outSum = 0;
  let outCount = 0;
  for (let i = 0; i < n; i++) {
    if (group.members[i]) {
      inSum += value(i);
      inCount += 1;
    } else {
      outSum += value(i);
      outCount += 1;
    }
  }
  const mean = inCount > 0 ? inSum / inCount : 0;
  const restMean = outCount > 0 ? outSum / outCount : 0;
  return group.dimension === 'run'
    ? { mean, restMean: 0, effect: mean }
    : { mean, restMean, effect: mean - restMean };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
