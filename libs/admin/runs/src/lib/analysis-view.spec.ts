import type { Breakdowns, SubScores, Suggestion } from '@polymaker/admin/data-access';
import {
  breakdownRows,
  newestFirst,
  percent,
  scoreRows,
  selectedIds,
  showValue,
  summaryFigures,
} from './analysis-view';

describe('analysis view helpers', () => {
  it("lists an engine-3 analysis' sub-scores in their own order (not the stored weights' key order), with label, what each rewards, inputs and formula", () => {
    const scores: SubScores = {
      spreadCapture: {
        score: 92.1,
        formula: '50 + 50 * tanh(netEdgePerShare / 0.01)',
        inputs: { netEdgePerShare: 0.0123 },
        label: 'Spread capture',
        rewards: 'earning the spread',
      },
      inventory: null,
      hedging: { score: 120, formula: 'x', inputs: {} },
      risk: { score: -3, formula: 'y', inputs: { maxLossPct: 0.2, maxDrawdown: '9.2' } },
      capitalReturn: { score: 82.5, formula: 'z', inputs: {}, label: 'Capital return' },
    };
    // the weights as they come back from jsonb: shortest key first
    const rows = scoreRows(scores, {
      risk: 0.2,
      hedging: 0.1,
      inventory: 0.2,
      capitalReturn: 0.2,
      spreadCapture: 0.3,
    });
    expect(rows.map((r) => r.key)).toEqual([
      'spreadCapture',
      'inventory',
      'hedging',
      'risk',
      'capitalReturn',
    ]);
    expect(rows[0]).toMatchObject({
      label: 'Spread capture',
      rewards: 'earning the spread',
      weight: 0.3,
      score: 92.1,
      pct: 92.1,
      inputs: [['netEdgePerShare', '0.0123']],
    });
    expect(rows[1]).toMatchObject({
      label: 'Inventory',
      score: null,
      formula: null,
      pct: 0,
      weight: 0.2,
      rewards: null,
    });
    expect(rows[2]).toMatchObject({ label: 'Hedging', pct: 100 });
    expect(rows[3]).toMatchObject({
      pct: 0,
      inputs: [
        ['maxLossPct', '0.2'],
        ['maxDrawdown', '9.2'],
      ],
    });
  });

  it('still shows an analysis stored by engine 2 with its four sub-scores, and names a sub-score it does not know', () => {
    const scores = {
      profitability: {
        score: 62.5,
        formula: '50 + 50·tanh(returnPct/2)',
        inputs: { returnPct: 0.5123456, totalPnl: '2.5' },
      },
      execution: { score: 18.8, formula: 'min(100, fillRate·125)', inputs: { fillRate: 0.15 } },
      risk: null,
      efficiency: { score: 99.6, formula: 'e', inputs: {} },
    } as SubScores;
    const rows = scoreRows(scores, { risk: 0.2, execution: 0.25, efficiency: 0.15, profitability: 0.4 });
    expect(rows.map((r) => [r.key, r.label, r.weight])).toEqual([
      ['profitability', 'Profitability', 0.4],
      ['execution', 'Execution', 0.25],
      ['risk', 'Risk', 0.2],
      ['efficiency', 'Efficiency', 0.15],
    ]);
    expect(rows[0].inputs).toEqual([
      ['returnPct', '0.5123'],
      ['totalPnl', '2.5'],
    ]);
    expect(rows[2]).toMatchObject({ score: null, formula: null });
    const future = scoreRows(
      { risk: null, quoteUptime: { score: 50, formula: 'f', inputs: {} } } as SubScores,
      {},
    );
    expect(future.map((r) => [r.key, r.label])).toEqual([
      ['risk', 'Risk'],
      ['quoteUptime', 'Quote uptime'],
    ]);
  });

  it('formats values and ratios', () => {
    expect(showValue(null)).toBe('—');
    expect(showValue([[1, 3]])).toBe('[[1,3]]');
    expect(showValue(0.032)).toBe('0.032');
    expect(percent(0.15)).toBe('15.0 %');
    expect(percent(null)).toBe('—');
  });

  it('builds summary figures with exact money and the win share', () => {
    const figures = summaryFigures({
      totalPnl: '3.10',
      realizedPnl: null,
      fillRate: 0.15,
      fills: 30,
      trades: 200,
      winCount: 3,
      lossCount: 1,
      maxDrawdown: '0.5',
      capitalEfficiency: 0.0123,
      pairingQuality: null,
      avgSpreadCaptured: null,
      durationSeconds: 60,
      hedgeAnalytics: null,
      oneSidedFillRatio: null,
      peakCapitalDeployed: null,
    });
    expect(figures.find((f) => f.label === 'Total P&L')?.money).toBe('3.10');
    expect(figures.find((f) => f.label === 'Fill rate')?.value).toBe('15.0 %');
    expect(figures.find((f) => f.label === 'Win / loss')?.value).toBe('3 / 1 (75 % won)');
    expect(figures.find((f) => f.label === 'Pairing quality')?.value).toBe('—');
  });

  it('sorts breakdowns (hours by clock, others by trades) with a fill rate', () => {
    const b = {
      asset: [
        { key: 'ETH', trades: 5, fills: 1, pnl: '0' },
        { key: 'BTC', trades: 10, fills: 5, pnl: '1' },
      ],
      hour: [
        { key: '13', trades: 1, fills: 0, pnl: '0' },
        { key: '02', trades: 1, fills: 1, pnl: '0' },
      ],
      window: [],
      outcome: [],
      strategy: [],
    } as Breakdowns;
    expect(breakdownRows(b, 'asset').map((r) => [r.key, r.fillRate])).toEqual([
      ['BTC', '50.0 %'],
      ['ETH', '20.0 %'],
    ]);
    expect(breakdownRows(b, 'hour').map((r) => r.key)).toEqual(['02', '13']);
  });

  it('picks the newest analysis and the checked suggestions in order', () => {
    const list = [
      { analysisId: 1, analyzedAt: '2025-01-01T00:00:00Z' },
      { analysisId: 3, analyzedAt: '2025-01-02T00:00:00Z' },
      { analysisId: 2, analyzedAt: '2025-01-02T00:00:00Z' },
    ] as never[];
    expect(newestFirst(list).map((a: { analysisId: number }) => a.analysisId)).toEqual([3, 2, 1]);
    const suggestions = [{ id: 's1' }, { id: 's2' }, { id: 's3' }] as Suggestion[];
    expect(selectedIds(suggestions, new Set(['s3', 's1']))).toEqual(['s1', 's3']);
    expect(selectedIds(suggestions, new Set())).toBeNull();
  });
});
