import { Run } from '@polymaker/admin/data-access';
import { summarizeBots } from './bot-summary';

function run(id: number, apiKeyId: number | null, totalPnl: string | null, fills: number, orders: number, metrics: Record<string, unknown> = {}): Run {
  return {
    id,
    apiKeyId,
    botId: apiKeyId,
    configId: 1,
    mode: 'dry_run',
    status: 'running',
    startingBankroll: '500',
    startedAt: '2026-01-01T00:00:00Z',
    lastUpdateAt: '2026-01-01T00:00:00Z',
    stoppedAt: null,
    errorMessage: null,
    durationSeconds: 60,
    totalPnl,
    totalFills: fills,
    totalOrders: orders,
    overallScore: null,
    metrics,
    extra: {},
  };
}

describe('summarizeBots', () => {
  it('groups running runs per key and adds P&L exactly', () => {
    const bots = summarizeBots(
      [run(1, 2, '0.1', 1, 4, { walletBalance: '100.10', totalCycles: 3 }), run(2, 2, '0.2', 3, 4, { walletBalance: 50.2, totalCycles: 2 }), run(3, null, '-1', 0, 0)],
      [{ id: 2, botId: 2, name: 'box 1', scope: 'bot', prefix: 'pmk', source: 'generated', createdAt: '', lastUsedAt: null, revokedAt: null, expiresAt: null, active: true }],
    );
    expect(bots.map((b) => b.name)).toEqual(['box 1', 'Unknown bot']);
    expect(bots[0].totalPnl).toBe('0.3');
    expect(bots[0].fillRate).toBe(50);
    expect(bots[0].cycles).toBe(5);
    expect(bots[0].walletBalance).toBe('150.3');
    expect(bots[1].fillRate).toBeNull();
  });
});
