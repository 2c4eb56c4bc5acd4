import { Client } from 'pg';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * No table holds a key's secret: keys are created and rotated with and without Idempotency-Key,
 * then every text, varchar, char and json(b) column of every table is searched for every secret.
 * A replay of the creation answers the key's view and says the secret was shown once.
 */
describe('API key secrets are never at rest', () => {
  let t: TestApi;
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await startTestApi('secrets');
  });
  afterAll(() => t?.stop());

  async function scan(): Promise<{ table: string; column: string; secret: string }[]> {
    const client = new Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      const columns = await client.query<{ table_name: string; column_name: string }>(
        `select table_name, column_name from information_schema.columns
          where table_schema = 'public' and data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`,
      );
      expect(columns.rows.map((c) => c.table_name)).toEqual(
        expect.arrayContaining(['api_keys', 'idempotency_records']),
      );
      const found: { table: string; column: string; secret: string }[] = [];
      for (const { table_name: table, column_name: column } of columns.rows) {
        for (const secret of secrets) {
          const hit = await client.query(
            `select 1 from "${table}" where position($1 in "${column}"::text) > 0 limit 1`,
            [secret],
          );
          if (hit.rowCount) found.push({ table, column, secret });
        }
      }
      return found;
    } finally {
      await client.end();
    }
  }

  it('keeps no secret in any table after creating and rotating keys, with and without Idempotency-Key', async () => {
    const plain = await t.admin('POST', '/api/v1/api-keys', { name: 'plain', scope: 'bot' });
    expect(plain.status).toBe(201);
    secrets.push(plain.body['secret'] as string);

    const idem = await t.admin(
      'POST',
      '/api/v1/api-keys',
      { name: 'idem', scope: 'bot' },
      { 'Idempotency-Key': 'create-1' },
    );
    expect(idem.status).toBe(201);
    secrets.push(idem.body['secret'] as string);

    const chosen = await t.admin(
      'POST',
      '/api/v1/api-keys',
      { name: 'chosen', scope: 'admin', value: 'chosen-admin-secret-value-0042' },
      { 'Idempotency-Key': 'create-2' },
    );
    expect(chosen.status).toBe(201);
    secrets.push('chosen-admin-secret-value-0042');

    const plainId = (plain.body['apiKey'] as Json)['id'];
    const idemId = (idem.body['apiKey'] as Json)['id'];
    const rotatedPlain = await t.admin('POST', `/api/v1/api-keys/${plainId}/rotate`, {});
    expect(rotatedPlain.status).toBe(200);
    secrets.push(rotatedPlain.body['secret'] as string);
    const rotatedIdem = await t.admin(
      'POST',
      `/api/v1/api-keys/${idemId}/rotate`,
      { graceMinutes: 5 },
      { 'Idempotency-Key': 'rotate-1' },
    );
    expect(rotatedIdem.status).toBe(200);
    secrets.push(rotatedIdem.body['secret'] as string);
    const rotatedChosen = await t.admin(
      'POST',
      `/api/v1/api-keys/${(chosen.body['apiKey'] as Json)['id']}/rotate`,
      { value: 'rotated-chosen-secret-0043' },
      { 'Idempotency-Key': 'rotate-2' },
    );
    expect(rotatedChosen.status).toBe(200);
    secrets.push('rotated-chosen-secret-0043');

    for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(16);
    // The keys work (so the test stored what it thinks it stored) ...
    expect(
      (await t.raw('GET', '/api/bot/config', { key: rotatedIdem.body['secret'] as string })).status,
    ).toBe(200);
    // ... and no table holds any of them.
    expect(await scan()).toEqual([]);
  });

  it('replays a key creation with the key view and a note, not the secret', async () => {
    const first = await t.admin(
      'POST',
      '/api/v1/api-keys',
      { name: 'replayed', scope: 'bot' },
      { 'Idempotency-Key': 'create-replay' },
    );
    expect(first.status).toBe(201);
    const secret = first.body['secret'] as string;
    secrets.push(secret);
    const again = await t.admin(
      'POST',
      '/api/v1/api-keys',
      { name: 'replayed', scope: 'bot' },
      { 'Idempotency-Key': 'create-replay' },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).not.toContain(secret);
    expect(again.body).toMatchObject({
      apiKey: first.body['apiKey'],
      secret: null,
      note: expect.stringMatching(/shown once/),
    });
    // Still Stripe's semantics otherwise: one key made, another body with the same key is a 422.
    const listed = await t.admin<{ items: Json[] }>('GET', '/api/v1/api-keys');
    expect(listed.body.items.filter((k) => k['name'] === 'replayed')).toHaveLength(1);
    const other = await t.admin(
      'POST',
      '/api/v1/api-keys',
      { name: 'other', scope: 'bot' },
      { 'Idempotency-Key': 'create-replay' },
    );
    expect(other.status).toBe(422);

    const rotated = await t.admin(
      'POST',
      `/api/v1/api-keys/${(first.body['apiKey'] as Json)['id']}/rotate`,
      {},
      { 'Idempotency-Key': 'rotate-replay' },
    );
    secrets.push(rotated.body['secret'] as string);
    const rotatedAgain = await t.admin(
      'POST',
      `/api/v1/api-keys/${(first.body['apiKey'] as Json)['id']}/rotate`,
      {},
      { 'Idempotency-Key': 'rotate-replay' },
    );
    expect(rotatedAgain.status).toBe(200);
    expect(rotatedAgain.body).toMatchObject({ apiKey: rotated.body['apiKey'], secret: null });
    expect(rotatedAgain.text).not.toContain(rotated.body['secret'] as string);
    expect(await scan()).toEqual([]);
  });
});
