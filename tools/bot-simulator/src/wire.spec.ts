import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from './config';
import {
  cancelBody,
  fillBody,
  marketsReportBody,
  money,
  pythonIsoTimestamp,
  resolutionBody,
  RunMetrics,
  runUpdateBody,
  startRunBody,
  stopBody,
  tradeBody,
} from './wire';

/** The requests the real client sent, recorded (tools/bot-session/recorded-session.jsonl). */
const recorded = readFileSync(join(__dirname, '../../bot-session/recorded-session.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { method: string; path: string; body: Record<string, unknown> | null });
const recordedBody = (path: string, index = 0) =>
  recorded.filter((r) => r.path === path)[index].body as Record<string, unknown>;

const METRICS: RunMetrics = {
  totalCycles: 2,
  totalOrders: 5,
  totalFills: 1,
  totalPnl: 0.48,
  peakPnl: 0.6,
  maxDrawdown: 0.12,
  winCount: 1,
  lossCount: 0,
  avgSpreadCaptured: 0.02,
  avgFillRate: 0.2,
  endingBankroll: 500.48,
  maxCapitalDeployed: 5.2,
  walletBalance: null,
  startingWallet: 500,
  mergesCompleted: 0,
  totalMergedUsd: 0,
  claimsCompleted: 0,
  totalClaimedUsd: 0,
  claimsPending: 0,
  positionValue: 5.2,
  hedgeAnalytics: {
    pairs: 1,
    orphans: 0,
    tier1: 1,
    tier2: 0,
    tier3: 0,
    tier4: 0,
    avgPairCost: 0.98,
    hedgeSpendUsd: 5,
  },
  realizedPnl: 0.48,
  pairedWindows: 1,
  oneSidedFills: 0,
};

describe('wire format builders', () => {
  it('builds run/start like the client', () => {
    const body = startRunBody(1, 'dry_run', 500);
    expect(body).toEqual(recordedBody('/api/bot/run/start'));
    expect(JSON.stringify(Object.keys(body))).toBe(
      JSON.stringify(Object.keys(recordedBody('/api/bot/run/start'))),
    );
  });

  it('builds a trade with the keys, order and types the client sends', () => {
    const sent = recordedBody('/api/bot/trade');
    const body = tradeBody({
      runId: 1,
      cycle: 1,
      asset: 'BTC',
      windowDuration: '15m',
      side: 'buy',
      outcome: 'Up',
      price: 0.52,
      size: 10,
      strategy: 'MM',
      conditionId: sent['conditionId'] as string,
      tokenId: sent['tokenId'] as string,
    });
    expect(body).toEqual(sent);
    expect(Object.keys(body)).toEqual(Object.keys(sent));
    expect(typeof body.tokenId).toBe('string');
  });

  it('leaves out conditionId and tokenId when unknown, and rounds prices to cents', () => {
    const body = tradeBody({
      runId: 3,
      cycle: 0,
      asset: 'ETH',
      windowDuration: '5m',
      side: 'SELL',
      outcome: 'Down',
      price: 0.1 + 0.2,
      size: 5.5,
      strategy: 'MM',
      conditionId: null,
    });
    expect(body).toEqual({
      runId: 3,
      cycle: 0,
      asset: 'ETH',
      windowDuration: '5m',
      side: 'SELL',
      outcome: 'Down',
      price: 0.3,
      size: 5.5,
      strategy: 'MM',
    });
    expect(JSON.stringify(body)).not.toContain('000000');
  });

  it('builds fill, cancel and resolution updates', () => {
    const fill = fillBody(1, 0.52, 10, Date.UTC(2026, 10, 24, 7, 16, 50, 905));
    const sent = recordedBody('/api/bot/trade/update');
    expect(Object.keys(fill)).toEqual(['tradeId', 'status', 'fillPrice', 'fillSize', 'fillTimestamp']);
    expect(fill.fillTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(fill.fillTimestamp).toBe('2026-11-24T07:16:50.905000+00:00');
    expect((sent['fillTimestamp'] as string).length).toBe(fill.fillTimestamp?.length);
    expect(cancelBody(2)).toEqual(recordedBody('/api/bot/trade/update', 1));
    expect(resolutionBody(7, 'Down', -4.0000001)).toEqual({ tradeId: 7, resolvedOutcome: 'Down', pnl: -4 });
  });

  it('formats timestamps as Python isoformat() with microseconds', () => {
    expect(pythonIsoTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6) + 0.789)).toBe(
      '2026-01-02T03:04:05.006789+00:00',
    );
  });

  it('puts metrics at the top level of run/update with unknown keys as named, nulls kept', () => {
    const body = runUpdateBody(1, METRICS, { brand_new_metric_x: 42 });
    expect(body['runId']).toBe(1);
    expect(body['walletBalance']).toBeNull();
    expect(body['brand_new_metric_x']).toBe(42);
    expect(body['hedgeAnalytics']).toEqual(METRICS.hedgeAnalytics);
    // Every metric key the contract lists, and the keys the recorded session sent.
    for (const key of Object.keys(recordedBody('/api/bot/run/update'))) expect(body).toHaveProperty(key);
    expect(Object.keys(body)).toHaveLength(1 + Object.keys(METRICS).length + 1);
  });

  it('builds run/stop with status, optional errorMessage and the final metrics', () => {
    expect(stopBody(1, 'completed', { totalPnl: 0.48, totalFills: 1, totalOrders: 5 })).toEqual(
      recordedBody('/api/bot/run/stop'),
    );
    expect(stopBody(1, 'completed', { totalPnl: 0.48 })).toEqual(recordedBody('/api/bot/run/stop', 1));
    expect(stopBody(2, 'error', {}, 'boom')).toEqual({ runId: 2, status: 'error', errorMessage: 'boom' });
  });

  it('builds a market report with string ids and expiresAt in unix seconds', () => {
    const sent = recordedBody('/api/bot/markets/report') as { markets: Record<string, unknown>[] };
    const body = marketsReportBody([
      {
        tokenId: '111',
        tokenIdDown: '222',
        asset: 'BTC',
        window: '15m',
        windowId: 'btc-updown-15m-1764000000',
        conditionId: '0xabc',
        expiresAt: '1764000900',
      },
    ]);
    expect(body).toEqual(sent);
    expect(Object.keys(body.markets[0])).toEqual(Object.keys(sent.markets[0]));
  });

  it('rounds money without float noise', () => {
    expect(money(0.1 + 0.2)).toBe(0.3);
    expect(money(-0.00001)).toBe(0);
    expect(money(1234.56789)).toBe(1234.5679);
  });
});

describe('config reading', () => {
  it('accepts lists or comma strings and falls back to defaults', () => {
    const config = readConfig({
      id: 4,
      targetAssets: 'BTC, eth',
      windowDurations: ['15m'],
      pauseOrders: true,
      mmOrderSize: '12',
    });
    expect(config).toMatchObject({
      id: 4,
      targetAssets: ['BTC', 'ETH'],
      windowDurations: ['15m'],
      pauseOrders: true,
      mmOrderSize: 12,
    });
    expect(readConfig({ id: 1, targetAssets: 'DOGE' }).targetAssets).toEqual(['BTC', 'ETH', 'SOL', 'XRP']);
    // simEdge (simulator only) is read and bounded; absent it is 0
    expect([
      readConfig({ id: 1, simEdge: '0.05' }).simEdge,
      readConfig({ id: 1, simEdge: 3 }).simEdge,
      readConfig({ id: 1 }).simEdge,
    ]).toEqual([0.05, 0.2, 0]);
    expect(readConfig({ id: 1 }).pauseOrders).toBe(false);
    expect(readConfig({ id: 1, hedgeTier2Cost: 1.2 }).hedgeTiers[1]).toEqual({ pct: 50, cost: 1.2 });
  });
});
