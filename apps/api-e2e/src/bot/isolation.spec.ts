import type { JsonResponse } from '@polymaker/testing';
import { Json, startTestApi, TestApi } from '../support/api';

type MarketPage = { items: Json[]; total: number; nextCursor: string | null };

/**
 * Bots are isolated: a run (and its trades) belongs to the bot whose key started it. Another bot's
 * key gets the same 404 as for a run or trade that does not exist, and nothing of the owner's run
 * changes; reported markets are kept per bot; /status counts the caller's own runs; a rotated key
 * keeps its bot's runs; admin keys act on every run.
 */
describe('bots are isolated from each other', () => {
  let t: TestApi;
  let keyB: string;
  let botA: number;
  let botB: number;

  const trade = {
    cycle: 1,
    asset: 'BTC',
    windowDuration: '15m',
    side: 'BUY',
    outcome: 'Up',
    price: '0.47',
    size: 10,
    strategy: 'MM',
  };
  const as =
    (key: string) =>
    <T = Json>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> =>
      t.raw<T>(method, path, { key, body });
  const asB = <T = Json>(method: string, path: string, body?: unknown) => as(keyB)<T>(method, path, body);

  async function createBotKey(name: string): Promise<{ id: number; botId: number; secret: string }> {
    const created = await t.admin('POST', '/api/v1/api-keys', { name, scope: 'bot' });
    expect(created.status).toBe(201);
    const apiKey = created.body['apiKey'] as Json;
    return {
      id: apiKey['id'] as number,
      botId: apiKey['botId'] as number,
      secret: created.body['secret'] as string,
    };
  }

  /** Everything the admin API shows of a run: detail (but its running clock), metric series, trades. */
  async function snapshot(runId: number): Promise<Json> {
    const detail = await t.admin(`GET`, `/api/v1/runs/${runId}`);
    expect(detail.status).toBe(200);
    const { durationSeconds: _clock, ...run } = detail.body;
    const metrics = await t.admin('GET', `/api/v1/runs/${runId}/metrics`);
    const trades = await t.admin('GET', `/api/v1/trades?runId=${runId}&limit=1000`);
    // a stop's analysis is completed by an outbox job just after the stop: compare settled states
    let analyses = await t.admin<{ items: Json[] }>('GET', `/api/v1/analyses?runId=${runId}`);
    for (let i = 0; i < 200 && analyses.body.items.some((a) => a['state'] === 'pending'); i++) {
      await new Promise((done) => setTimeout(done, 100));
      analyses = await t.admin<{ items: Json[] }>('GET', `/api/v1/analyses?runId=${runId}`);
    }
    return { run, metrics: metrics.body, trades: trades.body, analyses: analyses.body };
  }

  /** The error body with the id and request id taken out: what tells one refusal from another. */
  function shape(response: JsonResponse, id: number): Json {
    const { requestId: _request, ...body } = response.body;
    const message = String(body['message']).replace(new RegExp(`(Run|Trade|runId) ${id}\\b`, 'g'), '$1 <id>');
    return { status: response.status, ...body, message };
  }

  async function startRun(key: string): Promise<number> {
    const started = await as(key)('POST', '/api/bot/run/start', { mode: 'dry_run', startingBankroll: 500 });
    expect(started.status).toBe(201);
    return started.body['runId'] as number;
  }

  async function logTrade(key: string, runId: number): Promise<number> {
    const logged = await as(key)('POST', '/api/bot/trade', { runId, ...trade });
    expect(logged.status).toBe(201);
    return logged.body['tradeId'] as number;
  }

  beforeAll(async () => {
    t = await startTestApi('isolation');
    const b = await createBotKey('bot B');
    keyB = b.secret;
    botB = b.botId;
    expect(botB).toBe(b.id); // a new key is its own bot
    const keys = (await t.admin<{ items: Json[] }>('GET', '/api/v1/api-keys')).body.items;
    const envBot = keys.find((key) => key['scope'] === 'bot' && key['id'] !== b.id);
    botA = envBot?.['botId'] as number;
    expect(botA).toEqual(envBot?.['id']);
  });
  afterAll(() => t?.stop());

  it("answers 404 to every route naming another bot's run or trade, exactly as for one that does not exist, and changes nothing", async () => {
    const runA = await startRun(t.api.botKey);
    expect(
      (
        await t.bot('POST', '/api/bot/run/update', {
          runId: runA,
          totalPnl: '4.5',
          totalFills: 3,
          totalOrders: 9,
        })
      ).status,
    ).toBe(200);
    const tradeA = await logTrade(t.api.botKey, runA);
    expect(
      (
        await t.bot('POST', '/api/bot/trade/update', {
          tradeId: tradeA,
          status: 'filled',
          fillPrice: '0.47',
          fillSize: 10,
        })
      ).status,
    ).toBe(200);
    const before = await snapshot(runA);
    expect(before['run']).toMatchObject({
      botId: botA,
      totalPnl: '4.5',
      totalFills: 3,
      status: 'running',
      tradeCount: 1,
    });

    const missingRun = 1_000_000_000;
    const missingTrade = 2_000_000_000;
    const runRoutes: [string, (runId: number) => Json][] = [
      ['/api/bot/run/update', (runId) => ({ runId, totalPnl: -99999 })],
      [
        '/api/bot/run/stop',
        (runId) => ({ runId, status: 'error', errorMessage: 'stopped by B', totalPnl: -99999 }),
      ],
      ['/api/bot/trade', (runId) => ({ runId, ...trade })],
    ];
    for (const [path, body] of runRoutes) {
      const foreign = await asB('POST', path, body(runA));
      const missing = await asB('POST', path, body(missingRun));
      expect(foreign.status).toBe(404);
      expect(foreign.body['message']).toMatch(new RegExp(`Run ${runA} does not exist`));
      expect(shape(foreign, runA)).toEqual(shape(missing, missingRun));
    }

    const update = (tradeId: number) => ({ tradeId, status: 'cancelled', pnl: '-99999' });
    const foreignTrade = await asB('POST', '/api/bot/trade/update', update(tradeA));
    const missingTradeAnswer = await asB('POST', '/api/bot/trade/update', update(missingTrade));
    expect(foreignTrade.status).toBe(404);
    expect(foreignTrade.body['message']).toMatch(new RegExp(`Trade ${tradeA} does not exist`));
    expect(shape(foreignTrade, tradeA)).toEqual(shape(missingTradeAnswer, missingTrade));

    // A batch naming A's run among B's own trades is refused whole, naming the index.
    const runB = await startRun(keyB);
    const batch = (foreignRun: number) => ({
      trades: [
        { runId: runB, ...trade },
        { runId: foreignRun, ...trade, cycle: 2 },
      ],
    });
    const foreignBatch = await asB('POST', '/api/bot/trade/batch', batch(runA));
    const missingBatch = await asB('POST', '/api/bot/trade/batch', batch(missingRun));
    expect(foreignBatch.status).toBe(404);
    expect(foreignBatch.body['message']).toMatch(new RegExp(`trades\\[1\\]\\.runId ${runA} is not a run`));
    expect(shape(foreignBatch, runA)).toEqual(shape(missingBatch, missingRun));
    expect((await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runB}`)).body.items).toEqual([]);

    expect(await snapshot(runA)).toEqual(before);
    // A itself still works on its run.
    expect((await t.bot('POST', '/api/bot/run/update', { runId: runA, totalPnl: '5' })).status).toBe(200);
    expect((await t.bot('POST', '/api/bot/trade/update', { tradeId: tradeA, pnl: '0.3' })).status).toBe(200);
  });

  it("does not give another bot a finished run's analysis; the owner's repeated stop gets the first answer", async () => {
    const runA = await startRun(t.api.botKey);
    await logTrade(t.api.botKey, runA);
    const stopped = await t.bot('POST', '/api/bot/run/stop', {
      runId: runA,
      status: 'completed',
      totalPnl: '2',
    });
    expect(stopped.status).toBe(200);
    expect(stopped.body['analysis']).toEqual(expect.objectContaining({ overallScore: expect.any(Number) }));
    const before = await snapshot(runA);

    const foreign = await asB('POST', '/api/bot/run/stop', {
      runId: runA,
      status: 'error',
      errorMessage: 'B',
    });
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('analysis');
    expect(foreign.text).not.toContain('overallScore');
    expect(await snapshot(runA)).toEqual(before);

    const again = await t.bot('POST', '/api/bot/run/stop', { runId: runA, status: 'error' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(stopped.body);
  });

  it('refuses run/update after the stop with a 409 that changes nothing; late trades and fills are still taken', async () => {
    const runA = await startRun(t.api.botKey);
    const tradeA = await logTrade(t.api.botKey, runA);
    await t.bot('POST', '/api/bot/run/update', { runId: runA, totalPnl: '1.25', totalFills: 1 });
    const stopped = await t.bot('POST', '/api/bot/run/stop', {
      runId: runA,
      status: 'stopped',
      totalPnl: '1.5',
    });
    expect(stopped.status).toBe(200);
    const before = await snapshot(runA);
    expect(before['run']).toMatchObject({ status: 'stopped', totalPnl: '1.5' });

    const late = await t.bot('POST', '/api/bot/run/update', {
      runId: runA,
      totalPnl: '-50',
      totalFills: 99,
      walletBalance: 1,
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ statusCode: 409, error: 'Conflict', requestId: expect.any(String) });
    expect(late.body['message']).toMatch(
      new RegExp(`Run ${runA} was stopped .*not recorded.*run/stop.*run/start`),
    );
    expect(await snapshot(runA)).toEqual(before);
    // Another bot still cannot tell the stopped run exists.
    expect((await asB('POST', '/api/bot/run/update', { runId: runA, totalPnl: '1' })).status).toBe(404);

    // Fills and resolution P&L arrive after the stop: still recorded.
    expect(
      (await t.bot('POST', '/api/bot/trade/update', { tradeId: tradeA, status: 'filled', pnl: '0.8' }))
        .status,
    ).toBe(200);
    expect((await t.bot('POST', '/api/bot/trade', { runId: runA, ...trade, cycle: 9 })).status).toBe(201);
    const trades = (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runA}`)).body.items;
    expect(trades.map((item) => item['pnl'])).toContain('0.8');
    expect(trades).toHaveLength(2);
  });

  it("shows each bot its own open runs on /status, and an admin key every bot's", async () => {
    const openRuns = async (key: string) =>
      (await as(key)('GET', '/api/bot/status')).body['openRuns'] as number;
    const allRunning = async () =>
      (await t.admin('GET', '/api/v1/runs?status=running&limit=1')).body['total'] as number;
    const d = await createBotKey('bot D');
    expect(await openRuns(d.secret)).toBe(0);
    const a0 = await openRuns(t.api.botKey);
    const b0 = await openRuns(keyB);
    await startRun(d.secret);
    await startRun(d.secret);
    expect(await openRuns(d.secret)).toBe(2);
    expect(await openRuns(t.api.botKey)).toBe(a0);
    expect(await openRuns(keyB)).toBe(b0);
    expect(await openRuns(t.api.adminKey)).toBe(await allRunning());
    expect(await allRunning()).toBeGreaterThanOrEqual(a0 + b0 + 2);
    const runs = (await t.admin<{ items: Json[]; total: number }>('GET', `/api/v1/runs?botId=${d.botId}`))
      .body;
    expect(runs.total).toBe(2);
    expect(runs.items.every((run) => run['botId'] === d.botId && run['apiKeyId'] === d.id)).toBe(true);
  });

  it("keeps a rotated key on its bot's runs; the old key is refused, other bots still get 404", async () => {
    const c = await createBotKey('bot C');
    const runC = await startRun(c.secret);
    const tradeC = await logTrade(c.secret, runC);
    const rotated = await t.admin('POST', `/api/v1/api-keys/${c.id}/rotate`, {});
    expect(rotated.status).toBe(200);
    const next = rotated.body['apiKey'] as Json;
    expect(next).toMatchObject({ botId: c.botId, active: true });
    expect(next['id']).not.toBe(c.id);
    const newKey = rotated.body['secret'] as string;

    expect((await as(c.secret)('POST', '/api/bot/run/update', { runId: runC, totalPnl: '1' })).status).toBe(
      401,
    );
    expect((await as(newKey)('GET', '/api/bot/status')).body['openRuns']).toBe(1);
    expect(
      (await as(newKey)('POST', '/api/bot/run/update', { runId: runC, totalPnl: '3', totalFills: 1 })).status,
    ).toBe(200);
    expect(
      (await as(newKey)('POST', '/api/bot/trade/update', { tradeId: tradeC, status: 'filled' })).status,
    ).toBe(200);
    expect(
      (await as(newKey)('POST', '/api/bot/trade/batch', { trades: [{ runId: runC, ...trade, cycle: 2 }] }))
        .status,
    ).toBe(201);
    expect(
      (await asB('POST', '/api/bot/trade/update', { tradeId: tradeC, status: 'cancelled' })).status,
    ).toBe(404);
    const stopped = await as(newKey)('POST', '/api/bot/run/stop', { runId: runC, status: 'completed' });
    expect(stopped.status).toBe(200);
    const run = (await t.admin(`GET`, `/api/v1/runs/${runC}`)).body;
    expect(run).toMatchObject({
      botId: c.botId,
      apiKeyId: c.id,
      status: 'completed',
      totalPnl: '3',
      tradeCount: 2,
    });

    // A second rotation (with a grace period) still keeps the bot; both keys act for it meanwhile.
    const graceful = await t.admin('POST', `/api/v1/api-keys/${next['id'] as number}/rotate`, {
      graceMinutes: 5,
    });
    expect((graceful.body['apiKey'] as Json)['botId']).toBe(c.botId);
    const third = graceful.body['secret'] as string;
    const runC2 = await startRun(third);
    expect((await as(newKey)('POST', '/api/bot/run/update', { runId: runC2, totalPnl: '1' })).status).toBe(
      200,
    );
    expect((await as(third)('POST', '/api/bot/run/stop', { runId: runC2, status: 'completed' })).status).toBe(
      200,
    );
  });

  it('lets an admin key act on any run, and keeps the trades it logs with the run’s bot', async () => {
    const runA = await startRun(t.api.botKey);
    expect((await t.admin('POST', '/api/bot/run/update', { runId: runA, totalPnl: '7' })).status).toBe(200);
    const logged = await t.admin('POST', '/api/bot/trade', { runId: runA, ...trade });
    expect(logged.status).toBe(201);
    const tradeId = logged.body['tradeId'] as number;
    expect((await asB('POST', '/api/bot/trade/update', { tradeId, status: 'cancelled' })).status).toBe(404);
    expect((await t.bot('POST', '/api/bot/trade/update', { tradeId, status: 'filled' })).status).toBe(200);
    expect((await t.admin('POST', '/api/bot/trade/update', { tradeId, pnl: '1' })).status).toBe(200);
    expect(
      (await t.admin('POST', '/api/bot/trade/batch', { trades: [{ runId: runA, ...trade }] })).status,
    ).toBe(201);
    const stopped = await t.admin('POST', '/api/bot/run/stop', { runId: runA, status: 'stopped' });
    expect(stopped.status).toBe(200);
    expect((await t.bot('POST', '/api/bot/run/stop', { runId: runA, status: 'completed' })).body).toEqual(
      stopped.body,
    );
    expect((await t.admin(`GET`, `/api/v1/runs/${runA}`)).body).toMatchObject({
      botId: botA,
      totalPnl: '7',
      tradeCount: 2,
    });
  });

  it("keeps reported markets per bot: B's report leaves A's rows as A reported them", async () => {
    const expiresA = new Date(Date.now() + 3_600_000);
    const expiresB = new Date(Date.now() + 7_200_000);
    const reportA = {
      tokenId: 'iso-tok-1',
      tokenIdDown: 'iso-tok-1d',
      asset: 'ETH',
      window: '1h',
      windowId: 'eth-a',
      conditionId: '0xa',
      expiresAt: String(Math.floor(expiresA.getTime() / 1000)),
    };
    expect((await t.bot('POST', '/api/bot/markets/report', { markets: [reportA] })).status).toBe(200);
    const listed = async (query: string) => {
      const response = await t.admin<{ items: Json[]; total: number }>(
        'GET',
        `/api/v1/markets?includeExpired=true${query}`,
      );
      expect(response.status).toBe(200);
      return response.body.items.filter((market) => market['tokenId'] === 'iso-tok-1');
    };
    const [asReportedByA] = await listed(`&botId=${botA}`);
    expect(asReportedByA).toMatchObject({
      windowId: 'eth-a',
      conditionId: '0xa',
      tokenIdDown: 'iso-tok-1d',
      reportCount: 1,
      botIds: [botA],
    });

    const hostile = {
      tokenId: 'iso-tok-1',
      tokenIdDown: 'evil-down',
      asset: 'DOGE',
      window: '5m',
      windowId: 'evil',
      conditionId: '0xb',
      expiresAt: String(Math.floor(expiresB.getTime() / 1000)),
    };
    expect((await asB('POST', '/api/bot/markets/report', { markets: [hostile] })).status).toBe(200);
    expect((await asB('POST', '/api/bot/markets/report', { markets: [hostile] })).status).toBe(200);

    const [afterA] = await listed(`&botId=${botA}`);
    const {
      botIds: _a,
      botCount: _ac,
      lastReportedAt: _al,
      tradeCount: _at,
      secondsToExpiry: _as,
      ...stableA
    } = asReportedByA;
    expect(afterA).toMatchObject({
      ...stableA,
      expiresAt: expiresA.toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      reportCount: 1,
    });
    const [ofB] = await listed(`&botId=${botB}`);
    expect(ofB).toMatchObject({ asset: 'DOGE', windowId: 'evil', reportCount: 2, botIds: [botB] });

    // The admin watchlist: one row for the market, with the first report's values and both bots.
    const merged = await listed('');
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      asset: 'ETH',
      window: '1h',
      windowId: 'eth-a',
      conditionId: '0xa',
      botCount: 2,
      reportCount: 3,
    });
    expect(merged[0]['botIds']).toEqual([botA, botB].sort((x, y) => x - y));
  });

  it('pages the watchlist: every market exactly once across pages, even while markets are reported', async () => {
    const soon = Math.floor(Date.now() / 1000) + 1800;
    const markets = Array.from({ length: 23 }, (_, i) => ({
      tokenId: `page-tok-${String(i).padStart(2, '0')}`,
      asset: ['BTC', 'ETH', 'SOL'][i % 3],
      window: i % 2 ? '5m' : '15m',
      ...(i % 5 === 0 ? {} : { expiresAt: String(soon + (i % 4) * 60) }), // ties and markets with no expiry
    }));
    expect((await t.bot('POST', '/api/bot/markets/report', { markets })).status).toBe(200);
    expect((await asB('POST', '/api/bot/markets/report', { markets: markets.slice(0, 9) })).status).toBe(200);

    const everything = await t.admin<MarketPage>('GET', '/api/v1/markets?includeExpired=true&limit=1000');
    expect(everything.body.nextCursor).toBeNull();
    const all = everything.body.items.map((market) => market['tokenId'] as string);
    expect(new Set(all).size).toBe(all.length);
    expect(everything.body.total).toBe(all.length);
    for (const market of markets) expect(all).toContain(market.tokenId);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: JsonResponse<MarketPage> = await t.admin<MarketPage>(
        'GET',
        `/api/v1/markets?includeExpired=true&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      if (pages === 0) {
        expect(page.body.total).toBe(all.length);
        // A market reported meanwhile that sorts before this page (it expires sooner than any):
        // offset paging would repeat a row.
        await t.bot('POST', '/api/bot/markets/report', {
          markets: [
            {
              tokenId: 'page-tok-early',
              asset: 'AAA',
              window: '1m',
              expiresAt: String(Math.floor(Date.now() / 1000) + 5),
            },
          ],
        });
      }
      seen.push(...page.body.items.map((market) => market['tokenId'] as string));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(cursor).toBeNull();
    expect(seen).toEqual(all);

    const byBot = await t.admin<{ items: Json[]; total: number }>(
      'GET',
      `/api/v1/markets?includeExpired=true&limit=1000&botId=${botB}`,
    );
    expect(
      byBot.body.items.filter((market) => String(market['tokenId']).startsWith('page-tok-')),
    ).toHaveLength(9);
    expect(byBot.body.items.every((market) => (market['botIds'] as number[]).join() === String(botB))).toBe(
      true,
    );
  });

  it('refuses a bad watchlist query with a 400 naming it', async () => {
    for (const query of [
      'limit=0',
      'limit=1001',
      'limit=abc',
      'cursor=not-a-cursor',
      `cursor=${Buffer.from('["a","b",null,"x"]').toString('base64url')}`,
      `cursor=${Buffer.from('["a\\u0000","b",null,1]').toString('base64url')}`,
      'includeExpired=maybe',
      'botId=0',
    ]) {
      const response = await t.admin('GET', `/api/v1/markets?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(response.body['message']).toMatch(/limit|cursor|includeExpired|botId/);
    }
  });
});
