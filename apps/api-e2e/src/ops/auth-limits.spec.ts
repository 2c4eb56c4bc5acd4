import { startTestApi, TestApi } from '../support/api';
import { sql, waitFor } from '../back-office/loopback';

const settle = () => new Promise((done) => setTimeout(done, 500)); // let the API's log lines reach us
const unknownKey = (i: number) => `pmk_bot_${String(i).padStart(8, '0')}guessedguessedguessedguessed`;

/** Key lookups as the API logs them at debug level: one line per database lookup, with the key id found (or null). */
function lookups(t: TestApi): (number | null)[] {
  return t.api
    .output()
    .split('\n')
    .filter((line) => line.includes('"msg":"API key looked up"'))
    .map((line) => (JSON.parse(line) as { foundApiKeyId: number | null }).foundApiKeyId);
}

async function botKeyId(t: TestApi): Promise<number> {
  const keys = (
    await t.admin<{ items: { id: number; scope: string; source: string }[] }>('GET', '/api/v1/api-keys')
  ).body.items;
  const found = keys.find((key) => key.scope === 'bot' && key.source === 'env');
  if (!found) throw new Error('no BOT_API_KEY key');
  return found.id;
}

describe('failed authentications: limited per client address', () => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi('ops_auth', { AUTH_FAILURES_PER_MINUTE: '5', LOG_LEVEL: 'debug' });
  });
  afterAll(() => t?.stop());

  it('answers 429 after the limit, before any lookup, while a valid cached key from the same address keeps working', async () => {
    expect((await t.bot('GET', '/api/bot/config')).status).toBe(200); // the bot's key is verified and cached
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push((await t.raw('GET', '/api/bot/config', { key: unknownKey(i) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);

    const limited = await t.raw('GET', '/api/bot/config', { key: unknownKey(5) });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringContaining('AUTH_FAILURES_PER_MINUTE'),
      requestId: expect.any(String),
    });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // the fleet behind the same address is not locked out
    for (let i = 0; i < 3; i += 1) expect((await t.bot('GET', '/api/bot/config')).status).toBe(200);

    // guesses past the limit cost the server no database lookup
    await settle();
    const before = lookups(t).length;
    for (let i = 10; i < 30; i += 1)
      expect((await t.raw('GET', '/api/bot/status', { key: unknownKey(i) })).status).toBe(429);
    await settle();
    expect(lookups(t).length).toBe(before);
  });

  it('is not dodged with X-Forwarded-For by default (TRUST_PROXY is off)', async () => {
    for (const forwarded of ['10.1.2.3', '203.0.113.9, 10.0.0.1', '::1']) {
      const response = await t.raw('GET', '/api/bot/config', {
        key: unknownKey(99),
        headers: { 'X-Forwarded-For': forwarded },
      });
      expect(response.status).toBe(429);
    }
  });
});

describe('key caches and TRUST_PROXY', () => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi('ops_auth_proxy', {
      TRUST_PROXY: 'true',
      AUTH_FAILURES_PER_MINUTE: '5',
      API_KEY_CACHE_SIZE: '50',
      API_KEY_CACHE_SECONDS: '600',
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(() => t?.stop());

  it('counts failures per forwarded address when the proxy is trusted', async () => {
    const from = (address: string, i: number) =>
      t.raw('GET', '/api/bot/config', { key: unknownKey(1000 + i), headers: { 'X-Forwarded-For': address } });
    for (let i = 0; i < 5; i += 1) expect((await from('198.51.100.1', i)).status).toBe(401);
    expect((await from('198.51.100.1', 5)).status).toBe(429);
    expect((await from('198.51.100.2', 6)).status).toBe(401);
  });

  it('keeps valid keys cached through a flood of unknown keys (bounded caches, kept apart)', async () => {
    const id = await botKeyId(t);
    expect((await t.bot('GET', '/api/bot/config')).status).toBe(200);
    await settle();
    expect(lookups(t).filter((found) => found === id)).toHaveLength(1);

    // 200 unknown keys, four times the cache size, from as many addresses (a spread-out guesser)
    const before = lookups(t).length;
    for (let i = 0; i < 200; i += 1) {
      const response = await t.raw('GET', '/api/bot/config', {
        key: unknownKey(5000 + i),
        headers: { 'X-Forwarded-For': `10.77.${Math.floor(i / 200)}.${i % 200}` },
      });
      expect(response.status).toBe(401);
    }
    await settle();
    expect(lookups(t).length - before).toBe(200);

    // the valid key is still cached: served without a lookup
    expect((await t.bot('GET', '/api/bot/config')).status).toBe(200);
    await settle();
    expect(lookups(t).filter((found) => found === id)).toHaveLength(1);

    // the last unknown keys are remembered (no lookup again); the first ones were evicted (bounded)
    const after = lookups(t).length;
    await t.raw('GET', '/api/bot/config', {
      key: unknownKey(5199),
      headers: { 'X-Forwarded-For': '10.78.0.1' },
    });
    await settle();
    expect(lookups(t).length).toBe(after);
    await t.raw('GET', '/api/bot/config', {
      key: unknownKey(5000),
      headers: { 'X-Forwarded-For': '10.78.0.2' },
    });
    await settle();
    expect(lookups(t).length).toBe(after + 1);
  });
});

describe('key verification past the cache period', () => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi('ops_auth_fresh', { API_KEY_CACHE_SECONDS: '1', LOG_LEVEL: 'debug' });
  });
  afterAll(() => t?.stop());

  it('keeps a steady key without a lookup per period, records its use, and refuses it soon after another instance revokes it', async () => {
    const id = await botKeyId(t);
    expect((await t.bot('GET', '/api/bot/config')).status).toBe(200);
    // three cache periods of steady use, with nothing changed in api_keys: no second lookup of the key
    for (let i = 0; i < 15; i += 1) {
      expect((await t.bot('GET', '/api/bot/config')).status).toBe(200);
      await new Promise((done) => setTimeout(done, 200));
    }
    await settle();
    expect(lookups(t).filter((found) => found === id)).toHaveLength(1);
    // the use is written (once a minute per key, not one UPDATE per request)
    const [used] = await waitFor('last_used_at', async () => {
      const rows = await sql<{ last_used_at: Date | null }>(
        t.databaseUrl,
        'select last_used_at from api_keys where id = $1',
        [id],
      );
      return rows[0]?.last_used_at ? rows : null;
    });
    expect(Date.now() - new Date(used.last_used_at as Date).getTime()).toBeLessThan(60_000);

    // another instance revokes the key: this one sees the table change and refuses it within the period
    await sql(t.databaseUrl, 'update api_keys set revoked_at = now() where id = $1', [id]);
    const refused = await waitFor(
      'the revoked key refused',
      async () => ((await t.bot('GET', '/api/bot/config')).status === 401 ? true : null),
      5000,
    );
    expect(refused).toBe(true);
  });
});
