import { postLargeBody } from '@polymaker/testing';
import { Json, startTestApi, TestApi } from '../support/api';

/** Bad input of every kind gets a clear 4xx JSON body, and nothing is written. */
describe('bad input from a bot', () => {
  let t: TestApi;
  let runId: number;
  const trade = (overrides: Json = {}): Json => ({
    runId,
    cycle: 1,
    asset: 'BTC',
    windowDuration: '15m',
    side: 'buy',
    outcome: 'Up',
    price: 0.5,
    size: 1,
    strategy: 'MM',
    ...overrides,
  });
  const tradeCount = async () =>
    (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runId}&limit=1000`)).body.items.length;
  const runCount = async () => (await t.admin('GET', '/api/v1/runs')).body['total'] as number;

  beforeAll(async () => {
    t = await startTestApi('badinput');
    const config = await t.bot('GET', '/api/bot/config');
    runId = (await t.bot('POST', '/api/bot/run/start', { configId: config.body['id'], mode: 'dry_run' }))
      .body['runId'] as number;
  });
  afterAll(() => t?.stop());

  const expectError = (response: { status: number; body: Json }, status: number, message: RegExp) => {
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({
      statusCode: status,
      error: expect.any(String),
      message: expect.stringMatching(message),
      requestId: expect.any(String),
    });
  };

  it('rejects malformed JSON', async () => {
    const response = await t.raw('POST', '/api/bot/trade', {
      key: t.api.botKey,
      rawBody: '{"runId": 1, "price": ',
    });
    expectError(response, 400, /JSON/);
    expect(await tradeCount()).toBe(0);
  });

  it('rejects a body that is not an object', async () => {
    expectError(await t.bot('POST', '/api/bot/trade', [trade()]), 400, /JSON object/);
    expectError(await t.bot('POST', '/api/bot/run/update', 'hello'), 400, /JSON object/);
    expect(await tradeCount()).toBe(0);
  });

  it.each([
    ['a missing price', { price: undefined }, /price is required/],
    ['a price above 1', { price: 1.01 }, /price must be at least 0 and at most 1 \(got 1\.01\)/],
    ['a negative price', { price: -0.1 }, /price must be at least 0/],
    ['a negative size', { size: -5 }, /size must be greater than 0/],
    ['a zero size', { size: 0 }, /size must be greater than 0/],
    ['a text price', { price: 'cheap' }, /price must be a number or a numeric string/],
    ['a side that is neither buy nor sell', { side: 'hold' }, /side must be one of buy, sell/],
    ['a fractional cycle', { cycle: 1.5 }, /cycle must be a whole number/],
    ['an object as asset', { asset: { name: 'BTC' } }, /asset must be a string/],
    [
      'missing fields',
      { asset: undefined, outcome: undefined, windowDuration: undefined },
      /asset is required.*windowDuration is required.*outcome is required/,
    ],
  ])('rejects %s and names the field', async (_label, overrides, message) => {
    const body = JSON.parse(JSON.stringify(trade(overrides as Json)));
    const response = await t.bot('POST', '/api/bot/trade', body);
    expectError(response, 400, message);
    expect(response.body['details']).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]),
    );
    expect(await tradeCount()).toBe(0);
  });

  it('answers 404 for unknown run and trade ids', async () => {
    expectError(
      await t.bot('POST', '/api/bot/trade', trade({ runId: 999999 })),
      404,
      /Run 999999 does not exist/,
    );
    expectError(
      await t.bot('POST', '/api/bot/run/update', { runId: 999999, totalPnl: 1 }),
      404,
      /Run 999999/,
    );
    expectError(
      await t.bot('POST', '/api/bot/run/stop', { runId: 999999, status: 'completed' }),
      404,
      /Run 999999/,
    );
    expectError(
      await t.bot('POST', '/api/bot/trade/update', { tradeId: 424242, status: 'filled' }),
      404,
      /Trade 424242 does not exist/,
    );
    expect(await tradeCount()).toBe(0);
  });

  it('rejects wrong types in metrics and stop status without touching the run', async () => {
    expectError(
      await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: 'lots' }),
      400,
      /totalPnl must be a number/,
    );
    expectError(
      await t.bot('POST', '/api/bot/run/update', { runId, totalFills: -1 }),
      400,
      /totalFills must be at least 0/,
    );
    expectError(
      await t.bot('POST', '/api/bot/run/stop', { runId, status: 'finished' }),
      400,
      /status must be one of completed, stopped, error/,
    );
    expectError(
      await t.bot('POST', '/api/bot/run/start', { mode: 'yolo' }),
      400,
      /mode must be one of dry_run, live/,
    );
    expectError(
      await t.bot('POST', '/api/bot/run/start', { mode: 'live', configId: 9999 }),
      422,
      /configId 9999 is not a config version/,
    );
    const run = (await t.admin('GET', `/api/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({ status: 'running', totalPnl: null, metrics: {} });
    const points = (await t.admin<{ items: Json[] }>('GET', `/api/v1/runs/${runId}/metrics`)).body.items;
    expect(points).toHaveLength(0);
    expect(await runCount()).toBe(1);
  });

  it('rejects a fill price outside 0-1 and leaves the trade as it was', async () => {
    const tradeId = (await t.bot('POST', '/api/bot/trade', trade())).body['tradeId'];
    expectError(
      await t.bot('POST', '/api/bot/trade/update', { tradeId, status: 'filled', fillPrice: 2 }),
      400,
      /fillPrice must be/,
    );
    expectError(
      await t.bot('POST', '/api/bot/trade/update', { tradeId, status: 'done' }),
      400,
      /status must be one of placed, filled, cancelled, failed/,
    );
    expectError(
      await t.bot('POST', '/api/bot/trade/update', { tradeId, fillTimestamp: 'yesterday' }),
      400,
      /fillTimestamp must be an ISO 8601 time/,
    );
    const [stored] = (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runId}`)).body.items;
    expect(stored).toMatchObject({ id: tradeId, status: 'placed', fillPrice: null });
  });

  it('stores nothing from a batch with one bad item and names its index and field', async () => {
    const before = await tradeCount();
    const batch = { trades: [trade(), trade({ size: -1 }), trade()] };
    const response = await t.bot('POST', '/api/bot/trade/batch', batch);
    expectError(response, 400, /trades\[1\]\.size must be greater than 0/);
    expect(response.body['details']).toEqual([
      { field: 'trades[1].size', message: expect.stringContaining('greater than 0') },
    ]);
    const unknownRun = await t.bot('POST', '/api/bot/trade/batch', {
      trades: [trade(), trade({ runId: 31337 })],
    });
    expectError(unknownRun, 404, /trades\[1\]\.runId 31337 is not a run/);
    expectError(await t.bot('POST', '/api/bot/trade/batch', { trades: [] }), 400, /non-empty list/);
    expect(await tradeCount()).toBe(before);
  });

  it('answers a 10 MB body with 413 JSON and stores nothing', async () => {
    const before = await tradeCount();
    const big = { trades: Array.from({ length: 60_000 }, () => trade({ strategy: 'x'.repeat(100) })) };
    const payload = JSON.stringify(big);
    expect(payload.length).toBeGreaterThan(10 * 1024 * 1024);
    const response = await postLargeBody(t.api.url, '/api/bot/trade/batch', t.api.botKey, payload);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({
      statusCode: 413,
      message: expect.stringMatching(/too large.*BODY_LIMIT_BYTES/),
    });
    expect(await tradeCount()).toBe(before);
  });

  it('rejects a report whose markets lack required fields', async () => {
    const response = await t.bot('POST', '/api/bot/markets/report', {
      markets: [{ tokenId: '1', asset: 'BTC', window: '5m' }, { asset: 'ETH' }],
    });
    expectError(response, 400, /markets\[1\]\.tokenId is required/);
    const list = (await t.admin<{ items: Json[] }>('GET', '/api/v1/markets?includeExpired=true')).body.items;
    expect(list).toHaveLength(0);
  });
});
