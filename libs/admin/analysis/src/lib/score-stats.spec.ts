import type { ComparisonGroup, Run } from '@polymaker/admin/data-access';
import { bestGroup, scoreSeries, scoresByVersion } from './score-stats';

const run = (configId: number | null, overallScore: number | null, totalPnl: string | null) =>
  ({ configId, overallScore, totalPnl }) as Run;

describe('scoresByVersion', () => {
  it('averages scores and sums P&L per config version', () => {
    const rows = scoresByVersion([
      run(1, 60, '0.1'),
      run(1, 71, '0.2'),
      run(2, null, '-1'),
      run(1, null, null),
    ]);
    expect(rows.map((r) => r.configId)).toEqual([2, 1]);
    expect(rows[1]).toMatchObject({
      runs: 3,
      scored: 2,
      average: 65.5,
      best: 71,
      worst: 60,
      totalPnl: '0.3',
    });
    expect(rows[0]).toMatchObject({ scored: 0, average: null, totalPnl: '-1' });
  });
});

describe('scoreSeries and bestGroup', () => {
  it('plots analyses per config version in time order', () => {
    const s = scoreSeries([
      { analyzedAt: '2025-01-02T00:00:00Z', overallScore: 70, configId: 2 },
      { analyzedAt: '2025-01-01T00:00:00Z', overallScore: 60, configId: 2 },
      { analyzedAt: '2025-01-01T00:00:00Z', overallScore: 50, configId: 10 },
    ]);
    expect(s.map((x) => x.name)).toEqual(['v2', 'v10']);
    expect(s[0].points.map((p) => p[1])).toEqual([60, 70]);
  });
  it('picks the version with the best average score', () => {
    const g = (configId: number, avgScore: number | null) => ({ configId, avgScore }) as ComparisonGroup;
    expect(bestGroup([g(1, 50), g(2, 71.5), g(3, null)])).toBe(2);
    expect(bestGroup([g(3, null)])).toBeNull();
  });
});
