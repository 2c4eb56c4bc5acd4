import type { NotificationItem } from '@polymaker/admin/data-access';
import { alertNotifications, walletChartSeries } from './wallet';

const n = (id: number, kind: NotificationItem['kind'], read = false) => ({ id, kind, read }) as NotificationItem;

describe('wallet and alerts', () => {
  it('keeps unread wallet-low, stale and error notifications as open alerts', () => {
    const out = alertNotifications([n(1, 'wallet-low'), n(2, 'run-summary'), n(3, 'run-stale'), n(4, 'run-error', true), n(5, 'run-error'), n(6, 'test')]);
    expect(out.map((x) => x.id)).toEqual([1, 3, 5]);
  });

  it('charts one line per bot key and the watched address', () => {
    const series = walletChartSeries({
      bot: [
        { apiKeyId: 2, runId: 1, at: '2025-01-01T00:00:02Z', walletBalance: '99.5', positionValue: null, startingWallet: null },
        { apiKeyId: 2, runId: 1, at: '2025-01-01T00:00:01Z', walletBalance: '100', positionValue: null, startingWallet: null },
        { apiKeyId: 3, runId: 2, at: '2025-01-01T00:00:01Z', walletBalance: null, positionValue: '3', startingWallet: null },
      ],
      chain: [{ address: '0xabc', at: '2025-01-01T00:00:00Z', usdc: '12.5', pol: '1' }],
    });
    expect(series.map((s) => s.name)).toEqual(['bot key #2', 'watched address (USDC)']);
    expect(series[0].points).toEqual([[Date.parse('2025-01-01T00:00:01Z'), 100], [Date.parse('2025-01-01T00:00:02Z'), 99.5]]);
    expect(walletChartSeries(undefined)).toEqual([]);
  });
});
