import type { Migration } from '@mikro-orm/migrations';
import { MIGRATIONS } from '@polymaker/api/core';
import { ApiProcess, createDatabase, request, startApiProcess } from '@polymaker/testing';
import { createHash } from 'node:crypto';
import { Client } from 'pg';

type Json = Record<string, unknown>;
/** How the migrator builds a migration; its SQL is then read with getQueries(). */
type MigrationClass = new (driver: never, config: never) => Migration;

const ISOLATION_MIGRATION = 'Migration20261203000200';
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * Upgrading a database written before bots were told apart: the migration gives every key its bot
 * (rotated keys join the bot of the key they were rotated from) and every run, trade and market row
 * the bot of the key that wrote it, so a bot keeps its runs across the upgrade and its rotations.
 */
describe('isolation on a database from before the upgrade', () => {
  let api: ApiProcess;
  let client: Client;
  const secrets = {
    first: 'legacy-bot-first-key-000001',
    rotated: 'legacy-bot-rotated-key-0002',
    other: 'legacy-other-bot-key-00003',
  };
  const ids: Record<string, number> = {};

  const call = (key: string, method: string, path: string, body?: unknown) =>
    request<Json>(api.url, method, path, { key, body });

  beforeAll(async () => {
    const server = process.env['PM_TEST_PG_URL'];
    if (!server) throw new Error('PM_TEST_PG_URL is not set: run through the api-e2e jest config');
    const databaseUrl = await createDatabase(server, 'isolation_upgrade');
    client = new Client({ connectionString: databaseUrl });
    await client.connect();
    // The schema as it was before the isolation migration, applied as the API's migrator would.
    await client.query(
      'create table mikro_orm_migrations (id serial primary key, name varchar(255), executed_at timestamptz default now())',
    );
    for (const { name, class: migrationClass } of MIGRATIONS) {
      if (name >= ISOLATION_MIGRATION) break;
      const migration = new (migrationClass as unknown as MigrationClass)(
        undefined as never,
        undefined as never,
      );
      await migration.up();
      for (const sql of migration.getQueries()) await client.query(String(sql));
      await client.query('insert into mikro_orm_migrations (name) values ($1)', [name]);
    }
    const key = async (name: string, secret: string, rotatedFrom: number | null, revoked: boolean) =>
      Number(
        (
          await client.query(
            `insert into api_keys (name, scope, prefix, hash, source, rotated_from_id, revoked_at)
             values ($1, 'bot', 'legacy', $2, 'chosen', $3, $4) returning id`,
            [name, sha256(secret), rotatedFrom, revoked ? new Date() : null],
          )
        ).rows[0].id,
      );
    ids['first'] = await key('box 1', secrets.first, null, true);
    ids['rotated'] = await key('box 1', secrets.rotated, ids['first'], false);
    ids['other'] = await key('box 2', secrets.other, null, false);
    const run = async (apiKeyId: number | null) =>
      Number(
        (
          await client.query(
            `insert into runs (api_key_id, mode, status) values ($1, 'dry_run', 'running') returning id`,
            [apiKeyId],
          )
        ).rows[0].id,
      );
    ids['runOfFirstKey'] = await run(ids['first']);
    ids['runOfRotatedKey'] = await run(ids['rotated']);
    ids['runOfOther'] = await run(ids['other']);
    ids['runOfNoKey'] = await run(null);
    const trade = async (runId: number) =>
      Number(
        (
          await client.query(
            `insert into trades (run_id, cycle, asset, window_duration, side, outcome, price, size, token_id)
             values ($1, 1, 'BTC', '15m', 'buy', 'Up', 0.5, 10, 'legacy-tok') returning id`,
            [runId],
          )
        ).rows[0].id,
      );
    ids['tradeOfFirstKey'] = await trade(ids['runOfFirstKey']);
    ids['tradeOfOther'] = await trade(ids['runOfOther']);
    await client.query(
      `insert into markets (token_id, asset, "window", window_id, expires_at, last_api_key_id)
       values ('legacy-tok', 'BTC', '15m', 'as-box-1-reported', now() + interval '1 hour', $1)`,
      [ids['rotated']],
    );
    api = await startApiProcess({ databaseUrl });
  });

  afterAll(async () => {
    await client?.end();
    await api?.stop();
  });

  it('gives each key its bot: a rotated key joins the bot of the key it replaced', async () => {
    const keys = (await request<{ items: Json[] }>(api.url, 'GET', '/api/v1/api-keys', { key: api.adminKey }))
      .body.items;
    const botOf = (id: number) => keys.find((k) => k['id'] === id)?.['botId'];
    expect(botOf(ids['first'])).toBe(ids['first']);
    expect(botOf(ids['rotated'])).toBe(ids['first']);
    expect(botOf(ids['other'])).toBe(ids['other']);
    const runs = (
      await request<{ items: Json[] }>(api.url, 'GET', '/api/v1/runs?limit=500', { key: api.adminKey })
    ).body.items;
    const runBot = (id: number) => runs.find((r) => r['id'] === id)?.['botId'];
    expect(runBot(ids['runOfFirstKey'])).toBe(ids['first']);
    expect(runBot(ids['runOfRotatedKey'])).toBe(ids['first']);
    expect(runBot(ids['runOfOther'])).toBe(ids['other']);
    expect(runBot(ids['runOfNoKey'])).toBeNull();
  });

  it("lets the current key act on the runs and trades its bot's earlier key made, and only those", async () => {
    expect((await call(secrets.first, 'GET', '/api/bot/status')).status).toBe(401);
    expect((await call(secrets.rotated, 'GET', '/api/bot/status')).body['openRuns']).toBe(2);
    expect((await call(secrets.other, 'GET', '/api/bot/status')).body['openRuns']).toBe(1);
    expect(
      (
        await call(secrets.rotated, 'POST', '/api/bot/run/update', {
          runId: ids['runOfFirstKey'],
          totalPnl: '1',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(secrets.rotated, 'POST', '/api/bot/trade/update', {
          tradeId: ids['tradeOfFirstKey'],
          status: 'filled',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(secrets.rotated, 'POST', '/api/bot/trade/update', {
          tradeId: ids['tradeOfOther'],
          status: 'filled',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(secrets.rotated, 'POST', '/api/bot/run/update', {
          runId: ids['runOfOther'],
          totalPnl: '1',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(secrets.other, 'POST', '/api/bot/run/stop', {
          runId: ids['runOfRotatedKey'],
          status: 'error',
        })
      ).status,
    ).toBe(404);
    // A run with no recorded key belongs to no bot: only an admin key reaches it.
    expect(
      (await call(api.botKey, 'POST', '/api/bot/run/update', { runId: ids['runOfNoKey'], totalPnl: '1' }))
        .status,
    ).toBe(404);
    expect(
      (await call(api.adminKey, 'POST', '/api/bot/run/update', { runId: ids['runOfNoKey'], totalPnl: '1' }))
        .status,
    ).toBe(200);
  });

  it("keeps the market rows of before as the bot's, beside another bot's report of the same token", async () => {
    const report = {
      markets: [{ tokenId: 'legacy-tok', asset: 'BTC', window: '15m', windowId: 'as-box-2-reported' }],
    };
    expect((await call(secrets.other, 'POST', '/api/bot/markets/report', report)).status).toBe(200);
    const list = async (query: string) =>
      (await request<{ items: Json[] }>(api.url, 'GET', `/api/v1/markets${query}`, { key: api.adminKey }))
        .body.items;
    expect(await list(`?botId=${ids['first']}`)).toEqual([
      expect.objectContaining({ windowId: 'as-box-1-reported', reportCount: 1, tradeCount: 1 }),
    ]);
    expect(await list(`?botId=${ids['other']}`)).toEqual([
      expect.objectContaining({ windowId: 'as-box-2-reported', tradeCount: 1 }),
    ]);
    expect(await list('')).toEqual([
      expect.objectContaining({
        windowId: 'as-box-1-reported',
        botIds: [ids['first'], ids['other']],
        reportCount: 2,
        tradeCount: 2,
      }),
    ]);
  });
});
