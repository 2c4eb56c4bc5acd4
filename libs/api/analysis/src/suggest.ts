import { CONFIG_KEYS, ConfigValue } from '@polymaker/api/config';
import type { AnalysisInputs } from './analysis-inputs';
import { Effect, EVIDENCE, wilson } from './evidence';
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
  /** 0–1: 1 minus the effect's family-adjusted p-value, raised by earlier runs that saw it and lowered by runs that saw the opposite; a risk-limit rule has none (it is not a statistical claim). */
  confidence: number;
  evidence: Record<string, number | string | null>;
}

/** An effect that points to a change but is not distinguishable from noise yet. */
export interface NotYet {
  key: string;
  message: string;
  moreTradesNeeded: number;
}

export interface SuggestionSet {
  /** pending: run/stop's answer, before the full analysis has run. */
  status: 'ok' | 'thin-data' | 'nothing-to-change' | 'pending';
  message: string;
  items: Suggestion[];
  /** How effects were tested (the page shows it). */
  method?: string;
  /** Every group tested (asset, UTC hour, strategy, the run as a whole): later runs of the same version read them. */
  effects?: Effect[];
  /** Changes the run points to without enough evidence yet, with about how many more trades would tell. */
  notYet?: NotYet[];
  /** Suggestions this run's evidence made but earlier runs of the same version contradict. */
  contradicted?: string[];
}

/** What earlier runs of the same config version saw (their analyses' effects). */
export interface PriorEvidence {
  runId: number;
  effects: Effect[];
}

type Draft = Omit<Suggestion, 'id' | 'suggested' | 'currentObserved' | 'confidence'> & {
  suggested: number | string[] | number[][];
  currentObserved?: boolean;
  /** The effect that carries it (null: a risk-limit or count rule). */
  basis: Effect | null;
  /** For a rule without an effect: its own confidence (0-1). */
  ruleConfidence?: number;
};

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const perTrade = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)} USDC per trade`;

/** The method, in the words the page shows. */
export const EVIDENCE_METHOD =
  `Bootstrap over the run's resolved trades (${EVIDENCE.resamples} resamples of at most ${EVIDENCE.maxTrades} trades); ` +
  `each asset, UTC hour and strategy with at least ${EVIDENCE.minGroupTrades} trades compared with the rest of the run, ` +
  `and the run's mean P&L per trade with 0; p-values Holm-corrected over all of them, ` +
  `a change suggested only at ${Math.round(EVIDENCE.level * 100)} % family-wise.`;

/** A number config value: the config's, else the schema default, else (observed) what the run did. */
function currentNumber(
  values: Record<string, unknown>,
  key: string,
  observed: number | null,
): { value: number | null; observed: boolean } {
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
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return null;
}

function hourWindows(value: unknown): number[][] {
  return Array.isArray(value)
    ? value.filter((w): w is number[] => Array.isArray(w) && w.length === 2).map((w) => w.map(Number))
    : [];
}

/** Merges single UTC hours (and existing [start, end) windows) into sorted, non-overlapping windows. */
export function mergeHourWindows(existing: number[][], hours: number[]): number[][] {
  const covered = new Set<number>();
  for (const [start, end] of existing)
    for (let h = start; h !== end && covered.size < 24; h = (h + 1) % 24) covered.add(h);
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

/** The thresholds every rule reads, by name (the README lists them). */
export const RULE_THRESHOLDS = {
  /** Spread rules: below this fill rate (Wilson upper bound) quotes are too wide to fill. */
  lowFillRate: 0.25,
  /** …with at least this many orders. */
  minOrdersForFillRate: 40,
  /** Above this fill rate, a run losing per trade beyond noise fills too easily. */
  highFillRate: 0.5,
  spreadNarrowFactor: 0.8,
  spreadWidenFactor: 1.25,
  /** Order size: up when the run earns per trade beyond noise and its drawdown stayed under this share of the loss limit. */
  sizeUpMaxDrawdownShare: 0.25,
  sizeUpFactor: 1.2,
  /** Risk limit (not statistical): drawdown at this share of maxLossPct shrinks orders and budgets… */
  sizeDownDrawdownShare: 0.5,
  sizeDownFactor: 0.75,
  /** …and at this share, one market window fewer at a time. */
  fewerWindowsDrawdownShare: 0.75,
  /** Per-asset momentum gate scale when an asset trails the others beyond noise but does not lose on its own. */
  gateScaleFactor: 0.8,
  /** One-sided windows (Wilson lower bound) above this share start the first hedge tier earlier. */
  oneSidedShare: 0.3,
  minPairingWindows: 10,
  hedgeTier1Step: 10,
  momentumGateFactor: 0.75,
  /** Hedge trades losing beyond noise: cap the last tier's loss and pay less for tier 3. */
  hedgeTier4MaxLossFactor: 0.75,
  hedgeTier3CostStep: 0.05,
  /** Arbitrage trades losing beyond noise: ask more profit before taking one. */
  arbMinProfitFactor: 1.5,
  /** At most this many "not enough evidence yet" lines. */
  notYetShown: 3,
} as const;
const T = RULE_THRESHOLDS;

interface RuleContext {
  inputs: AnalysisInputs;
  analysis: RunAnalysis;
  values: Record<string, unknown>;
  effects: Effect[];
  fillRate: number | null;
  orders: number;
  bankroll: number | null;
  ddRatio: number | null;
  maxLoss: number;
}

/** A named rule: what it looks at, and the drafts it makes. */
interface Rule {
  name: string;
  propose(ctx: RuleContext): Draft[];
}

const effectOf = (ctx: RuleContext, dimension: Effect['dimension'], key: string) =>
  ctx.effects.find((e) => e.dimension === dimension && e.key === key) ?? null;
const losing = (e: Effect) => e.significant && e.effect < 0;
const evidenceOf = (e: Effect): Record<string, number | string | null> => ({
  test: 'bootstrap',
  group: e.dimension === 'run' ? 'the whole run' : `${e.dimension} ${e.key}`,
  trades: e.trades,
  meanPnlPerTrade: e.mean,
  restMeanPnlPerTrade: e.dimension === 'run' ? null : e.restMean,
  effect: e.effect,
  ci95Low: e.low,
  ci95High: e.high,
  pAdjusted: e.p,
});
const GATE_SCALE_KEYS: Record<string, string> = {
  BTC: 'momentumGateScaleBtc',
  ETH: 'momentumGateScaleEth',
  SOL: 'momentumGateScaleSol',
  XRP: 'momentumGateScaleXrp',
};

/** The rules, in the order their suggestions are listed (one suggestion per key: the first wins). */
export const RULES: Rule[] = [
  {
    name: 'asset loses beyond noise: drop it, or gate it harder',
    propose(ctx) {
      const assets =
        stringList(ctx.values['targetAssets']) ?? stringList(CONFIG_KEYS.get('targetAssets')?.default) ?? [];
      const drafts: Draft[] = [];
      for (const e of ctx.effects
        .filter((x) => x.dimension === 'asset' && losing(x))
        .sort((a, b) => a.effect - b.effect)) {
        const asset = e.key.toUpperCase();
        if (e.mean < 0 && assets.includes(asset) && assets.length >= 2) {
          drafts.push({
            key: 'targetAssets',
            current: assets,
            suggested: assets.filter((a) => a !== asset),
            rationale: `${e.key} made ${perTrade(e.mean)} over ${e.trades} resolved trades against ${perTrade(e.restMean)} for the rest of the run: worse beyond noise (p ${e.p} after correction). Drop it.`,
            evidence: evidenceOf(e),
            basis: e,
          });
        } else if (GATE_SCALE_KEYS[asset]) {
          const key = GATE_SCALE_KEYS[asset];
          const current = currentNumber(ctx.values, key, null).value;
          if (current !== null && current > 0) {
            drafts.push({
              key,
              current,
              suggested: fitToSchema(key, current * T.gateScaleFactor),
              rationale: `${e.key} trailed the rest of the run by ${perTrade(e.effect)} over ${e.trades} trades (beyond noise, p ${e.p}) without losing on its own: a ${Math.round((1 - T.gateScaleFactor) * 100)} % smaller momentum-gate scale holds its quotes back on smaller moves.`,
              evidence: evidenceOf(e),
              basis: e,
            });
          }
        }
      }
      return drafts;
    },
  },
  {
    name: 'UTC hours lose beyond noise: black them out',
    propose(ctx) {
      const hours = ctx.effects.filter((e) => e.dimension === 'hour' && losing(e) && e.mean < 0);
      if (hours.length === 0) return [];
      const existing = hourWindows(ctx.values['tradingBlackoutWindows']);
      const strongest = [...hours].sort((a, b) => a.p - b.p)[0];
      return [
        {
          key: 'tradingBlackoutWindows',
          current: existing.length > 0 ? existing : null,
          suggested: mergeHourWindows(
            existing,
            hours.map((e) => Number(e.key)),
          ),
          rationale: `UTC hour${hours.length > 1 ? 's' : ''} ${hours.map((e) => Number(e.key)).join(', ')} lost beyond noise (${hours.map((e) => `${e.key}: ${perTrade(e.mean)} over ${e.trades} trades`).join('; ')}) while the rest of the run did better: pause trading then.`,
          evidence: evidenceOf(strongest),
          basis: strongest,
        },
      ];
    },
  },
  {
    name: 'the run loses per trade beyond noise while filling easily: widen the spread',
    propose(ctx) {
      const run = effectOf(ctx, 'run', '');
      const spread = currentNumber(ctx.values, 'mmSpreadMin', num(ctx.analysis.summary.avgSpreadCaptured));
      if (
        !run ||
        !losing(run) ||
        ctx.fillRate === null ||
        ctx.fillRate <= T.highFillRate ||
        spread.value === null ||
        spread.value <= 0
      )
        return [];
      const spreadMax = num(ctx.values['mmSpreadMax']);
      const widened = fitToSchema('mmSpreadMin', spread.value * T.spreadWidenFactor);
      return [
        {
          key: 'mmSpreadMin',
          current: spread.value,
          currentObserved: spread.observed,
          suggested: spreadMax !== null ? Math.min(widened, spreadMax) : widened,
          rationale: `The run made ${perTrade(run.mean)} over ${run.trades} resolved trades (below 0 beyond noise, p ${run.p}) with a ${pct(ctx.fillRate)} fill rate: fills came too easily at ${spread.value}. Widen mmSpreadMin by ${Math.round((T.spreadWidenFactor - 1) * 100)} %.`,
          evidence: { ...evidenceOf(run), fillRate: ctx.fillRate },
          basis: run,
        },
      ];
    },
  },
  {
    name: 'quotes rarely fill (Wilson bound): narrow the spread',
    propose(ctx) {
      const fills = ctx.analysis.summary.fills;
      const spread = currentNumber(ctx.values, 'mmSpreadMin', num(ctx.analysis.summary.avgSpreadCaptured));
      if (ctx.orders < T.minOrdersForFillRate || spread.value === null || spread.value <= 0) return [];
      const bound = wilson(Math.min(fills, ctx.orders), ctx.orders);
      const run = effectOf(ctx, 'run', '');
      if (bound.high >= T.lowFillRate || (run && losing(run))) return [];
      return [
        {
          key: 'mmSpreadMin',
          current: spread.value,
          currentObserved: spread.observed,
          suggested: fitToSchema('mmSpreadMin', spread.value * T.spreadNarrowFactor),
          rationale: `Fill rate was ${pct(fills / ctx.orders)} (${fills} fills of ${ctx.orders} orders; at most ${pct(bound.high)} at ${Math.round(EVIDENCE.level * 100)} %, Wilson): quotes at a spread of at least ${spread.value} rarely filled. Narrow mmSpreadMin by ${Math.round((1 - T.spreadNarrowFactor) * 100)} %.`,
          evidence: {
            test: 'wilson',
            fills,
            orders: ctx.orders,
            fillRateHigh: Math.round(bound.high * 1e4) / 1e4,
          },
          basis: null,
          ruleConfidence: Math.round((1 - bound.high / T.lowFillRate) * 100) / 100,
        },
      ];
    },
  },
  {
    name: 'drawdown near the loss limit (a risk limit, not a statistical claim): smaller orders and budgets',
    propose(ctx) {
      if (ctx.ddRatio === null || ctx.ddRatio < ctx.maxLoss * T.sizeDownDrawdownShare) return [];
      const drafts: Draft[] = [];
      const s = ctx.analysis.summary;
      const share = Math.min(1, ctx.ddRatio / ctx.maxLoss);
      const size = currentNumber(ctx.values, 'mmOrderSize', num(ctx.inputs.trades.avgSize));
      const risk = {
        test: 'risk-threshold',
        maxDrawdown: s.maxDrawdown,
        bankroll: ctx.bankroll,
        drawdownRatio: Math.round(ctx.ddRatio * 1e4) / 1e4,
        maxLossPct: ctx.maxLoss,
      };
      if (size.value !== null && size.value > 0) {
        drafts.push({
          key: 'mmOrderSize',
          current: size.value,
          currentObserved: size.observed,
          suggested: fitToSchema('mmOrderSize', size.value * T.sizeDownFactor),
          rationale: `Max drawdown was ${s.maxDrawdown} USDC, ${pct(ctx.ddRatio)} of the ${ctx.bankroll} USDC bankroll: over ${Math.round(T.sizeDownDrawdownShare * 100)} % of maxLossPct (${pct(ctx.maxLoss)}). Smaller orders (-${Math.round((1 - T.sizeDownFactor) * 100)} %) keep a bad stretch further from the loss limit.`,
          evidence: risk,
          basis: null,
          ruleConfidence: Math.round(share * 100) / 100,
        });
      }
      const budget = num(ctx.values['budgetPerMarket']);
      if (budget !== null && budget > 0) {
        drafts.push({
          key: 'budgetPerMarket',
          current: budget,
          suggested: fitToSchema('budgetPerMarket', budget * T.sizeDownFactor),
          rationale: `Max drawdown reached ${pct(ctx.ddRatio)} of bankroll (limit ${pct(ctx.maxLoss)}): cap each market window at ${Math.round((1 - T.sizeDownFactor) * 100)} % less capital.`,
          evidence: risk,
          basis: null,
          ruleConfidence: Math.round(share * 100) / 100,
        });
      }
      const windows = currentNumber(ctx.values, 'maxConcurrentWindows', null).value;
      if (ctx.ddRatio >= ctx.maxLoss * T.fewerWindowsDrawdownShare && windows !== null && windows > 1) {
        drafts.push({
          key: 'maxConcurrentWindows',
          current: windows,
          suggested: fitToSchema('maxConcurrentWindows', windows - 1),
          rationale: `Drawdown came within ${pct(ctx.maxLoss - ctx.ddRatio)} of the loss limit: trade one market window fewer at a time.`,
          evidence: risk,
          basis: null,
          ruleConfidence: Math.round(share * 100) / 100,
        });
      }
      return drafts;
    },
  },
  {
    name: 'the run earns per trade beyond noise with room to the loss limit: larger orders',
    propose(ctx) {
      const run = effectOf(ctx, 'run', '');
      const size = currentNumber(ctx.values, 'mmOrderSize', num(ctx.inputs.trades.avgSize));
      if (
        !run ||
        !run.significant ||
        run.effect <= 0 ||
        (ctx.ddRatio ?? 0) >= ctx.maxLoss * T.sizeUpMaxDrawdownShare ||
        size.value === null ||
        size.value <= 0
      )
        return [];
      return [
        {
          key: 'mmOrderSize',
          current: size.value,
          currentObserved: size.observed,
          suggested: fitToSchema('mmOrderSize', size.value * T.sizeUpFactor),
          rationale: `The run made ${perTrade(run.mean)} over ${run.trades} resolved trades (above 0 beyond noise, p ${run.p}) with a drawdown of ${pct(ctx.ddRatio ?? 0)} of bankroll, under ${Math.round(T.sizeUpMaxDrawdownShare * 100)} % of the loss limit: room for ${Math.round((T.sizeUpFactor - 1) * 100)} % larger orders.`,
          evidence: evidenceOf(run),
          basis: run,
        },
      ];
    },
  },
  {
    name: 'hedge trades lose beyond noise: cap the last tier, pay less for tier 3',
    propose(ctx) {
      const hedge = ctx.effects.find(
        (e) => e.dimension === 'strategy' && /hedge/i.test(e.key) && losing(e) && e.mean < 0,
      );
      if (!hedge) return [];
      const drafts: Draft[] = [];
      const maxLoss4 = currentNumber(ctx.values, 'hedgeTier4MaxLoss', null).value;
      if (maxLoss4 !== null && maxLoss4 > 0) {
        drafts.push({
          key: 'hedgeTier4MaxLoss',
          current: maxLoss4,
          suggested: fitToSchema('hedgeTier4MaxLoss', maxLoss4 * T.hedgeTier4MaxLossFactor),
          rationale: `Hedge trades made ${perTrade(hedge.mean)} over ${hedge.trades} resolved trades against ${perTrade(hedge.restMean)} for the rest (beyond noise, p ${hedge.p}): cap the last tier's loss ${Math.round((1 - T.hedgeTier4MaxLossFactor) * 100)} % lower.`,
          evidence: evidenceOf(hedge),
          basis: hedge,
        });
      }
      const cost3 = currentNumber(ctx.values, 'hedgeTier3Cost', null).value;
      if (cost3 !== null && cost3 - T.hedgeTier3CostStep >= 1) {
        drafts.push({
          key: 'hedgeTier3Cost',
          current: cost3,
          suggested: fitToSchema('hedgeTier3Cost', cost3 - T.hedgeTier3CostStep),
          rationale: `Hedges lost beyond noise (${perTrade(hedge.mean)}, p ${hedge.p}): pay at most ${cost3 - T.hedgeTier3CostStep} instead of ${cost3} for a tier-3 hedge.`,
          evidence: evidenceOf(hedge),
          basis: hedge,
        });
      }
      return drafts;
    },
  },
  {
    name: 'arbitrage trades lose beyond noise: ask more profit',
    propose(ctx) {
      const arb = ctx.effects.find(
        (e) => e.dimension === 'strategy' && /arb/i.test(e.key) && losing(e) && e.mean < 0,
      );
      const current = currentNumber(ctx.values, 'arbMinProfit', null).value;
      if (!arb || current === null || current <= 0) return [];
      return [
        {
          key: 'arbMinProfit',
          current,
          suggested: fitToSchema('arbMinProfit', current * T.arbMinProfitFactor),
          rationale: `Arbitrage trades made ${perTrade(arb.mean)} over ${arb.trades} resolved trades (beyond noise, p ${arb.p}): ask ${Math.round((T.arbMinProfitFactor - 1) * 100)} % more profit before taking one.`,
          evidence: evidenceOf(arb),
          basis: arb,
        },
      ];
    },
  },
  {
    name: 'windows end one-sided (Wilson bound): hedge earlier, gate harder',
    propose(ctx) {
      const m = ctx.inputs.metrics;
      const paired = num(m['pairedWindows']) ?? 0;
      const oneSided = num(m['oneSidedFills']) ?? 0;
      if (paired + oneSided < T.minPairingWindows) return [];
      const bound = wilson(oneSided, paired + oneSided);
      if (bound.low <= T.oneSidedShare) return [];
      const drafts: Draft[] = [];
      const share = oneSided / (paired + oneSided);
      const evidence = {
        test: 'wilson',
        oneSidedFills: oneSided,
        pairedWindows: paired,
        oneSidedShareLow: Math.round(bound.low * 1e4) / 1e4,
      };
      const confidence = Math.round(Math.min(0.95, 0.5 + (bound.low - T.oneSidedShare)) * 100) / 100;
      const tier1 = currentNumber(ctx.values, 'hedgeTier1Pct', null).value;
      if (tier1 !== null && tier1 < 100) {
        drafts.push({
          key: 'hedgeTier1Pct',
          current: tier1,
          suggested: fitToSchema('hedgeTier1Pct', tier1 + T.hedgeTier1Step),
          rationale: `${oneSided} of ${paired + oneSided} windows (${pct(share)}; at least ${pct(bound.low)} at ${Math.round(EVIDENCE.level * 100)} %, Wilson) ended one-sided: start the first hedge tier earlier.`,
          evidence,
          basis: null,
          ruleConfidence: confidence,
        });
      }
      const gate = currentNumber(ctx.values, 'momentumGate', null).value;
      if (gate !== null && gate > 0) {
        drafts.push({
          key: 'momentumGate',
          current: gate,
          suggested: fitToSchema('momentumGate', gate * T.momentumGateFactor),
          rationale: `${pct(share)} one-sided windows suggest quotes were hit during moves: tighten the momentum gate by ${Math.round((1 - T.momentumGateFactor) * 100)} %.`,
          evidence,
          basis: null,
          ruleConfidence: confidence,
        });
      }
      return drafts;
    },
  },
];

/**
 * Proposes config changes the run's evidence supports (see RULES and EVIDENCE_METHOD). A change
 * carried by an effect is made only when the effect is distinguishable from noise at EVIDENCE.level
 * family-wise; earlier runs of the same version that saw the same effect raise its confidence, and a
 * change that more earlier runs contradict than support is withheld (listed as contradicted). Effects
 * that point to a change without enough evidence are listed with about how many more trades would tell.
 */
export function suggestChanges(
  inputs: AnalysisInputs,
  analysis: RunAnalysis,
  effects: Effect[] = [],
  prior: PriorEvidence[] = [],
): SuggestionSet {
  const s = analysis.summary;
  if (analysis.dataQuality === 'thin') {
    return {
      status: 'thin-data',
      message:
        `Data too thin to suggest changes: ${s.fills} fills over ${Math.round(s.durationSeconds / 60)} min ` +
        `(need at least ${THIN_DATA.minFills} fills and ${THIN_DATA.minSeconds / 60} min).`,
      items: [],
      method: EVIDENCE_METHOD,
      effects,
    };
  }
  const values = inputs.config?.values ?? {};
  const m = inputs.metrics;
  const bankroll = num(inputs.startingBankroll) ?? num(m['startingWallet']);
  const drawdown = num(s.maxDrawdown);
  const ctx: RuleContext = {
    inputs,
    analysis,
    values,
    effects,
    fillRate: s.fillRate,
    orders: s.trades > 0 ? s.trades : (num(m['totalOrders']) ?? 0),
    bankroll,
    ddRatio: bankroll && drawdown !== null ? drawdown / bankroll : null,
    maxLoss: currentNumber(values, 'maxLossPct', null).value ?? 0.2,
  };

  const seen = new Set<string>();
  const items: Suggestion[] = [];
  const contradicted: string[] = [];
  for (const rule of RULES) {
    for (const draft of rule.propose(ctx)) {
      if (seen.has(draft.key) || JSON.stringify(draft.suggested) === JSON.stringify(draft.current)) continue;
      const { basis, ruleConfidence, ...rest } = draft;
      let confidence = ruleConfidence ?? 0.5;
      let rationale = rest.rationale;
      if (basis) {
        const { agree, against } = agreement(basis, prior);
        if (against.length > agree.length) {
          contradicted.push(
            `${draft.key}: ${rest.rationale} Withheld: runs ${against.map((r) => `#${r}`).join(', ')} of the same version saw the opposite${agree.length ? ` (runs ${agree.map((r) => `#${r}`).join(', ')} agree)` : ''}.`,
          );
          continue;
        }
        confidence = (1 - basis.p) * Math.min(1, 0.8 + 0.1 * agree.length - 0.15 * against.length);
        if (agree.length)
          rationale += ` Runs ${agree.map((r) => `#${r}`).join(', ')} of the same version saw it too.`;
        if (against.length) rationale += ` Runs ${against.map((r) => `#${r}`).join(', ')} saw the opposite.`;
        rest.evidence = {
          ...rest.evidence,
          priorRunsAgreeing: agree.length,
          priorRunsContradicting: against.length,
        };
      }
      seen.add(draft.key);
      items.push({
        ...rest,
        rationale,
        id: `s${items.length + 1}`,
        currentObserved: draft.currentObserved ?? false,
        confidence: Math.round(Math.max(0.05, Math.min(0.99, confidence)) * 100) / 100,
      });
    }
  }

  const notYet: NotYet[] = effects
    .filter(
      (e) =>
        !e.significant && e.effect < 0 && e.mean < 0 && e.moreTradesNeeded !== null && e.dimension !== 'run',
    )
    .sort((a, b) => a.p - b.p)
    .slice(0, T.notYetShown)
    .map((e) => ({
      key:
        e.dimension === 'asset'
          ? 'targetAssets'
          : e.dimension === 'hour'
            ? 'tradingBlackoutWindows'
            : e.dimension,
      moreTradesNeeded: e.moreTradesNeeded ?? 0,
      message: `${e.dimension === 'hour' ? `UTC hour ${e.key}` : `${e.dimension} ${e.key}`}: ${perTrade(e.mean)} over ${e.trades} trades against ${perTrade(e.restMean)} for the rest, not distinguishable from noise yet (p ${e.p}): about ${e.moreTradesNeeded} more of its trades needed.`,
    }));

  const extra = { method: EVIDENCE_METHOD, effects, notYet, contradicted };
  if (items.length > 0)
    return {
      status: 'ok',
      message: `${items.length} change${items.length > 1 ? 's' : ''} suggested from this run.`,
      items,
      ...extra,
    };
  const why =
    notYet.length > 0
      ? ` Not enough evidence yet: ${notYet[0].message}`
      : contradicted.length > 0
        ? ' What it points to is contradicted by earlier runs of the same version.'
        : '';
  return {
    status: 'nothing-to-change',
    message: `Nothing in this run points to a config change beyond noise.${why}`,
    items,
    ...extra,
  };
}

/** Earlier runs whose same effect was significant with the same sign (agree) or the opposite (against). */
function agreement(basis: Effect, prior: PriorEvidence[]): { agree: number[]; against: number[] } {
  const agree: number[] = [];
  const against: number[] = [];
  for (const run of prior) {
    const same = run.effects.find(
      (e) => e.dimension === basis.dimension && e.key === basis.key && e.significant,
    );
    if (!same) continue;
    if (Math.sign(same.effect) === Math.sign(basis.effect)) agree.push(run.runId);
    else against.push(run.runId);
  }
  return { agree, against };
}
