import { compactQuery, toQueryString, tradeQuery } from './query';
import { drawdownSeries, fillRate, metricKeys, metricSeries } from './metrics';

describe('query mapping', () => {
  it('drops empty filters and keeps the cursor', () => {
    expect(
      tradeQuery({ runId: 3, asset: ' BTC ', side: '', status: 'filled', outcome: undefined }, 'abc'),
    ).toEqual({ runId: 3, asset: 'BTC', status: 'filled', cursor: 'abc' });
    expect(compactQuery({ a: null, b: NaN, c: 0, d: false })).toEqual({ c: 0, d: false });
  });

  it('builds a query string', () => {
    expect(toQueryString({ asset: 'BTC', side: 'buy', window: '' })).toBe('?asset=BTC&side=buy');
    expect(toQueryString({})).toBe('');
  });
});

describe('metric mapping', () => {
  const points = [
    { at: '2026-01-01T00:00:00Z', totalPnl: '1.5', extra: { custom_x: 4 } },
    { at: '2026-01-01T00:01:00Z', totalPnl: '-0.5', totalFills: 2, extra: {} },
    { at: '2026-01-01T00:02:00Z', totalPnl: null, extra: { custom_x: '5' } },
  ];

  it('reads contract and extra keys as chart points', () => {
    expect(metricSeries(points, 'totalPnl')).toEqual([
      [Date.parse('2026-01-01T00:00:00Z'), 1.5],
      [Date.parse('2026-01-01T00:01:00Z'), -0.5],
    ]);
    expect(metricSeries(points, 'custom_x').map((p) => p[1])).toEqual([4, 5]);
    expect(metricKeys(points)).toEqual(['totalFills', 'totalPnl']);
  });

  it('computes drawdown and fill rate', () => {
    expect(
      drawdownSeries([
        [1, 1],
        [2, 3],
        [3, 1],
        [4, 4],
      ]).map((p) => p[1]),
    ).toEqual([0, 0, -2, 0]);
    expect(fillRate(5, 20)).toBe(25);
    expect(fillRate(5, 0)).toBeNull();
  });
});
