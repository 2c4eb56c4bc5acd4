import { Run } from '@polymaker/admin/data-access';
import { scoresByVersion } from './score-stats';

const run = (configId: number | null, overallScore: number | null, totalPnl: string | null) => ({ configId, overallScore, totalPnl }) as Run;

describe('scoresByVersion', () => {
  it('averages scores and sums P&L per config version', () => {
    const rows = scoresByVersion([run(1, 60, '0.1'), run(1, 71, '0.2'), run(2, null, '-1'), run(1, null, null)]);
    expect(rows.map((r) => r.configId)).toEqual([2, 1]);
    expect(rows[1]).toMatchObject({ runs: 3, scored: 2, average: 65.5, best: 71, worst: 60, totalPnl: '0.3' });
    expect(rows[0]).toMatchObject({ scored: 0, average: null, totalPnl: '-1' });
  });
});
