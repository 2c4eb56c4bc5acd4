import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * Replays every request of a real bot session (tools/bot-session/recorded-session.jsonl, the one copy
 * that the Python session script and the simulator's wire tests read too) exactly as it went over the wire, putting in the ids this server returns, then reads
 * everything back through the admin API.
 */
interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Json | null;
}

const recorded: RecordedRequest[] = readFileSync(
  join(__dirname, '../../../../tools/bot-session/recorded-session.jsonl'),
  'utf8',
)
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as RecordedRequest);

describe('a recorded bot session, replayed over the wire', () => {
  let t: TestApi;
  const responses: { request: RecordedRequest; status: number; body: Json }[] = [];
  let runId = 0;

  beforeAll(async () => {
    t = await startTestApi('recorded');
    const ids = { config: new Map<number, number>(), run: new Map<number, number>(), trade: [] as number[] };
    let recordedTradeIds = 0;
    const mapTrade = (recordedId: number) => ids.trade[recordedId - 1];
    const rewrite = (body: Json | null): Json | null => {
      if (!body) return body;
      const copy = JSON.parse(JSON.stringify(body)) as Json;
      const fix = (item: Json) => {
        if (typeof item['runId'] === 'number') item['runId'] = ids.run.get(item['runId']) ?? item['runId'];
        if (typeof item['configId'] === 'number')
          item['configId'] = ids.config.get(item['configId']) ?? item['configId'];
        if (typeof item['tradeId'] === 'number')
          item['tradeId'] = mapTrade(item['tradeId']) ?? item['tradeId'];
      };
      fix(copy);
      if (Array.isArray(copy['trades'])) (copy['trades'] as Json[]).forEach(fix);
      return copy;
    };
    for (const request of recorded) {
      const headers = { ...request.headers, 'X-Api-Key': t.api.botKey };
      delete (headers as Record<string, string>)['Connection'];
      delete (headers as Record<string, string>)['Accept-Encoding'];
      const body = rewrite(request.body);
      const response = await t.raw<Json>(request.method, request.path, {
        headers,
        rawBody: body === null ? undefined : JSON.stringify(body),
      });
      responses.push({ request, status: response.status, body: response.body });
      if (request.path.endsWith('/config')) ids.config.set(1, response.body['id'] as number);
      if (request.path.endsWith('/run/start')) {
        runId = response.body['runId'] as number;
        ids.run.set(1, runId); // the recorded server answered runId 1
      }
      if (request.path.endsWith('/api/bot/trade')) {
        recordedTradeIds += 1;
        ids.trade[recordedTradeIds - 1] = response.body['tradeId'] as number;
      }
      if (request.path.endsWith('/trade/batch')) ids.trade.push(...(response.body['tradeIds'] as number[]));
    }
  });

  afterAll(() => t?.stop());

  it('answers every request with 2xx and a JSON object, as the client requires', () => {
    expect(responses).toHaveLength(recorded.length);
    for (const { request, status, body } of responses) {
      expect({ path: request.path, status }).toEqual({ path: request.path, status: expect.any(Number) });
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(300);
      expect(body).toEqual(expect.any(Object));
      expect(Array.isArray(body)).toBe(false);
      expect(Object.keys(body).length).toBeGreaterThan(0);
    }
  });

  it('returns integer ids where the client reads them', () => {
    const byPath = (path: string) => responses.filter((r) => r.request.path === path).map((r) => r.body);
    expect(Number.isInteger(byPath('/api/bot/config')[0]['id'])).toBe(true);
    expect(Number.isInteger(byPath('/api/bot/run/start')[0]['runId'])).toBe(true);
    for (const trade of byPath('/api/bot/trade')) expect(Number.isInteger(trade['tradeId'])).toBe(true);
    const batch = byPath('/api/bot/trade/batch')[0]['tradeIds'] as number[];
    expect(batch).toHaveLength(2);
    expect(batch.every(Number.isInteger)).toBe(true);
    expect(batch[1]).toBeGreaterThan(batch[0]);
  });

  it('answers both stops with the same non-empty body and an overallScore from 0 to 100', () => {
    const stops = responses.filter((r) => r.request.path === '/api/bot/run/stop').map((r) => r.body);
    expect(stops).toHaveLength(2);
    expect(stops[1]).toEqual(stops[0]);
    const score = (stops[0]['analysis'] as Json)['overallScore'] as number;
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(100);
  });

  it('lets an admin read back every value the bot sent', async () => {
    const run = (await t.admin(`GET`, `/api/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({
      id: runId,
      status: 'completed',
      mode: 'dry_run',
      startingBankroll: '500',
      totalPnl: '0.48',
      totalFills: 1,
      totalOrders: 5,
      tradeCount: 5,
    });
    expect(run['extra']).toEqual({ brand_new_metric_x: 42 });
    expect(run['metrics']).toMatchObject({
      totalCycles: 2,
      peakPnl: '0.6',
      maxDrawdown: '0.12',
      walletBalance: null,
      startingWallet: '500',
      positionValue: '5.2',
      hedgeAnalytics: { pairs: 1, orphans: 0 },
      realizedPnl: '0.48',
      pairedWindows: 1,
      oneSidedFills: 0,
    });

    const trades = (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runId}&order=asc`)).body
      .items;
    expect(
      trades.map((trade) => [
        trade['asset'],
        trade['windowDuration'],
        trade['side'],
        trade['outcome'],
        trade['price'],
        trade['size'],
        trade['strategy'],
      ]),
    ).toEqual([
      ['BTC', '15m', 'buy', 'Up', '0.52', '10', 'MM'],
      ['ETH', '5m', 'sell', 'Down', '0.47', '5.5', 'MM'],
      ['UNKNOWN', '15m', 'buy', 'Unknown', '0.1', '1', 'MM'],
      ['SOL', '15m', 'buy', 'Up', '0.61', '3', 'MM'],
      ['XRP', '5m', 'sell', 'Down', '0.33', '4', 'hedge'],
    ]);
    expect(trades[0]).toMatchObject({
      status: 'filled',
      fillPrice: '0.52',
      fillSize: '10',
      pnl: '0.48',
      fillTimestamp: '2026-11-24T07:16:50.905897Z',
      conditionId: '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1',
      tokenId: '71321045679252212594626385532706912750332728571942532289631379312455583992563',
    });
    expect(trades[1]['status']).toBe('cancelled');
    expect(trades[2]['tokenId']).toBeNull();

    const series = (await t.admin<{ items: Json[] }>('GET', `/api/v1/runs/${runId}/metrics`)).body.items;
    const withExtra = series.find((point) => (point['extra'] as Json)['brand_new_metric_x'] === 42);
    expect(withExtra).toMatchObject({
      totalPnl: '0.48',
      walletBalance: null,
      hedgeAnalytics: { pairs: 1, orphans: 0 },
    });

    const markets = (await t.admin<{ items: Json[] }>('GET', '/api/v1/markets?includeExpired=true')).body
      .items;
    expect(markets).toEqual([
      expect.objectContaining({
        tokenId: '111',
        tokenIdDown: '222',
        asset: 'BTC',
        window: '15m',
        windowId: 'btc-updown-15m-1764000000',
        conditionId: '0xabc',
        expiresAt: new Date(1764000900 * 1000).toISOString(),
        reportCount: 1,
      }),
    ]);
  });
});
