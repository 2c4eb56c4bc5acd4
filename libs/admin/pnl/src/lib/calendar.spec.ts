import type { PnlCalendar } from '@polymaker/admin/data-access';
import { bucketLabel, bucketStarts, monthGrid, pivot, rangeFor, shiftEnd } from './calendar';

describe('P&L calendar helpers', () => {
  it('cuts ranges on the period boundaries: a month of days, 26 ISO weeks, 12 months', () => {
    expect(rangeFor('day', '2026-12-03')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(rangeFor('day', '2026-02-10')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    const weeks = rangeFor('week', '2026-12-03');
    expect(weeks.to).toBe('2026-12-06'); // the Sunday of the week of Thursday 3 Dec
    expect(bucketStarts('week', weeks.from, weeks.to)).toHaveLength(26);
    expect(new Date(`${weeks.from}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(rangeFor('month', '2026-12-03')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
  });

  it('moves a whole view earlier or later', () => {
    expect(shiftEnd('day', '2026-12-03', -1)).toBe('2026-11-30');
    expect(shiftEnd('day', '2026-12-03', 1)).toBe('2027-01-01');
    expect(rangeFor('day', shiftEnd('day', '2026-03-31', -1))).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
    });
    expect(shiftEnd('month', '2026-12-03', -1)).toBe('2025-12-01');
  });

  it('lays a month out as Monday-first weeks with each day’s exact P&L summed over its keys', () => {
    const weeks = monthGrid('2026-12-01', '2026-12-31', [
      { start: '2026-12-01', key: 'BTC', pnl: '0.1', trades: 1, wins: 1, losses: 0 },
      { start: '2026-12-01', key: 'ETH', pnl: '0.2', trades: 2, wins: 1, losses: 1 },
      { start: '2026-12-31', key: 'BTC', pnl: '-1.5', trades: 1, wins: 0, losses: 1 },
    ]);
    expect(weeks[0][0]).toMatchObject({ day: '2026-11-30', date: null }); // 1 Dec 2026 is a Tuesday
    expect(weeks[0][1]).toMatchObject({ day: '2026-12-01', date: 1, pnl: '0.3', trades: 3 });
    expect(weeks[0][2]).toMatchObject({ date: 2, pnl: null });
    expect(weeks.flat().find((c) => c.day === '2026-12-31')).toMatchObject({ pnl: '-1.5' });
    expect(weeks.every((w) => w.length === 7)).toBe(true);
  });

  it('pivots buckets into rows per bucket and columns per key, empty buckets included', () => {
    const view: PnlCalendar = {
      period: 'day',
      groupBy: 'asset',
      timeZone: 'UTC',
      from: '2026-12-01',
      to: '2026-12-03',
      total: '2.2',
      trades: 3,
      buckets: [
        { start: '2026-12-01', key: 'ETH', pnl: '2', trades: 1, wins: 1, losses: 0 },
        { start: '2026-12-03', key: 'BTC', pnl: '0.1', trades: 1, wins: 1, losses: 0 },
        { start: '2026-12-03', key: 'ETH', pnl: '0.1', trades: 1, wins: 1, losses: 0 },
      ],
      totals: [
        { key: 'BTC', pnl: '0.1', trades: 1 },
        { key: 'ETH', pnl: '2.1', trades: 2 },
      ],
    };
    const { keys, rows } = pivot(view);
    expect(keys).toEqual(['ETH', 'BTC']);
    expect(rows.map((r) => [r.start, r.total])).toEqual([
      ['2026-12-01', '2'],
      ['2026-12-02', '0'],
      ['2026-12-03', '0.2'],
    ]);
    expect(rows[1].cells['BTC']).toBeUndefined();
  });

  it('labels buckets for people', () => {
    expect(bucketLabel('day', '2026-11-30')).toBe('Mon 30 Nov');
    expect(bucketLabel('week', '2026-11-30')).toBe('week of 30 Nov');
    expect(bucketLabel('month', '2026-11-01')).toBe('Nov 2026');
  });
});
