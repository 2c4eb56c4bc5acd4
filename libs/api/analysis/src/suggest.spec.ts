import type { AnalysisInputs } from './analysis-inputs';
import { scoreRun } from './score-run';
import { mergeHourWindows, suggestChanges } from './suggest';

function inputs(overrides: Partial<AnalysisInputs> = {}): AnalysisInputs {
  return {
    runId: 1,
    status: 'completed',
    durationSeconds: 3600,
    startingBankroll: '500',
    metrics: {},
    trades: { total: 200, filled: 30, cancelled: 0, failed: 0, pnl: '3', filledNotional: '150', wins: 20, losses: 10, avgSize: '10', grossLoss: '-2' },
    seriesMaxDrawdown: '1',
    seriesPeakPnl: '3',
    metricPoints: 10,
    breakdowns: { asset: [], window: [], outcome: [], strategy: [], hour: [] },
    config: { id: 2, values: { mmSpreadMin: 0.04, mmOrderSize: 10, maxLossPct: 0.2 }, assumed: false },
    ...overrides,
  };
}

const suggest = (given: AnalysisInputs) => suggestChanges(given, scoreRun(given));

describe('scoreRun summary', () => {
  it('reports pairing quality when the bot sends pairedWindows and oneSidedFills', () => {
    const analysis = scoreRun(inputs({ metrics: { pairedWindows: 6, oneSidedFills: 4 } }));
    expect(analysis.summary).toMatchObject({ oneSidedFillRatio: 0.4, pairingQuality: 0.6, capitalEfficiency: 0.02, fillRate: 0.15 });
  });
});

describe('suggestChanges', () => {
  it('says the data is too thin instead of suggesting for few fills or a short run', () => {
    const few = suggest(inputs({ trades: { ...inputs().trades, filled: 5 } }));
    expect(few).toMatchObject({ status: 'thin-data', items: [] });
    expect(few.message).toContain('5 fills');
    expect(suggest(inputs({ durationSeconds: 300 })).status).toBe('thin-data');
  });

  it('narrows mmSpreadMin by 20% when few orders fill, citing the fill rate', () => {
    const [spread] = suggest(inputs()).items.filter((item) => item.key === 'mmSpreadMin');
    expect(spread).toMatchObject({ current: 0.04, suggested: 0.032, id: expect.stringMatching(/^s\d+$/) });
    expect(spread.rationale).toContain('15.0% (30 fills of 200 orders)');
    expect(spread.confidence).toBeGreaterThan(0.3);
    expect(spread.confidence).toBeLessThanOrEqual(0.9);
  });

  it('keeps suggested values inside the schema bounds', () => {
    // filling eagerly at a loss: widen by 25%, but mmSpreadMin may not exceed 0.5
    const wide = suggest(inputs({ config: { id: 2, values: { mmSpreadMin: 0.45 }, assumed: false }, trades: { ...inputs().trades, pnl: '-5' }, metrics: { totalOrders: 100, totalFills: 90 } }));
    expect(wide.items.find((item) => item.key === 'mmSpreadMin')).toMatchObject({ current: 0.45, suggested: 0.5 });
  });

  it('shrinks order size when the drawdown eats over half the loss limit', () => {
    const result = suggest(inputs({ seriesMaxDrawdown: '80', trades: { ...inputs().trades, filled: 150 } }));
    const size = result.items.find((item) => item.key === 'mmOrderSize');
    expect(size).toMatchObject({ current: 10, suggested: 7.5 });
    expect(size?.rationale).toContain('16.0% of the 500 USDC bankroll');
    expect(result.items.find((item) => item.key === 'maxConcurrentWindows')).toMatchObject({ current: 4, suggested: 3 });
  });

  it('proposes blackout windows for UTC hours that lost while the rest made money', () => {
    const hour = [
      { key: '03', trades: 20, fills: 8, pnl: '-4' },
      { key: '04', trades: 20, fills: 8, pnl: '-2' },
      { key: '10', trades: 40, fills: 14, pnl: '9' },
    ];
    const result = suggest(inputs({ breakdowns: { ...inputs().breakdowns, hour } }));
    const blackout = result.items.find((item) => item.key === 'tradingBlackoutWindows');
    expect(blackout).toMatchObject({ current: null, suggested: [[3, 5]] });
    expect(blackout?.rationale).toContain('UTC hours 3, 4 lost -6.00 USDC');
  });

  it('drops an asset that lost while the others won', () => {
    const asset = [
      { key: 'BTC', trades: 100, fills: 15, pnl: '6' },
      { key: 'SOL', trades: 100, fills: 15, pnl: '-3' },
    ];
    const result = suggest(inputs({ breakdowns: { ...inputs().breakdowns, asset } }));
    expect(result.items.find((item) => item.key === 'targetAssets')).toMatchObject({ suggested: ['BTC', 'ETH', 'XRP'] });
  });

  it('hedges earlier and tightens the momentum gate when many windows end one-sided', () => {
    const result = suggest(inputs({ metrics: { pairedWindows: 10, oneSidedFills: 10 } }));
    expect(result.items.find((item) => item.key === 'hedgeTier1Pct')).toMatchObject({ current: 67, suggested: 77 });
    expect(result.items.find((item) => item.key === 'momentumGate')).toMatchObject({ current: 0.01, suggested: 0.0075 });
  });
});

describe('mergeHourWindows', () => {
  it('merges hours with existing windows into sorted [start, end) ranges', () => {
    expect(mergeHourWindows([[1, 2]], [2, 3, 7])).toEqual([[1, 4], [7, 8]]);
  });
});
