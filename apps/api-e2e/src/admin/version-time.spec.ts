import { request } from '@polymaker/testing';
import { sql } from '../back-office/loopback';
import { waitUntil } from '../ops/wire';
import { Json, startTestApi, TestApi } from '../support/api';

/** The instant `minutes` after 08:00 UTC on a fixed day (the rows are dated there with SQL: the API has no way to fake time). */
const T0 = Date.parse('2025-03-10T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/**
 * Time under each version: one bot's run starts on v1, gets v2 assigned mid-run (picked up at its
 * next GET /api/bot/config), is paused and resumed on v2, and stops; a second run starts on v2.
 * The polls' spans, the trades and the metric points are dated with SQL so that the hours are exact;
 * GET /api/v1/analyses/versions must attribute hours, trades and P&L to the version the bot was
 * really served, where GET /api/v1/analyses/compare counts the whole first run under v1.
 */
describe('time under each version: runs cut into segments by the version their bot was served', () => {
  let t: TestApi;
  let secret = '';
  let botId = 0;
  let v2 = 0;
  let run1 = 0;
  let run2 = 0;
  const as = (method: string, path: string, body?: unknown) =>
    request<Json>(t.api.url, method, path, { key: secret, body });
  const spansOf = async () =>
    (await t.admin<{ items: Json[] }>('GET', `/api/v1/bots/${botId}/config-spans`)).body.items;
  /** Polls as the bot until its poll is written as the newest span with this state (polls are written once a second). */
  async function pollUntil(configId: number, paused: boolean, count: number): Promise<void> {
    const served = (await as('GET', '/api/bot/config')).body;
    expect([served['id'], served['pauseOrders']]).toEqual([configId, paused]);
    await waitUntil(`span ${count} (v${configId}${paused ? ' paused' : ''})`, async () => {
      const spans = await spansOf();
      return spans.length === count && spans[0]['configId'] === configId && spans[0]['paused'] === paused;
    });
  }
  async function trade(
    runId: number,
    fields: { status: 'filled' | 'cancelled' | 'placed'; pnl?: string },
  ): Promise<number> {
    const logged = await as('POST', '/api/bot/trade', {
      runId,
      cycle: 1,
      asset: 'BTC',
      windowDuration: '15m',
      side: 'buy',
      outcome: 'Up',
      price: 0.5,
      size: 4,
      strategy: 'MM',
    });
    expect(logged.status).toBe(201);
    const tradeId = logged.body['tradeId'] as number;
    if (fields.status !== 'placed') {
      const update = await as('POST', '/api/bot/trade/update', {
        tradeId,
        status: fields.status,
        ...(fields.status === 'filled' ? { fillPrice: 0.5, fillSize: 4 } : {}),
        ...(fields.pnl !== undefined ? { pnl: fields.pnl, resolvedOutcome: 'Up' } : {}),
      });
      expect([update.status, update.status === 200 ? null : update.body]).toEqual([200, null]);
    }
    return tradeId;
  }
  const versions = (query: string) =>
    t.admin<{ versions: Json[] } & Json>('GET', `/api/v1/analyses/versions?${query}`);
  const range = () =>
    `botId=${botId}&from=${encodeURIComponent(at(-24 * 60))}&to=${encodeURIComponent(at(24 * 60))}`;

  beforeAll(async () => {
    t = await startTestApi('versions');
    const created = await t.admin<{ secret: string; apiKey: Json }>('POST', '/api/v1/api-keys', {
      name: 'versions-bot',
      scope: 'bot',
    });
    secret = created.body.secret;
    botId = created.body.apiKey['botId'] as number;
    v2 = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: 1,
        values: { mmSpreadMin: '0.02' },
        note: 'wider spreads',
      })
    ).body['id'] as number;

    // Run 1 starts on v1 (the fleet default its poll served) and trades, reporting its P&L.
    await pollUntil(1, false, 1);
    run1 = (await as('POST', '/api/bot/run/start', { configId: 1, mode: 'dry_run', startingBankroll: 1000 }))
      .body['runId'] as number;
    const v1Trades = [
      await trade(run1, { status: 'filled', pnl: '1.5' }),
      await trade(run1, { status: 'cancelled' }),
    ];
    for (const totalPnl of ['2', '1.5'])
      expect((await as('POST', '/api/bot/run/update', { runId: run1, totalPnl })).status).toBe(200);

    // v2 is assigned to the bot mid-run: the run picks it up at its next poll.
    expect((await t.admin('POST', '/api/v1/fleet/assignments', { botId, configId: v2 })).status).toBe(200);
    await pollUntil(v2, false, 2);
    const v2Early = await trade(run1, { status: 'filled', pnl: '2.25' });
    for (const totalPnl of ['2.5', '1.5'])
      expect((await as('POST', '/api/bot/run/update', { runId: run1, totalPnl })).status).toBe(200);
    // paused for a while on v2, then resumed
    expect((await t.admin('POST', '/api/v1/fleet/pause', { botId })).status).toBe(200);
    await pollUntil(v2, true, 3);
    expect((await t.admin('POST', '/api/v1/fleet/resume', { botId })).status).toBe(204);
    await pollUntil(v2, false, 4);
    expect((await as('POST', '/api/bot/run/update', { runId: run1, totalPnl: '3.25' })).status).toBe(200);
    const v2Late = [
      await trade(run1, { status: 'filled', pnl: '-0.5' }),
      await trade(run1, { status: 'placed' }),
    ];
    expect((await as('POST', '/api/bot/run/stop', { runId: run1, status: 'completed' })).status).toBe(200);

    // Run 2 starts on v2 and has one resolved fill.
    run2 = (await as('POST', '/api/bot/run/start', { configId: v2, mode: 'dry_run', startingBankroll: 1000 }))
      .body['runId'] as number;
    const run2Trade = await trade(run2, { status: 'filled', pnl: '0.25' });
    expect((await as('POST', '/api/bot/run/stop', { runId: run2, status: 'completed' })).status).toBe(200);

    // The dates: run 1 08:00–11:00; v1 served since 07:00, v2 from 09:00, paused 10:00–10:15; run 2 12:00–13:00.
    const spanIds = (
      await sql<{ id: string }>(
        t.databaseUrl,
        'select id from bot_config_spans where bot_id = $1 order by id',
        [botId],
      )
    ).map((r) => r.id);
    expect(spanIds).toHaveLength(4);
    const spanStarts = [at(-60), at(60), at(120), at(135)];
    const spanEnds = [at(59), at(119), at(134), at(300)];
    for (const [i, id] of spanIds.entries()) {
      await sql(
        t.databaseUrl,
        'update bot_config_spans set started_at = $2, last_seen_at = $3 where id = $1',
        [id, spanStarts[i], spanEnds[i]],
      );
    }
    await sql(
      t.databaseUrl,
      'update runs set started_at = $2, last_update_at = $3, stopped_at = $3 where id = $1',
      [run1, at(0), at(180)],
    );
    await sql(
      t.databaseUrl,
      'update runs set started_at = $2, last_update_at = $3, stopped_at = $3 where id = $1',
      [run2, at(240), at(300)],
    );
    const dateTrades = (ids: number[], minutes: number) =>
      sql(t.databaseUrl, 'update trades set created_at = $2 where id = any($1::bigint[])', [
        ids,
        at(minutes),
      ]);
    await dateTrades(v1Trades, 30);
    await dateTrades([v2Early], 70);
    await dateTrades(v2Late, 160);
    await dateTrades([run2Trade], 270);
    const pointIds = (
      await sql<{ id: string }>(
        t.databaseUrl,
        'select id from run_metric_points where run_id = $1 order by id',
        [run1],
      )
    ).map((r) => r.id);
    expect(pointIds).toHaveLength(5);
    const pointTimes = [at(20), at(40), at(90), at(105), at(150)];
    for (const [i, id] of pointIds.entries())
      await sql(t.databaseUrl, 'update run_metric_points set at = $2 where id = $1', [id, pointTimes[i]]);
  });
  afterAll(() => t?.stop());

  it('attributes hours, runs, trades and P&L to the version the bot was served, paused time apart', async () => {
    const answer = await versions(range());
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ botId, runs: 2, truncated: false, coveredFrom: null });
    const byVersion = new Map(answer.body.versions.map((v) => [v['configId'], v]));
    expect([...byVersion.keys()]).toEqual([v2, 1]); // newest version first
    // v1: 08:00–09:00 of run 1, its two trades (one fill, +1.5), its reported P&L 0 → 1.5 with a fall of 0.5 from 2
    expect(byVersion.get(1)).toMatchObject({
      hours: 1,
      pausedHours: 0,
      runs: 1,
      runIds: [run1],
      segments: 1,
      orders: 2,
      fills: 1,
      fillRate: 0.5,
      realisedPnl: '1.5',
      pnlPerHour: '1.5',
      reportedPnl: '1.5',
      maxDrawdown: '0.5',
    });
    // v2: 09:00–10:00 and 10:15–11:00 of run 1 and all of run 2 (2.75 h), 10:00–10:15 paused; 4 orders, 3 fills, 2.25 − 0.5 + 0.25
    expect(byVersion.get(v2)).toMatchObject({
      configNote: 'wider spreads',
      hours: 2.75,
      pausedHours: 0.25,
      runs: 2,
      runIds: [run2, run1],
      segments: 4,
      orders: 4,
      fills: 3,
      fillRate: 0.75,
      realisedPnl: '2',
      pnlPerHour: '0.72727273',
      reportedPnl: '1.75',
      maxDrawdown: '1',
    });
    // the reported P&L of run 1 is split, not lost: 1.5 on v1 and 1.75 on v2 make its final 3.25
    for (const v of answer.body.versions) {
      expect(typeof v['score']).toBe('number');
      expect(v['score'] as number).toBeGreaterThanOrEqual(0);
      expect(v['score'] as number).toBeLessThanOrEqual(100);
    }
  });

  it('counts only the part of the runs inside the range', async () => {
    // 08:30–10:30: v1 08:30–09:00 (its trades of 08:30 included), v2 09:00–10:00 and 10:15–10:30, paused 10:00–10:15
    const answer = await versions(
      `botId=${botId}&from=${encodeURIComponent(at(30))}&to=${encodeURIComponent(at(150))}`,
    );
    const byVersion = new Map(answer.body.versions.map((v) => [v['configId'], v]));
    expect(byVersion.get(1)).toMatchObject({ hours: 0.5, orders: 2, realisedPnl: '1.5', runs: 1 });
    expect(byVersion.get(v2)).toMatchObject({
      hours: 1.25,
      pausedHours: 0.25,
      orders: 1,
      realisedPnl: '2.25',
      runs: 1,
    });
    // a range after both runs: nothing
    const later = await versions(
      `botId=${botId}&from=${encodeURIComponent(at(301))}&to=${encodeURIComponent(at(400))}`,
    );
    expect(later.body).toMatchObject({ runs: 0, versions: [] });
  });

  it('the whole-run comparison still counts run 1 under the version it started with, and says so', async () => {
    const groups = (await t.admin<{ groups: Json[] }>('GET', `/api/v1/analyses/compare?botId=${botId}`)).body
      .groups;
    const runsOf = (configId: number) =>
      ((groups.find((g) => g['configId'] === configId)?.['runs'] as Json[] | undefined) ?? []).map(
        (r) => r['runId'],
      );
    expect(runsOf(1)).toEqual([run1]);
    expect(runsOf(v2)).toEqual([run2]);
  });

  it('refuses bad ranges with a 400 that names the parameter', async () => {
    for (const [query, field] of [
      [`from=${encodeURIComponent(at(60))}&to=${encodeURIComponent(at(0))}`, 'from'],
      ['from=2020-01-01&to=2022-01-01', 'from'],
      ['from=2026-02-30', 'from'],
      ['to=yesterday', 'to'],
      ['botId=0', 'botId'],
      ['botId=1e3', 'botId'],
      ['botId=1&botId=2', 'botId'],
    ] as const) {
      const answer = await versions(query);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(String(answer.body['message'])).toContain(field);
    }
    // the first day a date may name, with the default start: no 5xx
    expect((await versions('to=0001-01-02')).status).toBe(200);
    expect((await t.bot('GET', '/api/v1/analyses/versions')).status).toBe(403);
  });
});
