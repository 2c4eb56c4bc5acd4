import { ApiProcess, request, startApiProcess, startTestPostgres, TestPostgres } from '@polymaker/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetKeys } from './fleet-keys';
import { runSimulation } from './simulation';

/**
 * Two simulated bots against the real API (built with `npx nx build api`) and a real PostgreSQL;
 * everything they sent must be readable through the admin API. No timing is asserted.
 */
// Set here as well as in jest.config.ts: a run of several projects ignores per-project testTimeout.
jest.setTimeout(120_000);

describe('bot simulator against the real API', () => {
  let pg: TestPostgres;
  let api: ApiProcess;

  beforeAll(async () => {
    pg = await startTestPostgres();
    api = await startApiProcess({ databaseUrl: await pg.createDatabase('simulator') });
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await pg?.stop();
  });

  const admin = <T = Record<string, unknown>>(path: string) =>
    request<T>(api.url, 'GET', path, { key: api.adminKey });

  it('runs two bots whose runs, trades, metrics and markets arrive', async () => {
    const summary = await runSimulation({
      url: api.url,
      apiKey: api.botKey,
      bots: 2,
      speed: 60,
      durationSec: 8,
      staggerSec: 0.5,
      seed: 12345,
      doubleStopRate: 1,
    });
    expect(summary.runsStarted).toBe(2);
    expect(summary.runsStopped).toBe(2);
    expect(summary.failures).toBe(0);
    expect(summary.orders).toBeGreaterThan(0);

    const runs = await admin<{
      items: {
        id: number;
        status: string;
        metrics: Record<string, unknown>;
        extra: Record<string, unknown>;
      }[];
    }>('/api/v1/runs?limit=50');
    expect(runs.status).toBe(200);
    const ours = runs.body.items.filter((run) => summary.runIds.includes(run.id));
    expect(ours).toHaveLength(2);
    for (const run of ours) {
      expect(['completed', 'stopped', 'error']).toContain(run.status);
      expect(run.metrics).toHaveProperty('hedgeAnalytics');
      expect(run.metrics).toHaveProperty('pairedWindows');
      expect(run.extra).toHaveProperty('open_orders');

      const trades = await admin<{
        items: { runId: number; tokenId: string; status: string; asset: string }[];
      }>(`/api/v1/trades?runId=${run.id}&limit=500`);
      expect(trades.status).toBe(200);
      expect(trades.body.items.length).toBeGreaterThan(0);
      for (const trade of trades.body.items) {
        expect(trade.runId).toBe(run.id);
        expect(['BTC', 'ETH', 'SOL', 'XRP']).toContain(trade.asset);
        expect(trade.tokenId).toMatch(/^\d{70,}$/);
      }
      // At shutdown every resting order was cancelled: nothing is left "placed".
      expect(trades.body.items.some((t) => t.status === 'placed')).toBe(false);

      const metrics = await admin<{ items: unknown[] }>(`/api/v1/runs/${run.id}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.body.items.length).toBeGreaterThan(0);
    }
    const trades = summary.endpoints.find((e) => e.endpoint === 'POST /trade');
    expect(trades?.count).toBe(summary.orders);
    expect(summary.endpoints.find((e) => e.endpoint === 'POST /run/stop')?.count).toBe(4);

    const markets = await admin<{ items: { windowId: string; tokenId: string }[] }>('/api/v1/markets');
    expect(markets.status).toBe(200);
    expect(markets.body.items.length).toBeGreaterThan(0);
    expect(markets.body.items[0].windowId).toMatch(/^(btc|eth|sol|xrp)-updown-(5m|15m)-\d+$/);
  });

  it('places no orders while the config says pauseOrders', async () => {
    const paused = await request(api.url, 'POST', '/api/v1/configs/pause', {
      key: api.adminKey,
      body: { paused: true },
    });
    expect(paused.status).toBeLessThan(300);
    try {
      const summary = await runSimulation({
        url: api.url,
        apiKey: api.botKey,
        bots: 1,
        speed: 60,
        durationSec: 4,
        staggerSec: 0,
        seed: 7,
      });
      expect(summary.runsStarted).toBe(1);
      expect(summary.orders).toBe(0);
      const trades = await admin<{ items: unknown[] }>(`/api/v1/trades?runId=${summary.runIds[0]}`);
      expect(trades.body.items).toHaveLength(0);
    } finally {
      await request(api.url, 'POST', '/api/v1/configs/pause', { key: api.adminKey, body: { paused: false } });
    }
  });

  it('--run-length: each bot ends its run and starts a new one, which takes the version assigned meanwhile', async () => {
    const key = (
      await request<{ secret: string; apiKey: { botId: number } }>(api.url, 'POST', '/api/v1/api-keys', {
        key: api.adminKey,
        body: { name: 'restarting bot', scope: 'bot' },
      })
    ).body;
    const active = (await admin<{ id: number }>('/api/v1/configs/active')).body.id;
    const v2 = (
      await request<{ id: number }>(api.url, 'POST', '/api/v1/configs', {
        key: api.adminKey,
        body: { basedOnId: active, values: { mmSpreadMin: '0.03' }, note: 'for the restarts' },
      })
    ).body.id;
    // runs of 2 simulated minutes at x60: a new run about every 2 s; the version is assigned after the first
    const assigned = new Promise<void>((done) =>
      setTimeout(
        () =>
          void request(api.url, 'POST', '/api/v1/fleet/assignments', {
            key: api.adminKey,
            body: { botId: key.apiKey.botId, configId: v2 },
          }).then(() => done()),
        1500,
      ),
    );
    const summary = await runSimulation({
      url: api.url,
      apiKey: key.secret,
      bots: 1,
      speed: 60,
      durationSec: 9,
      staggerSec: 0,
      seed: 11,
      runLengthSec: 120,
    });
    await assigned;
    expect(summary.failures).toBe(0);
    expect(summary.runsStarted).toBeGreaterThanOrEqual(3);
    const runs = (
      await admin<{ items: { id: number; status: string; configId: number | null; botId: number | null }[] }>(
        `/api/v1/runs?botId=${key.apiKey.botId}&limit=50`,
      )
    ).body.items;
    const ours = runs.filter((run) => summary.runIds.includes(run.id)).sort((a, b) => a.id - b.id);
    expect(ours).toHaveLength(summary.runsStarted);
    // every run ended (none left running), the first on the default, the last on the assigned version
    expect(ours.every((run) => run.status !== 'running')).toBe(true);
    expect(ours[0].configId).toBe(active);
    expect(ours[ours.length - 1].configId).toBe(v2);
  });

  it('--keys 3 --tags: a fleet of bots with keys of their own, tagged in turn, reused from the keys file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-keys-'));
    try {
      const file = join(dir, 'keys.json');
      const keys = await fleetKeys(api.url, api.adminKey, 3, ['vps-1', 'vps-2'], file, 'fleet bot');
      expect(new Set(keys.map((k) => k.botId)).size).toBe(3);
      const again = await fleetKeys(api.url, api.adminKey, 3, ['vps-1', 'vps-2'], file, 'fleet bot');
      expect(again.map((k) => k.secret)).toEqual(keys.map((k) => k.secret));
      const summary = await runSimulation({
        url: api.url,
        apiKey: keys[0].secret,
        apiKeys: keys.map((k) => k.secret),
        bots: 3,
        speed: 60,
        durationSec: 4,
        staggerSec: 0.3,
        seed: 7,
      });
      expect(summary.runsStarted).toBe(3);
      const bots = (
        await admin<{ items: { botId: number; name: string; tags: string[]; runs: number }[] }>(
          '/api/v1/bots',
        )
      ).body.items;
      const ours = keys.map((k) => bots.find((b) => b.botId === k.botId));
      expect(ours.map((b) => b?.tags)).toEqual([['vps-1'], ['vps-2'], ['vps-1']]);
      expect(ours.map((b) => b?.runs)).toEqual([1, 1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
