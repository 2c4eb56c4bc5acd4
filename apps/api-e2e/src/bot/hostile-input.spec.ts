import fc from 'fast-check';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * Hostile input on every field of every bot endpoint, generated: whatever a bot sends, the API never
 * answers 5xx, a 4xx writes nothing (runs, trades, markets and metric points compared through the
 * admin API), and /health keeps answering meanwhile. Then the exact cases once found, one by one.
 */

const HEALTH_BOUND_MS = 15_000; // generous: detects a hang, not a timing

const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    '1e-100000000',
    '1e100000000',
    '1e-100000',
    '-1e-100000',
    '1e400',
    '-1e400',
    '1e17',
    1e17,
    -1e17,
    1e308,
    -1e308,
    5e-324,
    '5e-324',
    '1e-20',
    '1e-41',
    3000000000,
    '3000000000',
    2 ** 53,
    2 ** 53 + 2,
    '99999999999999999999',
    1764640000000,
    0,
    -0,
    -1,
    1.5,
    '1.5e3',
    0.30000000000000004,
    '1.2345678901234567e-05',
    '0x10',
    'NaN',
    'Infinity',
    '-Infinity',
    '',
    ' ',
    '1,5',
    '١٢',
    '+',
    '-',
    '.',
    'e5',
    '1e',
    '--1',
    `${'9'.repeat(5_000)}`,
    `0.${'0'.repeat(5_000)}1`,
    `1e${'9'.repeat(50)}`,
    `0.${'3'.repeat(41)}`,
  ),
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc
    .tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }))
    .map(([m, e]) => `${m}e${e}`),
  fc.tuple(fc.nat(), fc.stringMatching(/^\d{0,60}$/)).map(([whole, fraction]) => `${whole}.${fraction}`),
);

const hostileString: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    'B\u0000TC',
    '\u0000',
    '\ud800',
    'a\udc00b',
    'end\ud83d',
    'x'.repeat(100_000),
    '',
    ' ',
    '😀',
    '\\',
    '"',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    maxLength: 20,
  }),
);

const hostileTime: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    '2026-02-30',
    '2026-01-01 (hello)',
    '0000-01-01',
    '+275760-09-13T00:00:00Z',
    '10000-01-01',
    '1969-12-31T23:59:59Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:00:00.1234567Z',
    '2026-01-01T10:00:00+16:00',
    'yesterday',
    1e20,
    -1,
    '1764640000000',
    1764640000000,
    1764640000,
    '2026-11-24T07:16:50.905897+00:00',
    'epoch',
    'infinity',
    'allballs',
  ),
  fc
    .integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 })
    .map((ms) => new Date(ms).toISOString()),
  fc.integer({ min: -100_000_000_000_000, max: 100_000_000_000_000 }),
);

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
};

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, [], {}, [1], { a: 1 }, { '\u0000': 1 }, ['\ud800']),
  fc.integer({ min: 1, max: 200 }).map(nested),
);

const hostileValue = fc.oneof(hostileNumber, hostileString, hostileTime, wrongType);

/** Key names for unknown (extra) fields, hostile ones included: they are stored in jsonb. */
const hostileKey = fc.oneof(
  fc.constantFrom(
    'brand_new_metric',
    'B\u0000TC',
    '\ud800',
    'constructor',
    'toString',
    '__proto__',
    'x'.repeat(1_000),
    '',
  ),
  fc.string({ maxLength: 12 }),
);

describe('hostile input from a bot (property-based)', () => {
  let t: TestApi;
  let configId: number;
  let runId: number;
  let tradeId: number;
  let baseline: string;

  /** Runs the bodies name: their metric points are compared (any other run's would show in the runs list). */
  const watched = new Set<number>();

  /** What an admin sees: runs, the named runs' metric points, trades and markets (time-relative fields left out). */
  const snapshot = async (): Promise<string> => {
    const runs = (await t.admin<{ items: Json[]; total: number }>('GET', '/api/v1/runs?limit=200')).body;
    const points = await Promise.all(
      [...watched].map(
        async (id) => (await t.admin<{ items: Json[] }>('GET', `/api/v1/runs/${id}/metrics`)).body.items,
      ),
    );
    const trades = (await t.admin<{ items: Json[] }>('GET', '/api/v1/trades?limit=1000')).body.items;
    const markets = (await t.admin<{ items: Json[] }>('GET', '/api/v1/markets?includeExpired=true')).body
      .items;
    return JSON.stringify({
      runs: runs.items.map(({ durationSeconds: _d, ...run }) => run),
      total: runs.total,
      points,
      trades,
      markets: markets.map(({ secondsToExpiry: _s, ...market }) => market),
    });
  };

  const healthAnswers = async (): Promise<void> => {
    const response = await fetch(`${t.api.url}/health`, { signal: AbortSignal.timeout(HEALTH_BOUND_MS) });
    expect(response.status).toBe(200);
  };

  /** Sends one body; never a 5xx; a 4xx is a JSON error and leaves everything as it was. */
  const check = async (path: string, body: unknown): Promise<number> => {
    const response = await t.bot('POST', path, body);
    if (response.status >= 500)
      throw new Error(
        `${path} answered ${response.status} to ${JSON.stringify(body).slice(0, 300)}: ${response.text.slice(0, 300)}`,
      );
    const after = await snapshot();
    if (response.status >= 400) {
      expect(response.body).toMatchObject({
        statusCode: response.status,
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(response.text.length).toBeLessThan(20_000); // a huge value is not echoed back
      if (after !== baseline)
        throw new Error(
          `${path} answered ${response.status} but wrote: ${JSON.stringify(body).slice(0, 300)}`,
        );
    } else {
      baseline = after;
    }
    return response.status;
  };

  const validTrade = (): Json => ({
    runId,
    cycle: 1,
    asset: 'BTC',
    windowDuration: '15m',
    side: 'buy',
    outcome: 'Up',
    price: 0.5,
    size: 10,
    strategy: 'MM',
    conditionId: '0xabc',
    tokenId: 'tok-1',
  });

  const property = (
    name: string,
    build: (field: string, value: unknown) => { path: string; body: unknown },
    fields: string[],
    numRuns = 25,
  ) =>
    it(`${name}: never a 5xx, a 4xx writes nothing`, async () => {
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          await healthAnswers();
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...fields, '<extra>'),
            hostileValue,
            hostileKey,
            async (field, value, key) => {
              const { path, body } = field === '<extra>' ? build(key, value) : build(field, value);
              await check(path, body);
            },
          ),
          { numRuns, endOnFailure: true },
        );
      } finally {
        watching = false;
        await watcher;
      }
    }, 120_000);

  beforeAll(async () => {
    t = await startTestApi('hostile');
    configId = (await t.bot('GET', '/api/bot/config')).body['id'] as number;
    runId = (await t.bot('POST', '/api/bot/run/start', { configId, mode: 'dry_run' })).body[
      'runId'
    ] as number;
    watched.add(runId);
    tradeId = (await t.bot('POST', '/api/bot/trade', validTrade())).body['tradeId'] as number;
    await t.bot('POST', '/api/bot/markets/report', {
      markets: [{ tokenId: 'tok-1', asset: 'BTC', window: '15m', expiresAt: '2026-12-01T00:00:00Z' }],
    });
    baseline = await snapshot();
  }, 60_000);
  afterAll(() => t?.stop());

  property(
    'run/start',
    (field, value) => ({
      path: '/api/bot/run/start',
      body: { configId, mode: 'dry_run', startingBankroll: 100, [field]: value },
    }),
    ['configId', 'mode', 'startingBankroll'],
    20,
  );

  const METRICS = [
    'totalCycles',
    'totalOrders',
    'totalFills',
    'totalPnl',
    'peakPnl',
    'maxDrawdown',
    'winCount',
    'lossCount',
    'avgSpreadCaptured',
    'avgFillRate',
    'endingBankroll',
    'maxCapitalDeployed',
    'walletBalance',
    'startingWallet',
    'mergesCompleted',
    'totalMergedUsd',
    'claimsCompleted',
    'totalClaimedUsd',
    'claimsPending',
    'positionValue',
    'hedgeAnalytics',
    'realizedPnl',
    'pairedWindows',
    'oneSidedFills',
  ];

  property(
    'run/update',
    (field, value) => ({
      path: '/api/bot/run/update',
      body: { runId, totalPnl: '1.5', totalFills: 2, [field]: value },
    }),
    ['runId', ...METRICS],
    30,
  );

  property(
    'trade',
    (field, value) => ({ path: '/api/bot/trade', body: { ...validTrade(), [field]: value } }),
    Object.keys({ ...validTrade() }),
    30,
  );

  property(
    'trade/batch',
    (field, value) => ({
      path: '/api/bot/trade/batch',
      body: { trades: [validTrade(), { ...validTrade(), [field]: value }] },
    }),
    [...Object.keys(validTrade())],
    25,
  );

  property(
    'trade/update',
    (field, value) => ({
      path: '/api/bot/trade/update',
      body: {
        tradeId,
        status: 'filled',
        fillPrice: 0.5,
        fillSize: 10,
        fillTimestamp: '2026-11-24T07:16:50.905897Z',
        resolvedOutcome: 'Up',
        pnl: '1.25',
        [field]: value,
      },
    }),
    ['tradeId', 'status', 'fillPrice', 'fillSize', 'fillTimestamp', 'resolvedOutcome', 'pnl'],
    30,
  );

  property(
    'markets/report',
    (field, value) => ({
      path: '/api/bot/markets/report',
      body: {
        markets: [
          {
            tokenId: 'tok-2',
            tokenIdDown: 'tok-2d',
            asset: 'ETH',
            window: '5m',
            windowId: 'w1',
            conditionId: '0x1',
            expiresAt: '2026-12-01T00:00:00Z',
            [field]: value,
          },
        ],
      },
    }),
    ['tokenId', 'tokenIdDown', 'asset', 'window', 'windowId', 'conditionId', 'expiresAt'],
    25,
  );

  it('run/stop: never a 5xx, a 4xx writes nothing', async () => {
    let stopRunId = (await t.bot('POST', '/api/bot/run/start', { configId, mode: 'dry_run' })).body[
      'runId'
    ] as number;
    watched.add(stopRunId);
    baseline = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'runId',
          'status',
          'errorMessage',
          'totalPnl',
          'totalFills',
          'hedgeAnalytics',
          '<extra>',
        ),
        hostileValue,
        hostileKey,
        async (field, value, key) => {
          const body = { runId: stopRunId, status: 'completed', [field === '<extra>' ? key : field]: value };
          const code = await check('/api/bot/run/stop', body);
          if (code < 300) {
            stopRunId = (await t.bot('POST', '/api/bot/run/start', { configId, mode: 'dry_run' })).body[
              'runId'
            ] as number;
            watched.add(stopRunId);
            baseline = await snapshot();
          }
        },
      ),
      { numRuns: 20, endOnFailure: true },
    );
    await healthAnswers();
  }, 120_000);

  it('whole bodies: deep nesting, huge numbers and strings anywhere, never a 5xx', async () => {
    const deepText = fc
      .integer({ min: 30, max: 20_000 })
      .chain((depth) =>
        fc.constantFrom(
          `${'['.repeat(depth)}${']'.repeat(depth)}`,
          `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
          `{"runId":1,"x":${'['.repeat(depth)}`,
        ),
      );
    const numberText = fc.constantFrom(
      '1e400',
      '-1e400',
      '1e-400',
      '1e-100000000',
      '123456789012345678901234567890',
      `${'9'.repeat(200_000)}`,
      '-',
      '1e',
      '0x10',
    );
    const bodyText = fc.oneof(
      fc.oneof(hostileValue, fc.anything({ maxDepth: 5 })).map((value) => JSON.stringify(value) ?? 'null'),
      deepText,
      numberText.map((literal) => `{"runId":1,"tradeId":1,"totalPnl":${literal},"price":${literal}}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/bot/run/start',
          '/api/bot/run/update',
          '/api/bot/run/stop',
          '/api/bot/trade',
          '/api/bot/trade/batch',
          '/api/bot/trade/update',
          '/api/bot/markets/report',
        ),
        bodyText,
        async (path, rawBody) => {
          const response = await t.raw('POST', path, { key: t.api.botKey, rawBody });
          if (response.status >= 500)
            throw new Error(`${path} answered ${response.status} to ${rawBody.slice(0, 200)}`);
          if (response.status >= 400 && (await snapshot()) !== baseline)
            throw new Error(`${path} answered ${response.status} but wrote`);
          if (response.status < 400) baseline = await snapshot();
        },
      ),
      { numRuns: 30, endOnFailure: true },
    );
    await healthAnswers();
  }, 120_000);
});

describe('hostile input from a bot: the cases once found', () => {
  let t: TestApi;
  let configId: number;
  let runId: number;

  beforeAll(async () => {
    t = await startTestApi('hostilecases');
    configId = (await t.bot('GET', '/api/bot/config')).body['id'] as number;
    runId = (await t.bot('POST', '/api/bot/run/start', { configId, mode: 'dry_run' })).body[
      'runId'
    ] as number;
  }, 60_000);
  afterAll(() => t?.stop());

  const trade = (overrides: Json = {}): Json => ({
    runId,
    cycle: 1,
    asset: 'BTC',
    windowDuration: '15m',
    side: 'buy',
    outcome: 'Up',
    price: 0.5,
    size: 1,
    ...overrides,
  });
  const refused = (response: { status: number; body: Json }, field: string, rule: RegExp) => {
    expect(response.status).toBe(400);
    expect(response.body['message']).toMatch(rule);
    expect(response.body['details']).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(rule) })]),
    );
  };
  const health = async () => {
    const response = await fetch(`${t.api.url}/health`, { signal: AbortSignal.timeout(HEALTH_BOUND_MS) });
    expect(response.status).toBe(200);
  };
  const run = async () => (await t.admin(`GET`, `/api/v1/runs/${runId}`)).body;
  const trades = async () =>
    (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runId}&limit=1000`)).body.items;

  it.each(['1e-100000000', '1e-100000', '-1e-100000000', '1e100000000'])(
    'refuses totalPnl %s at once (exponent out of range) and stays up',
    async (totalPnl) => {
      refused(
        await t.bot('POST', '/api/bot/run/update', { runId, totalPnl }),
        'totalPnl',
        /exponent out of range/,
      );
      await health();
      expect(await run()).toMatchObject({ totalPnl: null, metrics: {} });
    },
  );

  it('refuses price 1e100000000 with a short error that does not echo a huge value', async () => {
    const response = await t.bot('POST', '/api/bot/trade', trade({ price: '1e100000000' }));
    refused(response, 'price', /exponent out of range/);
    expect(response.text.length).toBeLessThan(1_000);
    const long = await t.bot('POST', '/api/bot/trade', trade({ price: `0.${'5'.repeat(500_000)}` }));
    refused(long, 'price', /must be at most 100 characters long/);
    expect(long.text.length).toBeLessThan(1_000);
    expect(await trades()).toHaveLength(0);
  });

  it.each([
    ['/api/bot/trade', () => trade({ asset: 'B\u0000TC' }), 'asset', /NUL/],
    ['/api/bot/trade', () => trade({ outcome: 'U\ud800p' }), 'outcome', /unpaired UTF-16 surrogates/],
    ['/api/bot/trade', () => trade({ note: 'B\u0000TC' }), 'note', /NUL/],
    [
      '/api/bot/trade/batch',
      () => ({ trades: [trade(), trade(), trade(), trade({ asset: 'B\u0000TC' })] }),
      'trades[3].asset',
      /NUL/,
    ],
    [
      '/api/bot/run/update',
      () => ({ runId, brand_new: { 'k\u0000': 1 } }),
      'brand_new',
      /has a key "k\\u0000" that must not contain NUL/,
    ],
    [
      '/api/bot/run/update',
      () => ({ runId, hedgeAnalytics: { note: '\udc00' } }),
      'hedgeAnalytics.note',
      /unpaired/,
    ],
    ['/api/bot/run/start', () => ({ mode: 'dry_run', host: 'a\u0000' }), 'host', /NUL/],
    [
      '/api/bot/run/stop',
      () => ({ runId, status: 'error', errorMessage: 'boom\u0000' }),
      'errorMessage',
      /NUL/,
    ],
    [
      '/api/bot/markets/report',
      () => ({ markets: [{ tokenId: 't\u0000', asset: 'BTC', window: '15m' }] }),
      'markets[0].tokenId',
      /NUL/,
    ],
    [
      '/api/bot/trade/update',
      () => ({ tradeId: 1, resolvedOutcome: '\ud800' }),
      'resolvedOutcome',
      /unpaired/,
    ],
  ])('refuses NUL and lone surrogates: %s %#', async (path, body, field, rule) => {
    refused(await t.bot('POST', path, body()), field, rule);
    expect(await trades()).toHaveLength(0);
    expect(await run()).toMatchObject({ status: 'running', extra: {} });
  });

  it('refuses money out of range by its rule, with the range', async () => {
    refused(
      await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: 1e17 }),
      'totalPnl',
      /must be at least -1000000000000000 and at most 1000000000000000 \(got 100000000000000000\)/,
    );
    refused(
      await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: '1e400' }),
      'totalPnl',
      /at most 1000000000000000/,
    );
    refused(
      await t.bot('POST', '/api/bot/run/start', { mode: 'dry_run', startingBankroll: 1e17 }),
      'startingBankroll',
      /at most 1000000000000000/,
    );
    const json = await t.raw('POST', '/api/bot/run/update', {
      key: t.api.botKey,
      rawBody: `{"runId":${runId},"totalPnl":1e400}`,
    });
    expect(json.status).toBe(400);
    expect(json.body['message']).toMatch(/JSON number 1e400 at character \d+ is out of range/);
    expect(await run()).toMatchObject({ totalPnl: null, metrics: {} });
    expect((await t.admin('GET', '/api/v1/runs')).body['total']).toBe(1);
  });

  it('stores counters beyond int4 exactly: totalFills 3000000000, cycle 3000000000 and a millisecond timestamp as cycle', async () => {
    expect(
      (
        await t.bot('POST', '/api/bot/run/update', {
          runId,
          totalFills: 3000000000,
          totalOrders: '4000000000',
        })
      ).status,
    ).toBe(200);
    expect(await run()).toMatchObject({
      totalFills: 3000000000,
      totalOrders: 4000000000,
      metrics: { totalFills: 3000000000 },
    });
    const big = await t.bot('POST', '/api/bot/trade', trade({ cycle: 3000000000 }));
    const ms = await t.bot('POST', '/api/bot/trade', trade({ cycle: 1764640000000 }));
    expect([big.status, ms.status]).toEqual([201, 201]);
    const cycles = (await trades()).map((item) => item['cycle']).sort();
    expect(cycles).toEqual([1764640000000, 3000000000]);
    refused(await t.bot('POST', '/api/bot/trade', trade({ cycle: 2 ** 53 })), 'cycle', /out of range/);
    refused(
      await t.bot('POST', '/api/bot/run/update', { runId, totalFills: '99999999999999999999' }),
      'totalFills',
      /out of range/,
    );
  });

  it('stores tiny sizes and float noise exactly instead of rounding them', async () => {
    const tiny = await t.bot(
      'POST',
      '/api/bot/trade',
      trade({ size: '1e-20', price: 0.30000000000000004, cycle: 7 }),
    );
    expect(tiny.status).toBe(201);
    const noisy = await t.bot(
      'POST',
      '/api/bot/trade',
      trade({ size: '1.2345678901234567e-05', price: '0.52', cycle: 8 }),
    );
    expect(noisy.status).toBe(201);
    const byCycle = new Map((await trades()).map((item) => [item['cycle'], item]));
    expect(byCycle.get(7)).toMatchObject({ size: '0.00000000000000000001', price: '0.30000000000000004' });
    expect(byCycle.get(8)).toMatchObject({ size: '0.000012345678901234567', price: '0.52' });
    refused(
      await t.bot('POST', '/api/bot/trade', trade({ size: '1e-41' })),
      'size',
      /more than 40 decimal places/,
    );
    refused(
      await t.bot('POST', '/api/bot/trade', trade({ size: `1.${'1'.repeat(45)}` })),
      'size',
      /more than 40 significant digits/,
    );
  });

  it.each(['2026-02-30', '2026-01-01 (hello)', '0000-01-01', '2026-01-01T10:00:00.1234567Z'])(
    'refuses fillTimestamp %s',
    async (fillTimestamp) => {
      const tradeId = (await t.bot('POST', '/api/bot/trade', trade({ cycle: 99 }))).body['tradeId'];
      refused(
        await t.bot('POST', '/api/bot/trade/update', { tradeId, status: 'filled', fillTimestamp }),
        'fillTimestamp',
        /must be an ISO 8601 time/,
      );
      const stored = (await trades()).find((item) => item['id'] === tradeId);
      expect(stored).toMatchObject({ status: 'placed', fillTimestamp: null });
    },
  );

  it('refuses JSON nested 10,000 deep on bot and admin routes', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const [path, key] of [
      ['/api/bot/run/update', t.api.botKey],
      ['/api/v1/configs', t.api.adminKey],
    ] as const) {
      const response = await t.raw('POST', path, {
        key,
        rawBody: `{"runId":${runId},"values":{"x":${deep}}}`,
      });
      expect(response.status).toBe(400);
      expect(response.body['message']).toMatch(/nested more than 32 levels deep/);
    }
    await health();
  });

  it('answers 415 JSON to form-encoded and other non-JSON bodies, and reads a JSON GET without body', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
      const response = await t.raw('POST', '/api/bot/run/update', {
        key: t.api.botKey,
        rawBody: `runId=${runId}&totalPnl=5`,
        headers: { 'Content-Type': type },
      });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({
        statusCode: 415,
        message: expect.stringMatching(/application\/json/),
        requestId: expect.any(String),
      });
    }
    const get = await t.raw('GET', '/api/bot/config', {
      key: t.api.botKey,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(get.status).toBe(200);
    expect(await run()).toMatchObject({ totalPnl: null });
  });
});
