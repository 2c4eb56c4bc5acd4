import { Run } from '@polymaker/admin/data-access';
import { botNamer, summarizeBots } from './bot-summary';

function run(
  id: number,
  botId: number | null,
  apiKeyId: number | null,
  totalPnl: string | null,
  fills: number,
  orders: number,
  metrics: Record<string, unknown> = {},
): Run {
  return {
    id,
    apiKeyId,
    botId,
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
  const name = botNamer([{ botId: 2, name: 'box 1' }]);

  it('groups running runs per bot, a rotated key with its bot, and adds reported P&L exactly', () => {
    // runs 1 and 2 ran with the first key (2), run 4 with the key that replaced it (5): one bot
    const bots = summarizeBots(
      [
        run(1, 2, 2, '0.1', 1, 4, { totalCycles: 3 }),
        run(2, 2, 2, '0.2', 3, 4, { totalCycles: 2 }),
        run(4, 2, 5, '0.7', 0, 0),
        run(3, null, null, '-1', 0, 0),
      ],
      name,
    );
    expect(bots.map((b) => [b.name, b.botId, b.runs.length])).toEqual([
      ['box 1', 2, 3],
      ['Runs without a bot', null, 1],
    ]);
    expect(bots[0].reportedPnl).toBe('1');
    expect(bots[0].fillRate).toBe(50);
    expect(bots[0].cycles).toBe(5);
    expect(bots[1].fillRate).toBeNull();
  });

  it('names a bot as the Bots page does, whatever key ran the run; one not listed yet by its id', () => {
    expect(name(2)).toBe('box 1');
    expect(name(9)).toBe('Bot #9');
    expect(name(null)).toBe('Runs without a bot');
  });
});
