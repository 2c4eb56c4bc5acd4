import type { BotWallet, NotificationItem } from '@polymaker/admin/data-access';
import {
  WalletBook,
  addWalletReading,
  alertNotifications,
  botBalance,
  botsOfKeys,
  walletChartSeries,
  walletLines,
  walletSourceName,
  walletTotal,
} from './wallet';

const n = (id: number, kind: NotificationItem['kind'], read = false) =>
  ({ id, kind, read }) as NotificationItem;
const at = (s: number) => Date.parse('2026-01-01T00:00:00Z') + s * 1000;
const point = (
  botId: number | null,
  runId: number,
  s: number,
  walletBalance: string | null,
  apiKeyId: number | null = botId,
): BotWallet => ({
  apiKeyId,
  botId,
  runId,
  at: new Date(at(s)).toISOString(),
  walletBalance,
  positionValue: null,
  startingWallet: null,
});

describe('alerts', () => {
  it('keeps unread wallet-low, stale and error notifications as open alerts', () => {
    const out = alertNotifications([
      n(1, 'wallet-low'),
      n(2, 'run-summary'),
      n(3, 'run-stale'),
      n(4, 'run-error', true),
      n(5, 'run-error'),
      n(6, 'test'),
    ]);
    expect(out.map((x) => x.id)).toEqual([1, 3, 5]);
  });
});

describe('wallet per bot', () => {
  // Four runs of one bot (7) report in turn, as when one key runs several processes: the owner's sawtooth.
  const interleaved = [
    point(7, 10, 1, '470.10'),
    point(7, 11, 2, '474.00'),
    point(7, 12, 3, '476.55'),
    point(7, 13, 4, '475.12'),
    point(7, 10, 5, '470.00'),
    point(7, 11, 6, '473.90'),
    point(7, 12, 7, '476.50'),
    point(7, 13, 8, '461.93'),
    point(8, 20, 4, '100'),
  ];

  it('draws one line per bot that follows its newest run, not the runs interleaved', () => {
    const lines = walletLines(interleaved);
    expect(lines.get(7)).toEqual({
      runId: 13,
      points: [
        { at: at(1), balance: '470.10' },
        { at: at(2), balance: '474.00' },
        { at: at(3), balance: '476.55' },
        { at: at(4), balance: '475.12' },
        { at: at(8), balance: '461.93' },
      ],
    });
    const series = walletChartSeries(lines, (botId) => (botId === 7 ? 'box 7' : 'box 8'), [
      { address: '0xabc', at: '2026-01-01T00:00:00Z', usdc: '12.5', pol: '1' },
    ]);
    expect(series.map((s) => s.name)).toEqual(['box 7', 'box 8', 'watched address (USDC)']);
    // every value after the first reading of run 13 is run 13's: no jump back to an older run
    expect(series[0].points.map((p) => p[1])).toEqual([470.1, 474, 476.55, 475.12, 461.93]);
  });

  it("sums each bot's latest balance exactly for the KPI, not each running run's", () => {
    const lines = walletLines(interleaved);
    const bots = [
      { botId: 7, walletBalance: '461.93' },
      { botId: 8, walletBalance: '100' },
      { botId: 9, walletBalance: null },
    ];
    // the four runs' latest balances would add up to 1,882.55 for bot 7 alone
    expect(walletTotal(bots, lines)).toEqual({ total: '561.93', bots: 2 });
    expect(walletTotal([{ botId: 9, walletBalance: null }], lines)).toEqual({ total: null, bots: 0 });
    // a bot whose readings are older than the loaded series keeps the balance GET /api/v1/bots gives
    expect(botBalance({ botId: 3, walletBalance: '0.1' }, lines)).toBe('0.1');
    expect(
      walletTotal(
        [
          { botId: 3, walletBalance: '0.1' },
          { botId: 4, walletBalance: '0.2' },
        ],
        new Map(),
      ),
    ).toEqual({ total: '0.3', bots: 2 });
  });

  it('takes live readings: a newer run takes over, an older run or a replayed reading changes nothing', () => {
    const lines = walletLines([point(7, 13, 8, '461.93')]);
    expect(addWalletReading(lines, { botId: 7, runId: 12, at: at(9), balance: '476' })).toBe(false);
    expect(addWalletReading(lines, { botId: 7, runId: 13, at: at(8), balance: '461.93' })).toBe(false);
    expect(addWalletReading(lines, { botId: 7, runId: 13, at: at(9), balance: '460' })).toBe(true);
    // a newer run's first reading, stamped before the last one of the run it replaces, cuts that one off
    expect(addWalletReading(lines, { botId: 7, runId: 14, at: at(8.5), balance: '300' })).toBe(true);
    expect(lines.get(7)?.points.map((p) => p.balance)).toEqual(['461.93', '300']);
    expect(addWalletReading(lines, { botId: 5, runId: 1, at: at(1), balance: '1' })).toBe(true);
    expect(lines.get(5)?.runId).toBe(1);
  });

  it('leaves out points without a bot or a balance', () => {
    expect([
      ...walletLines([point(null, 1, 1, '5'), point(7, 2, 1, null), point(7, 2, 2, 'NaN')]).keys(),
    ]).toEqual([]);
  });

  it('keeps the readings that arrive while the series loads', () => {
    const book = new WalletBook();
    book.start();
    book.add({ botId: 7, runId: 13, at: at(9), balance: '459' });
    book.finish([point(7, 13, 8, '461.93')]);
    expect(
      book
        .lines()
        .get(7)
        ?.points.map((p) => p.balance),
    ).toEqual(['461.93', '459']);
    book.start();
    book.finish(null); // a failed load keeps the lines
    expect(book.lines().get(7)?.points).toHaveLength(2);
  });

  it("names an alert's source by its bot", () => {
    const keys = botsOfKeys([point(7, 13, 8, '1', 21), point(null, 1, 1, '1', 30)]);
    expect([...keys]).toEqual([[21, 7]]);
    const name = (botId: number) => `box ${botId}`;
    expect(walletSourceName('bot:21', keys, name)).toBe('box 7');
    expect(walletSourceName('bot:22', keys, name)).toBe('box 22'); // a bot id (alerts are kept per bot)
    expect(walletSourceName('chain:0xabc', keys, name)).toBe('watched address 0xabc');
  });
});
