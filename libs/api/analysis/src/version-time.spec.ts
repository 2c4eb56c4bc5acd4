import type { IntervalPnl } from '@polymaker/api/metrics';
import type { RunTradeStats } from '@polymaker/api/trades';
import { cutRun, ServedSpan } from './version-segments';
import { SegmentFigures, totalsByVersion } from './version-time';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const span = (minutes: number, configId: number, paused = false): ServedSpan => ({
  configId,
  paused,
  startedAt: at(minutes),
});

const trades = (fields: Partial<RunTradeStats>): RunTradeStats => ({
  total: 0,
  filled: 0,
  cancelled: 0,
  failed: 0,
  pnl: '0',
  filledNotional: '0',
  wins: 0,
  losses: 0,
  avgSize: null,
  grossLoss: '0',
  ...fields,
});
const pnl = (fields: Partial<IntervalPnl>): IntervalPnl => ({
  points: 0,
  opening: '0',
  closing: '0',
  change: '0',
  maxDrawdown: null,
  ...fields,
});

describe('totalsByVersion: figures per version summed over its segments', () => {
  // run 7: v1 0–20, v2 20–40, v2 paused 40–50, v2 50–60; run 8 (another bot's) on v2 for 30 minutes
  const run7 = cutRun({ runId: 7, botId: 3, configId: 1, startedAt: at(0), endedAt: at(60) }, [
    span(-5, 1),
    span(20, 2),
    span(40, 2, true),
    span(50, 2),
  ]);
  const run8 = cutRun({ runId: 8, botId: 4, configId: 2, startedAt: at(100), endedAt: at(130) }, []);
  const figures: SegmentFigures[] = [
    {
      segment: run7[0],
      run: { status: 'completed', startingBankroll: '100' },
      trades: trades({ total: 10, filled: 4, pnl: '0.1' }),
      pnl: pnl({ points: 3, change: '0.1', maxDrawdown: '0.3' }),
    },
    {
      segment: run7[1],
      run: { status: 'completed', startingBankroll: '100' },
      trades: trades({ total: 10, filled: 8, failed: 1, pnl: '0.2' }),
      pnl: pnl({ points: 3, change: '0.2', maxDrawdown: '0.7' }),
    },
    {
      segment: run7[2],
      run: { status: 'completed', startingBankroll: '100' },
      trades: trades({}),
      pnl: pnl({}),
    },
    {
      segment: run7[3],
      run: { status: 'completed', startingBankroll: '100' },
      trades: trades({ total: 5, filled: 2, pnl: '-0.05' }),
      pnl: pnl({ points: 1, change: '0.05', maxDrawdown: '0' }),
    },
    {
      segment: run8[0],
      run: { status: 'completed', startingBankroll: null },
      trades: trades({ total: 5, filled: 5, pnl: '0.000000001' }),
      pnl: pnl({}),
    },
  ];
  const [v2, v1] = totalsByVersion(figures);

  it('adds time unpaused and paused apart, runs, segments, orders and fills', () => {
    expect(v1).toMatchObject({
      configId: 1,
      activeMs: 20 * 60_000,
      pausedMs: 0,
      runIds: [7],
      segments: 1,
      orders: 10,
      fills: 4,
      fillRate: 0.4,
    });
    expect(v2).toMatchObject({
      configId: 2,
      activeMs: 60 * 60_000,
      pausedMs: 10 * 60_000,
      runIds: [8, 7],
      segments: 4,
      orders: 20,
      fills: 15,
      failedOrders: 1,
      fillRate: 0.75,
    });
  });

  it('sums P&L exactly and gives it per unpaused hour; the drawdown is the largest within one segment', () => {
    expect(v1).toMatchObject({
      realisedPnl: '0.1',
      pnlPerHour: '0.3',
      reportedPnl: '0.1',
      maxDrawdown: '0.3',
    });
    // 0.2 − 0.05 + 0.000000001 over 1 h (no binary float would keep the last digit)
    expect(v2).toMatchObject({
      realisedPnl: '0.150000001',
      pnlPerHour: '0.15',
      reportedPnl: '0.25',
      maxDrawdown: '0.7',
    });
  });

  it('averages the segment scores by unpaused time, over the segments that could be scored', () => {
    expect(typeof v1.score).toBe('number');
    expect(v2.score).not.toBeNull();
    // one version whose only segment is paused: no score, no P&L per hour
    const [pausedOnly] = totalsByVersion([{ ...figures[2], segment: { ...run7[2], configId: 9 } }]);
    expect(pausedOnly).toMatchObject({
      configId: 9,
      activeMs: 0,
      pausedMs: 10 * 60_000,
      score: null,
      pnlPerHour: null,
      fillRate: null,
    });
  });
});
