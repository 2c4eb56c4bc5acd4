import { Json, startTestApi, TestApi } from '../support/api';

/** Every item under "Behaviour seen in the field" of the wire contract. */
describe('behaviour seen in the field', () => {
  let t: TestApi;
  let configId: number;

  beforeAll(async () => {
    t = await startTestApi('field');
    configId = (await t.bot('GET', '/api/bot/config')).body['id'] as number;
  });
  afterAll(() => t?.stop());

  const startRun = async (mode = 'dry_run') => {
    const response = await t.bot('POST', '/api/bot/run/start', { configId, mode, startingBankroll: 250 });
    expect(response.status).toBe(201);
    return response.body['runId'] as number;
  };

  it('serves the active config as one flat object with an integer id, and the status as JSON', async () => {
    const config = await t.bot('GET', '/api/bot/config');
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toContain('application/json');
    expect(config.body).toMatchObject({
      id: configId,
      mode: 'dry_run',
      pauseOrders: false,
      maxConcurrentWindows: 4,
    });
    expect(
      Object.values(config.body).every((value) => typeof value !== 'object' || Array.isArray(value)),
    ).toBe(true);
    const status = await t.bot('GET', '/api/bot/status');
    expect(status.body).toMatchObject({
      ok: true,
      apiKey: { valid: true, scope: 'bot' },
      activeConfig: { id: configId },
    });
  });

  it('stores "paper" as dry_run and accepts live', async () => {
    const paper = await t.bot('POST', '/api/bot/run/start', { configId, mode: 'paper', startingBankroll: 1 });
    expect(paper.body['mode']).toBe('dry_run');
    const live = await t.bot('POST', '/api/bot/run/start', {
      configId,
      mode: 'live',
      startingBankroll: '1.5',
    });
    expect(live.body['mode']).toBe('live');
    const run = (await t.admin('GET', `/api/v1/runs/${live.body['runId']}`)).body;
    expect(run['startingBankroll']).toBe('1.5');
  });

  it('accepts upper-case sides, numeric strings, UNKNOWN assets and unknown trade fields', async () => {
    const runId = await startRun();
    const response = await t.bot('POST', '/api/bot/trade', {
      runId: String(runId),
      cycle: '3',
      asset: 'UNKNOWN',
      windowDuration: '5m',
      side: 'BUY',
      outcome: 'Unknown',
      price: '0.123456789',
      size: '12.5',
      strategy: 'MM',
      queuePosition: 7,
    });
    expect(response.status).toBe(201);
    const [trade] = (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runId}`)).body.items;
    expect(trade).toMatchObject({
      side: 'buy',
      asset: 'UNKNOWN',
      outcome: 'Unknown',
      price: '0.123456789',
      size: '12.5',
      cycle: 3,
      extra: { queuePosition: 7 },
    });
  });

  it('keeps unknown metric keys as sent, and null values, and money as exact decimals', async () => {
    const runId = await startRun();
    for (const pnl of ['0.1', '0.2']) {
      const update = await t.bot('POST', '/api/bot/run/update', {
        runId,
        totalPnl: pnl,
        walletBalance: null,
        realizedPnl: 0.30000000000000004,
        future_metric: { nested: [1, 2] },
        'Weird Key': 'kept',
      });
      expect(update.status).toBe(200);
      expect(update.body).toMatchObject({ ok: true, runId });
    }
    const run = (await t.admin('GET', `/api/v1/runs/${runId}`)).body;
    expect(run['totalPnl']).toBe('0.2');
    expect(run['metrics']).toMatchObject({ walletBalance: null, realizedPnl: '0.30000000000000004' });
    expect(run['extra']).toEqual({ future_metric: { nested: [1, 2] }, 'Weird Key': 'kept' });
    const series = (await t.admin<{ items: Json[] }>('GET', `/api/v1/runs/${runId}/metrics`)).body.items;
    expect(series.map((point) => point['totalPnl'])).toEqual(['0.1', '0.2']);
  });

  it("answers a second stop with the first stop's result, analysis included", async () => {
    const runId = await startRun();
    await t.bot('POST', '/api/bot/trade', {
      runId,
      cycle: 1,
      asset: 'BTC',
      windowDuration: '15m',
      side: 'buy',
      outcome: 'Up',
      price: 0.5,
      size: 10,
      strategy: 'MM',
    });
    const first = await t.bot('POST', '/api/bot/run/stop', {
      runId,
      status: 'completed',
      totalPnl: 1.25,
      totalOrders: 1,
      totalFills: 1,
    });
    const second = await t.bot('POST', '/api/bot/run/stop', { runId, status: 'stopped', totalPnl: 99 });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body).toMatchObject({
      ok: true,
      runId,
      status: 'completed',
      analysis: { overallScore: expect.any(Number) },
    });
    const run = (await t.admin('GET', `/api/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({
      status: 'completed',
      totalPnl: '1.25',
      overallScore: (first.body['analysis'] as Json)['overallScore'],
    });
  });

  it('answers concurrent double stops (shutdown handler and KeyboardInterrupt) identically', async () => {
    const runId = await startRun();
    const [a, b] = await Promise.all([
      t.bot('POST', '/api/bot/run/stop', { runId, status: 'completed' }),
      t.bot('POST', '/api/bot/run/stop', { runId, status: 'completed' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual(b.body);
  });

  it('records an error stop with its message', async () => {
    const runId = await startRun();
    const stop = await t.bot('POST', '/api/bot/run/stop', {
      runId,
      status: 'error',
      errorMessage: 'websocket closed',
    });
    expect(stop.body['status']).toBe('error');
    const run = (await t.admin('GET', `/api/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({ status: 'error', errorMessage: 'websocket closed' });
  });

  it('accepts expiresAt as unix seconds or ISO time, and counts repeated reports', async () => {
    const soon = Math.floor(Date.now() / 1000) + 600;
    const markets = [
      {
        tokenId: '900000000000000000000000000001',
        tokenIdDown: '900000000000000000000000000002',
        asset: 'ETH',
        window: '5m',
        windowId: `eth-updown-5m-${soon - 300}`,
        conditionId: '0xdef',
        expiresAt: String(soon),
      },
      {
        tokenId: '900000000000000000000000000003',
        asset: 'SOL',
        window: '15m',
        expiresAt: new Date(soon * 1000).toISOString(),
      },
    ];
    expect((await t.bot('POST', '/api/bot/markets/report', { markets })).body).toMatchObject({
      ok: true,
      received: 2,
    });
    await t.bot('POST', '/api/bot/markets/report', { markets: markets.slice(0, 1) });
    const list = (await t.admin<{ items: Json[] }>('GET', '/api/v1/markets')).body.items;
    const eth = list.find((m) => m['asset'] === 'ETH');
    const sol = list.find((m) => m['asset'] === 'SOL');
    expect(eth).toMatchObject({
      reportCount: 2,
      expiresAt: new Date(soon * 1000).toISOString(),
      tokenIdDown: '900000000000000000000000000002',
    });
    expect(sol).toMatchObject({ reportCount: 1, expiresAt: new Date(soon * 1000).toISOString() });
    expect(eth?.['secondsToExpiry'] as number).toBeGreaterThan(0);
  });
});
