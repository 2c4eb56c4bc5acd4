import { Client } from 'pg';
import { Json, startTestApi, TestApi } from '../support/api';

describe('API keys and scopes', () => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi('keys', { LOG_LEVEL: 'debug' });
  });
  afterAll(() => t?.stop());

  it('answers 401 JSON for a missing or unknown key, and 403 for a bot key on the admin API', async () => {
    const missing = await t.raw('GET', '/api/bot/config');
    expect(missing.status).toBe(401);
    expect(missing.body['message']).toMatch(/Missing X-Api-Key/);
    const unknown = await t.raw('GET', '/api/bot/config', { key: 'not-a-real-key-000000000' });
    expect(unknown.status).toBe(401);
    expect(unknown.body['message']).toMatch(/Unknown, revoked or expired API key/);
    const wrongScope = await t.bot('GET', '/api/v1/runs');
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body['message']).toMatch(/scope "bot"/);
    expect((await t.admin('GET', '/api/bot/config')).status).toBe(200);
  });

  it('creates a generated key shown once, which then works for its scope only', async () => {
    const created = await t.admin('POST', '/api/v1/api-keys', { name: 'box 7', scope: 'bot' });
    expect(created.status).toBe(201);
    const secret = created.body['secret'] as string;
    expect(secret).toMatch(/^pmk_bot_[A-Za-z0-9]{32}$/);
    const listed = await t.admin<{ items: Json[] }>('GET', '/api/v1/api-keys');
    expect(listed.text).not.toContain(secret);
    expect(listed.body.items.find((key) => key['name'] === 'box 7')).toMatchObject({
      scope: 'bot',
      prefix: secret.slice(0, 12),
      active: true,
    });
    const status = await t.raw('GET', '/api/bot/status', { key: secret });
    expect(status.body['apiKey']).toMatchObject({ name: 'box 7', scope: 'bot' });
  });

  it('accepts a chosen value (the POLYMAKER_API_KEY already in a bot .env) and refuses duplicates', async () => {
    const value = 'existing-dotenv-key-123456';
    expect(
      (await t.admin('POST', '/api/v1/api-keys', { name: 'legacy bot', scope: 'bot', value })).status,
    ).toBe(201);
    expect((await t.raw('GET', '/api/bot/config', { key: value })).status).toBe(200);
    const duplicate = await t.admin('POST', '/api/v1/api-keys', { name: 'again', scope: 'bot', value });
    expect(duplicate.status).toBe(409);
    const short = await t.admin('POST', '/api/v1/api-keys', { name: 'short', scope: 'bot', value: 'abc' });
    expect(short.status).toBe(400);
    expect(short.body['message']).toMatch(/16 to 256 characters/);
    const badScope = await t.admin('POST', '/api/v1/api-keys', { name: 'x', scope: 'root' });
    expect(badScope.status).toBe(400);
    const extraField = await t.admin('POST', '/api/v1/api-keys', { name: 'x', scope: 'bot', admin: true });
    expect(extraField.status).toBe(400);
  });

  it('stops a revoked key at once', async () => {
    const created = await t.admin('POST', '/api/v1/api-keys', { name: 'to revoke', scope: 'bot' });
    const secret = created.body['secret'] as string;
    const id = (created.body['apiKey'] as Json)['id'];
    expect((await t.raw('GET', '/api/bot/config', { key: secret })).status).toBe(200);
    const revoked = await t.admin('POST', `/api/v1/api-keys/${id}/revoke`);
    expect(revoked.body).toMatchObject({ active: false, revokedAt: expect.any(String) });
    expect((await t.raw('GET', '/api/bot/config', { key: secret })).status).toBe(401);
  });

  it('revokes and rotates a key while its row is locked by a write in flight, instead of saying it does not exist', async () => {
    const created = await t.admin('POST', '/api/v1/api-keys', { name: 'busy', scope: 'bot' });
    const id = (created.body['apiKey'] as Json)['id'] as number;
    const rotating = await t.admin('POST', '/api/v1/api-keys', { name: 'busy rotating', scope: 'bot' });
    const rotatingId = (rotating.body['apiKey'] as Json)['id'] as number;
    const holder = new Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      // The lock the batched last-used write takes on a key a bot has just used.
      await holder.query('begin');
      await holder.query('select 1 from api_keys where id = any($1) for update', [[id, rotatingId]]);
      const revoking = t.admin('POST', `/api/v1/api-keys/${id}/revoke`);
      const rotations = [1, 2].map(() => t.admin('POST', `/api/v1/api-keys/${rotatingId}/rotate`, {}));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query('commit');
      const revoked = await revoking;
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id, active: false, revokedAt: expect.any(String) });
      // Two rotations at once: one makes the new key, the other finds the key already revoked.
      const statuses = (await Promise.all(rotations)).map((response) => response.status);
      expect(statuses.sort()).toEqual([200, 404]);
    } finally {
      await holder.end();
    }
    const listed = await t.admin<{ items: Json[] }>('GET', '/api/v1/api-keys');
    expect(listed.body.items.filter((key) => key['name'] === 'busy rotating')).toHaveLength(2);
  });

  it('rotates a key: the new value works, the old one is revoked (or kept for a grace period)', async () => {
    const created = await t.admin('POST', '/api/v1/api-keys', { name: 'rotating', scope: 'bot' });
    const oldSecret = created.body['secret'] as string;
    const id = (created.body['apiKey'] as Json)['id'];
    const rotated = await t.admin('POST', `/api/v1/api-keys/${id}/rotate`, {});
    const newSecret = rotated.body['secret'] as string;
    expect(newSecret).not.toEqual(oldSecret);
    expect((await t.raw('GET', '/api/bot/config', { key: newSecret })).status).toBe(200);
    expect((await t.raw('GET', '/api/bot/config', { key: oldSecret })).status).toBe(401);

    const graceful = await t.admin('POST', '/api/v1/api-keys', { name: 'graceful', scope: 'bot' });
    const graceId = (graceful.body['apiKey'] as Json)['id'];
    await t.admin('POST', `/api/v1/api-keys/${graceId}/rotate`, { graceMinutes: 30 });
    expect((await t.raw('GET', '/api/bot/config', { key: graceful.body['secret'] as string })).status).toBe(
      200,
    );
  });

  it('refuses to revoke the last admin key', async () => {
    const keys = (await t.admin<{ items: Json[] }>('GET', '/api/v1/api-keys')).body.items;
    const admin = keys.find((key) => key['scope'] === 'admin' && key['active']);
    const response = await t.admin('POST', `/api/v1/api-keys/${admin?.['id']}/revoke`);
    expect(response.status).toBe(409);
    expect(response.body['message']).toMatch(/last active admin key/);
    expect((await t.admin('GET', '/api/v1/runs')).status).toBe(200);
  });

  it('stores only hashes, and never writes a key into a log line', async () => {
    const client = new Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      const rows = (await client.query('select * from api_keys')).rows as Record<string, unknown>[];
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(t.api.adminKey);
      expect(stored).not.toContain(t.api.botKey);
      expect(rows.every((row) => /^[0-9a-f]{64}$/.test(String(row['hash'])))).toBe(true);
    } finally {
      await client.end();
    }
    await t.bot('POST', '/api/bot/run/start', { mode: 'dry_run' });
    const output = t.api.output();
    expect(output).toContain('"msg":"request"');
    expect(output).not.toContain(t.api.adminKey);
    expect(output).not.toContain(t.api.botKey);
  });
});

describe('Idempotency-Key', () => {
  let t: TestApi;
  let runId: number;
  const trade = {
    cycle: 1,
    asset: 'BTC',
    windowDuration: '5m',
    side: 'buy',
    outcome: 'Up',
    price: 0.4,
    size: 2,
    strategy: 'MM',
  };
  const tradeCount = async () =>
    (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${runId}`)).body.items.length;

  beforeAll(async () => {
    t = await startTestApi('idem');
    runId = (await t.bot('POST', '/api/bot/run/start', { mode: 'dry_run' })).body['runId'] as number;
  });
  afterAll(() => t?.stop());

  it('replays the stored response for the same key and body, creating nothing twice', async () => {
    const headers = { 'Idempotency-Key': 'trade-0001' };
    const first = await t.bot('POST', '/api/bot/trade', { runId, ...trade }, headers);
    const again = await t.bot('POST', '/api/bot/trade', { ...trade, runId }, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await tradeCount()).toBe(1);
  });

  it('answers 422 when the key is reused with another body', async () => {
    const headers = { 'Idempotency-Key': 'trade-0002' };
    await t.bot('POST', '/api/bot/trade', { runId, ...trade }, headers);
    const changed = await t.bot('POST', '/api/bot/trade', { runId, ...trade, size: 3 }, headers);
    expect(changed.status).toBe(422);
    expect(changed.body['message']).toMatch(/already used with a different request/);
    expect(await tradeCount()).toBe(2);
  });

  it('scopes keys to the API key that sent them', async () => {
    const headers = { 'Idempotency-Key': 'shared-key' };
    const asBot = await t.bot('POST', '/api/bot/trade', { runId, ...trade }, headers);
    const asAdmin = await t.admin('POST', '/api/bot/trade', { runId, ...trade }, headers);
    expect(asAdmin.body['tradeId']).not.toEqual(asBot.body['tradeId']);
  });

  it('answers 409 while the first request with the key is still in flight', async () => {
    const keys = (await t.admin<{ items: Json[] }>('GET', '/api/v1/api-keys')).body.items;
    const botKeyId = keys.find((key) => key['name'] === 'BOT_API_KEY (environment)')?.['id'];
    const holder = new Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      // Hold the same lock a first request would hold while it runs.
      await holder.query('select pg_advisory_lock(hashtextextended($1, 0))', [`${botKeyId}:in-flight`]);
      const response = await t.bot(
        'POST',
        '/api/bot/trade',
        { runId, ...trade },
        { 'Idempotency-Key': 'in-flight' },
      );
      expect(response.status).toBe(409);
      expect(response.body['message']).toMatch(/still being processed/);
    } finally {
      await holder.end();
    }
    const after = await t.bot(
      'POST',
      '/api/bot/trade',
      { runId, ...trade },
      { 'Idempotency-Key': 'in-flight' },
    );
    expect(after.status).toBe(201);
  });

  it('stores nothing for a request that failed, so a corrected retry with the same key works', async () => {
    const headers = { 'Idempotency-Key': 'retry-after-fix' };
    const bad = await t.bot('POST', '/api/bot/trade', { runId, ...trade, price: 5 }, headers);
    expect(bad.status).toBe(400);
    const before = await tradeCount();
    const good = await t.bot('POST', '/api/bot/trade', { runId, ...trade, price: 0.5 }, headers);
    expect(good.status).toBe(201);
    expect(await tradeCount()).toBe(before + 1);
  });
});
