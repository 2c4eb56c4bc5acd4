import { request } from '@polymaker/testing';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * Fleet control through the real API: bots listed one per bot key, a version assigned to a tag and
 * to one bot (bot over tag over the fleet default) served by GET /api/bot/config without a change of
 * wire format, and a pause laid over the served config (no new version) whose pick-up is confirmed
 * by the bots' own polls.
 */
describe('fleet control: bots, assignments, pauses', () => {
  let t: TestApi;
  const keys: { secret: string; botId: number; name: string }[] = [];
  const poll = (i: number) => request<Json>(t.api.url, 'GET', '/api/bot/config', { key: keys[i].secret });
  const bots = async () => (await t.admin<{ items: Json[] }>('GET', '/api/v1/bots')).body.items;
  const botOf = async (i: number) => (await bots()).find((b) => b['botId'] === keys[i].botId) as Json;
  /** Waits for the polls to be written (at most once a second) and for `check` to hold. */
  async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
    let value = await read();
    for (let i = 0; i < 50 && !check(value); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      value = await read();
    }
    return value;
  }

  beforeAll(async () => {
    t = await startTestApi('fleet');
    for (const name of ['bot-a', 'bot-b', 'bot-c']) {
      const created = await t.admin<{ secret: string; apiKey: Json }>('POST', '/api/v1/api-keys', {
        name,
        scope: 'bot',
      });
      keys.push({ secret: created.body.secret, botId: created.body.apiKey['botId'] as number, name });
    }
  });
  afterAll(() => t?.stop());

  it('lists every bot key as a bot, idle, on the fleet default, never polled', async () => {
    const listed = await bots();
    for (const key of keys) {
      expect(listed.find((b) => b['botId'] === key.botId)).toMatchObject({
        name: key.name,
        keyPrefix: key.secret.slice(0, 12),
        state: 'idle',
        tags: [],
        assignedConfigId: null,
        assignmentRule: 'default',
        lastPolledAt: null,
        paused: null,
        realisedPnl: '0',
      });
    }
    expect(JSON.stringify(listed)).not.toContain(keys[0].secret);
  });

  it('tags bots and refuses bad tags with a 400 that writes nothing', async () => {
    const tagged = await t.admin('PUT', `/api/v1/bots/${keys[0].botId}/tags`, {
      tags: ['VPS-1', 'btc-only'],
    });
    expect(tagged.status).toBe(200);
    expect(tagged.body['tags']).toEqual(['vps-1', 'btc-only']);
    await t.admin('PUT', `/api/v1/bots/${keys[1].botId}/tags`, { tags: ['vps-1'] });
    const bad = await t.admin('PUT', `/api/v1/bots/${keys[2].botId}/tags`, { tags: ['no spaces'] });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/not valid/);
    expect((await botOf(2))['tags']).toEqual([]);
    expect((await t.admin('PUT', '/api/v1/bots/999999/tags', { tags: ['x'] })).status).toBe(404);
    expect((await t.bot('PUT', `/api/v1/bots/${keys[0].botId}/tags`, { tags: ['x'] })).status).toBe(403);
  });

  it('serves bot over tag over the default, in the same wire format, and shows the rule per bot', async () => {
    const v2 = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: 1,
        values: { mmSpreadMin: '0.02' },
        note: 'for vps-1',
      })
    ).body['id'] as number;
    const v3 = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: 1,
        values: { mmSpreadMin: '0.03' },
        note: 'for bot-a',
      })
    ).body['id'] as number;
    const before = (await poll(2)).body;
    expect(before['id']).toBe(1);

    expect((await t.admin('POST', '/api/v1/fleet/assignments', { tag: 'vps-1', configId: v2 })).status).toBe(
      200,
    );
    const a = (await poll(0)).body;
    const b = (await poll(1)).body;
    const c = (await poll(2)).body;
    expect([a['id'], b['id'], c['id']]).toEqual([v2, v2, 1]);
    expect(a['mmSpreadMin']).toBe(0.02);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(Object.keys(before))); // the same flat object: the wire format does not change
    expect(typeof a['pauseOrders']).toBe('boolean');

    const own = await t.admin('POST', '/api/v1/fleet/assignments', { botId: keys[0].botId, configId: v3 });
    expect(own.body).toMatchObject({ kind: 'bot', target: String(keys[0].botId), configId: v3 });
    expect((await poll(0)).body['id']).toBe(v3);
    const status = await request<Json>(t.api.url, 'GET', '/api/bot/status', { key: keys[0].secret });
    expect(status.body['activeConfig']).toMatchObject({ id: v3, pauseOrders: false }); // status names the config this bot is served
    expect((await poll(1)).body['id']).toBe(v2);

    const listed = await eventually(bots, (items) =>
      keys.every((key) => items.find((bot) => bot['botId'] === key.botId)?.['lastPolledAt'] !== null),
    );
    const byBot = (i: number) => listed.find((bot) => bot['botId'] === keys[i].botId) as Json;
    expect(byBot(0)).toMatchObject({ assignedConfigId: v3, assignmentRule: 'bot', lastServedConfigId: v3 });
    expect(byBot(1)).toMatchObject({
      assignedConfigId: v2,
      assignmentRule: 'tag:vps-1',
      lastServedConfigId: v2,
    });
    expect(byBot(2)).toMatchObject({
      assignedConfigId: null,
      assignmentRule: 'default',
      lastServedConfigId: 1,
    });

    // Removing the bot's own assignment sends it back to its tag's version.
    expect((await t.admin('POST', `/api/v1/fleet/assignments/${own.body['id']}/remove`)).status).toBe(204);
    expect((await poll(0)).body['id']).toBe(v2);
    expect(
      (await t.admin('POST', '/api/v1/fleet/assignments', { botId: keys[0].botId, configId: 99999 })).status,
    ).toBe(404);
    expect(
      (
        await t.admin('POST', '/api/v1/fleet/assignments', {
          botId: keys[0].botId,
          tag: 'vps-1',
          configId: v2,
        })
      ).status,
    ).toBe(400);
  });

  it('pauses one bot as a state over its config (no new version) and shows when it has picked it up', async () => {
    const versionsBefore = (await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items.length;
    const paused = await t.admin('POST', '/api/v1/fleet/pause', { botId: keys[2].botId });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      kind: 'bot',
      target: String(keys[2].botId),
      bots: 1,
      fetched: 0,
      pausedBy: expect.any(String),
    });
    expect((await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items.length).toBe(
      versionsBefore,
    );

    expect((await poll(1)).body['pauseOrders']).toBe(false);
    const served = (await poll(2)).body;
    expect(served).toMatchObject({ id: 1, pauseOrders: true });

    const pauses = await eventually(
      async () => (await t.admin<{ items: Json[] }>('GET', '/api/v1/fleet/pauses')).body.items,
      (items) => items[0]?.['fetched'] === 1,
    );
    expect(pauses[0]).toMatchObject({ bots: 1, fetched: 1, waiting: [] });
    expect(await botOf(2)).toMatchObject({ state: 'paused', lastServedPaused: true });

    expect((await t.admin('POST', '/api/v1/fleet/resume', { botId: keys[2].botId })).status).toBe(204);
    expect((await poll(2)).body['pauseOrders']).toBe(false);
    expect((await t.admin('POST', '/api/v1/fleet/resume', { botId: keys[2].botId })).status).toBe(404);
  });

  it('pauses a tag: covered bots that have not polled since are listed as waiting', async () => {
    const paused = await t.admin('POST', '/api/v1/fleet/pause', { tag: 'vps-1' });
    expect(paused.body).toMatchObject({ kind: 'tag', target: 'vps-1', bots: 2, fetched: 0 });
    expect((await poll(0)).body['pauseOrders']).toBe(true);
    expect((await poll(2)).body['pauseOrders']).toBe(false);
    const pauses = await eventually(
      async () => (await t.admin<{ items: Json[] }>('GET', '/api/v1/fleet/pauses')).body.items,
      (items) => items[0]?.['fetched'] === 1,
    );
    expect(pauses[0]).toMatchObject({ bots: 2, fetched: 1 });
    expect(pauses[0]['waiting']).toEqual([
      { botId: keys[1].botId, name: 'bot-b', lastPolledAt: expect.any(String) },
    ]);

    const audit = (await t.admin<{ items: Json[] }>('GET', '/api/v1/audit?limit=50')).body.items.map(
      (e) => e['action'],
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        'fleet.paused',
        'fleet.resumed',
        'fleet.assigned',
        'fleet.unassigned',
        'fleet.tags.updated',
      ]),
    );
    expect((await t.admin('POST', '/api/v1/fleet/pause', { scope: 'fleet', tag: 'vps-1' })).status).toBe(400);
    expect((await t.admin('POST', '/api/v1/fleet/resume', { tag: 'vps-1' })).status).toBe(204);
  });

  it("gives a bot's wallet as its newest run's latest balance, not the run that pushed last, and names the bot of each balance point", async () => {
    const asBot = (path: string, body: Json) =>
      request<Json>(t.api.url, 'POST', path, { key: keys[2].secret, body });
    const start = async () =>
      (await asBot('/api/bot/run/start', { mode: 'dry_run' })).body['runId'] as number;
    const older = await start();
    const newer = await start();
    expect((await asBot('/api/bot/run/update', { runId: older, walletBalance: '480.10' })).status).toBe(200);
    expect((await asBot('/api/bot/run/update', { runId: newer, walletBalance: '470.25' })).status).toBe(200);
    // The older run pushes last: with runs of one bot updating in turn, "the run updated last" flips between them.
    expect((await asBot('/api/bot/run/update', { runId: older, walletBalance: '481.00' })).status).toBe(200);
    expect((await botOf(2))['walletBalance']).toBe('470.25');
    // A newer run that has not reported a balance yet leaves the balance of the newest run that has.
    const newest = await start();
    expect((await asBot('/api/bot/run/update', { runId: newest, totalCycles: 1 })).status).toBe(200);
    expect((await botOf(2))['walletBalance']).toBe('470.25');
    expect((await asBot('/api/bot/run/update', { runId: newest, walletBalance: '469.5' })).status).toBe(200);
    expect((await botOf(2))['walletBalance']).toBe('469.5');

    const series = (await t.admin<{ bot: Json[] }>('GET', `/api/v1/wallet/series?apiKeyId=${keys[2].botId}`))
      .body.bot;
    expect(series.map((p) => [p['runId'], p['botId'], p['walletBalance']])).toEqual([
      [older, keys[2].botId, '480.1'],
      [newer, keys[2].botId, '470.25'],
      [older, keys[2].botId, '481'],
      [newest, keys[2].botId, '469.5'],
    ]);
  });
});
