import type { RunMarketMakingStats } from '@polymaker/api/trades';
import type { AnalysisInputs } from '../analysis-inputs';

/**
 * Golden runs for the scoring engine (engine 3). The expected values were worked out by hand from
 * the formulas with the constants written out as numbers (0.3/0.2/0.1/0.2/0.2, 0.01 per share, 0.5,
 * 0.2, maxLossPct 0.2, 1% an hour, 5 marked fills), not by calling the engine, so a change of any
 * weight or constant shows up here as a failure.
 */
export interface GoldenRun {
  name: string;
  inputs: AnalysisInputs;
  expected: {
    overallScore: number;
    scores: Record<'spreadCapture' | 'inventory' | 'hedging' | 'risk' | 'capitalReturn', number | null>;
  };
}

const noBreakdowns = (): AnalysisInputs['breakdowns'] => ({
  asset: [],
  window: [],
  outcome: [],
  strategy: [],
  hour: [],
});

const mm = (parts: Omit<RunMarketMakingStats, 'horizonSeconds'>): RunMarketMakingStats => ({
  horizonSeconds: 120,
  ...parts,
});

/** Two hours of steady quoting: pairs at a profit, little adverse selection, a few cheap hedges. */
const steadyMaker: AnalysisInputs = {
  runId: 101,
  status: 'completed',
  durationSeconds: 7200,
  startingBankroll: '1000',
  metrics: {
    totalPnl: '6.2',
    totalOrders: 520,
    totalFills: 240,
    maxDrawdown: '9.2',
    maxCapitalDeployed: '400',
    avgSpreadCaptured: '0.021',
    pairedWindows: 52,
    oneSidedFills: 8,
    hedgeAnalytics: { pairs: 52, orphans: 8, tier1: 7, tier2: 3 },
  },
  trades: {
    total: 520,
    filled: 240,
    cancelled: 270,
    failed: 10,
    pnl: '6',
    filledNotional: '1180',
    wins: 44,
    losses: 16,
    avgSize: '10',
    grossLoss: '-30.2',
  },
  seriesMaxDrawdown: '9.2',
  seriesPeakPnl: '8',
  metricPoints: 240,
  breakdowns: noBreakdowns(),
  marketMaking: mm({
    includesOpenWindows: true,
    fills: 240,
    windowFills: 236,
    quoting: {
      fills: 226,
      shares: '2260',
      markedFills: 150,
      markedShares: '1500',
      favourableUsd: '27.75',
      adverseUsd: '9.3',
      pairedShares: '1040',
      pairEdgeUsd: '21.84',
    },
    inventory: {
      windows: 60,
      oneSidedWindows: 8,
      openWindows: 0,
      shares: '2360',
      unpairedShares: '180',
      unpairedCost: '86.4',
    },
    hedging: {
      fills: 10,
      shares: '100',
      cost: '52',
      pnl: '-4',
      windows: 10,
      pairedShares: '100',
      pairCostUsd: '104.5',
      windowsPnl: '-4.5',
    },
  }),
  config: { id: 7, values: { maxLossPct: 0.2, mmSpreadMin: 0.02 }, assumed: false },
};

/**
 * An hour of being picked off: a high fill rate (the old execution score gave it 87.5), prices moving
 * against the fills, many windows left one-sided, dear hedges, a loss and a deep drawdown.
 */
const pickedOff: AnalysisInputs = {
  runId: 102,
  status: 'completed',
  durationSeconds: 3600,
  startingBankroll: '500',
  metrics: {
    totalPnl: '-14.6',
    totalOrders: 300,
    totalFills: 210,
    maxDrawdown: '31',
    maxCapitalDeployed: '260',
    pairedWindows: 20,
    oneSidedFills: 25,
  },
  trades: {
    total: 300,
    filled: 210,
    cancelled: 85,
    failed: 5,
    pnl: '-14.6',
    filledNotional: '1050',
    wins: 18,
    losses: 27,
    avgSize: '10',
    grossLoss: '-60',
  },
  seriesMaxDrawdown: '30',
  seriesPeakPnl: '2',
  metricPoints: 120,
  breakdowns: noBreakdowns(),
  marketMaking: mm({
    includesOpenWindows: true,
    fills: 210,
    windowFills: 210,
    quoting: {
      fills: 180,
      shares: '1800',
      markedFills: 120,
      markedShares: '1200',
      favourableUsd: '9.6',
      adverseUsd: '38.4',
      pairedShares: '400',
      pairEdgeUsd: '4.4',
    },
    inventory: {
      windows: 45,
      oneSidedWindows: 25,
      openWindows: 0,
      shares: '2100',
      unpairedShares: '820',
      unpairedCost: '410',
    },
    hedging: {
      fills: 30,
      shares: '300',
      cost: '186',
      pnl: '-21',
      windows: 15,
      pairedShares: '300',
      pairCostUsd: '348',
      windowsPnl: '-48',
    },
  }),
  config: { id: 8, values: { maxLossPct: 0.1 }, assumed: false },
};

/**
 * Half an hour of a running run analysed on demand: no hedges, no maxCapitalDeployed (the filled
 * notional stands in), maxLossPct unset (the schema's 0.2), 4 marked fills (under the 5 needed),
 * 4 windows still open (left out until they resolve).
 */
const runningNoHedges: AnalysisInputs = {
  runId: 103,
  status: 'running',
  durationSeconds: 1800,
  startingBankroll: '300',
  metrics: { totalPnl: '1.35', totalOrders: 90, totalFills: 40 },
  trades: {
    total: 90,
    filled: 40,
    cancelled: 48,
    failed: 2,
    pnl: '1.1',
    filledNotional: '200',
    wins: 10,
    losses: 4,
    avgSize: '10',
    grossLoss: '-3',
  },
  seriesMaxDrawdown: '2.4',
  seriesPeakPnl: '2',
  metricPoints: 60,
  breakdowns: noBreakdowns(),
  marketMaking: mm({
    includesOpenWindows: false,
    fills: 40,
    windowFills: 40,
    quoting: {
      fills: 40,
      shares: '400',
      markedFills: 4,
      markedShares: '40',
      favourableUsd: '0.5',
      adverseUsd: '0.1',
      pairedShares: '160',
      pairEdgeUsd: '3.2',
    },
    inventory: {
      windows: 14,
      oneSidedWindows: 3,
      openWindows: 4,
      shares: '300',
      unpairedShares: '30',
      unpairedCost: '14.1',
    },
    hedging: {
      fills: 0,
      shares: '0',
      cost: '0',
      pnl: '0',
      windows: 0,
      pairedShares: '0',
      pairCostUsd: '0',
      windowsPnl: '0',
    },
  }),
  config: { id: null, values: {}, assumed: true },
};

/** The steady maker as run/stop scores it: aggregates only, no scan of its fills. */
const steadyMakerAtStop: AnalysisInputs = { ...steadyMaker, marketMaking: undefined };

/** A good quoter with dear hedges (pairs completed at 1.25) and just the 5 marked fills needed. */
const dearHedges: AnalysisInputs = {
  runId: 105,
  status: 'completed',
  durationSeconds: 5400,
  startingBankroll: '2000',
  metrics: {
    totalPnl: '9.9',
    totalOrders: 150,
    totalFills: 66,
    maxDrawdown: '40',
    maxCapitalDeployed: '900',
  },
  trades: {
    total: 150,
    filled: 66,
    cancelled: 80,
    failed: 4,
    pnl: '9.9',
    filledNotional: '340',
    wins: 24,
    losses: 6,
    avgSize: '10',
    grossLoss: '-12',
  },
  seriesMaxDrawdown: '38',
  seriesPeakPnl: '12',
  metricPoints: 180,
  breakdowns: noBreakdowns(),
  marketMaking: mm({
    includesOpenWindows: true,
    fills: 66,
    windowFills: 66,
    quoting: {
      fills: 60,
      shares: '600',
      markedFills: 5,
      markedShares: '50',
      favourableUsd: '0.9',
      adverseUsd: '0.2',
      pairedShares: '270',
      pairEdgeUsd: '5.4',
    },
    inventory: {
      windows: 30,
      oneSidedWindows: 1,
      openWindows: 0,
      shares: '600',
      unpairedShares: '12',
      unpairedCost: '6',
    },
    hedging: {
      fills: 6,
      shares: '60',
      cost: '43.2',
      pnl: '12',
      windows: 6,
      pairedShares: '60',
      pairCostUsd: '75',
      windowsPnl: '-15',
    },
  }),
  config: { id: 9, values: { maxLossPct: 0.25 }, assumed: false },
};

export const GOLDEN_RUNS: GoldenRun[] = [
  {
    name: 'steady maker',
    inputs: steadyMaker,
    // spread: (27.75 - 9.3) / 1500 = 0.0123 → 50 + 50·tanh(1.23); inventory: 1 - (180/2360)/0.5;
    // hedging: 1 - 0.045/0.2; risk: 1 - 9.2/200; capital: 6.2/400/2 h = 0.775% an hour
    expected: {
      overallScore: 88,
      scores: { spreadCapture: 92.1, inventory: 84.7, hedging: 77.5, risk: 95.4, capitalReturn: 82.5 },
    },
  },
  {
    name: 'picked off',
    inputs: pickedOff,
    // spread: (9.6 - 38.4) / 1200 = -0.024; inventory: 1 - (820/2100)/0.5; hedging: 1 - 0.16/0.2;
    // risk: 1 - 31/(0.1·500); capital: -14.6/260 an hour
    expected: {
      overallScore: 14,
      scores: { spreadCapture: 0.8, inventory: 21.9, hedging: 20, risk: 38, capitalReturn: 0 },
    },
  },
  {
    name: 'running, no hedges, default loss limit',
    inputs: runningNoHedges,
    // inventory: 1 - 0.1/0.5; risk: 1 - 2.4/(0.2·300); capital: 1.35/200/0.5 h = 1.35% an hour
    expected: {
      overallScore: 90,
      scores: { spreadCapture: null, inventory: 80, hedging: null, risk: 96, capitalReturn: 93.7 },
    },
  },
  {
    name: 'steady maker at its stop (aggregates only)',
    inputs: steadyMakerAtStop,
    expected: {
      overallScore: 89,
      scores: { spreadCapture: null, inventory: null, hedging: null, risk: 95.4, capitalReturn: 82.5 },
    },
  },
  {
    name: 'dear hedges',
    inputs: dearHedges,
    // spread: 0.7/50 = 0.014; inventory: 1 - 0.02/0.5; hedging: premium 0.25 ≥ 0.2 → 0; risk: 1 - 40/500;
    // capital: 9.9/900/1.5 h
    expected: {
      overallScore: 82,
      scores: { spreadCapture: 94.3, inventory: 96, hedging: 0, risk: 92, capitalReturn: 81.3 },
    },
  },
];
