import { startTestApi, TestApi } from '../support/api';

type Json = Record<string, unknown>;

/**
 * Past capacity (a deliberately small OVERLOAD_MAX_IN_FLIGHT), bot writes are shed with a 503 that
 * says when to retry; the bots' config poll is still served; a shed write stored nothing; and once
 * the burst is over the server serves writes again by itself.
 */
describe('overload: bot writes past capacity are shed, not queued', () => {
  let t: TestApi;
  let runId: number;

  beforeAll(async () => {
    t = await startTestApi('ops_overload', {
      OVERLOAD_MAX_IN_FLIGHT: '2',
      OVERLOAD_MAX_LAG_MS: '0',
      OVERLOAD_RETRY_AFTER_SECONDS: '2',
    });
    runId = (await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' })).body.runId;
  });
  afterAll(() => t?.stop());

  const trade = (strategy: string) => ({
    runId,
    cycle: 1,
    asset: 'BTC',
    windowDuration: '15m',
    side: 'buy',
    outcome: 'Up',
    price: 0.5,
    size: 1,
    strategy,
  });
  const stored = async () =>
    (
      await t.admin<{ items: { strategy: string }[] }>('GET', `/api/v1/trades?runId=${runId}&limit=1000`)
    ).body.items.map((item) => item.strategy);

  it('answers 503 JSON with Retry-After, serves /config meanwhile, stores only what it accepted, and recovers', async () => {
    const accepted: string[] = [];
    const shed: { strategy: string; key: string }[] = [];
    const configStatuses: number[] = [];
    for (let burst = 0; burst < 5 && shed.length === 0; burst += 1) {
      const writes = Array.from({ length: 60 }, async (_, i) => {
        const strategy = `burst-${burst}-${i}`;
        const key = `overload-${strategy}`;
        const response = await t.bot<Json>('POST', '/api/bot/trade', trade(strategy), {
          'Idempotency-Key': key,
        });
        if (response.status === 201) {
          accepted.push(strategy);
        } else {
          expect(response.status).toBe(503);
          expect(response.headers.get('retry-after')).toBe('2');
          expect(response.headers.get('content-type')).toContain('application/json');
          expect(response.body).toEqual(
            expect.objectContaining({
              statusCode: 503,
              message: expect.stringMatching(/at capacity.*Retry in 2 s/),
            }),
          );
          shed.push({ strategy, key });
        }
      });
      const polls = Array.from({ length: 10 }, async () =>
        configStatuses.push((await t.bot('GET', '/api/bot/config')).status),
      );
      await Promise.all([...writes, ...polls]);
    }
    expect(shed.length).toBeGreaterThan(0);
    expect(configStatuses.every((status) => status === 200)).toBe(true);
    // exactly the accepted writes are stored: nothing of a shed one
    expect((await stored()).sort()).toEqual([...accepted].sort());

    // the load is gone: the next writes are served, and a shed write retried with its key is stored once
    const after = await t.bot('POST', '/api/bot/trade', trade('after-the-burst'));
    expect(after.status).toBe(201);
    const retried = shed[0];
    expect(
      (await t.bot('POST', '/api/bot/trade', trade(retried.strategy), { 'Idempotency-Key': retried.key }))
        .status,
    ).toBe(201);
    const again = await t.bot('POST', '/api/bot/trade', trade(retried.strategy), {
      'Idempotency-Key': retried.key,
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const final = await stored();
    expect(final.filter((strategy) => strategy === retried.strategy)).toHaveLength(1);
    expect(final).toContain('after-the-burst');
  });
});
