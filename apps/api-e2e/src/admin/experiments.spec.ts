import { request } from '@polymaker/testing';
import { sql } from '../back-office/loopback';
import { Json, startTestApi, TestApi } from '../support/api';

/** Fixed instants (rows are dated there with SQL: the API has no way to fake time). */
const T0 = Date.parse('2025-05-05T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

/**
 * Experiments through the real API: two versions, the candidate assigned to one bot as the experiment
 * starts; each bot runs three one-hour runs under its version (dated with SQL so the hours are exact);
 * the experiment attributes hours and runs to each version and tells them apart with its interval
 * and a plain verdict; the winner is promoted as the fleet default in one audited action.
 */
describe('experiments: versions compared over the segments run with them, and the winner promoted', () => {
  let t: TestApi;
  const bots: { secret: string; botId: number }[] = [];
  const as = (i: number, method: string, path: string, body?: unknown) =>
    request<Json>(t.api.url, method, path, { key: bots[i].secret, body });
  let v2 = 0;
  let experimentId = 0;

  beforeAll(async () => {
    t = await startTestApi('experiments');
    for (const name of ['exp-a', 'exp-b']) {
      const created = await t.admin<{ secret: string; apiKey: Json }>('POST', '/api/v1/api-keys', {
        name,
        scope: 'bot',
      });
      bots.push({ secret: created.body.secret, botId: created.body.apiKey['botId'] as number });
    }
    v2 = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: 1,
        values: { mmSpreadMin: '0.03' },
        note: 'wider spreads',
      })
    ).body['id'] as number;
  });
  afterAll(() => t?.stop());

  it('refuses a bad experiment with a 400 or 404 that names the problem, and writes nothing', async () => {
    const bad: [unknown, number, RegExp][] = [
      [{ name: 'x', configIds: [1] }, 400, /configIds/],
      [{ name: 'x', configIds: [1, 1] }, 400, /configIds/],
      [{ name: '', configIds: [1, v2] }, 400, /name/],
      [{ name: 'x', configIds: [1, 999999] }, 404, /No config version 999999/],
      [{ name: 'x', configIds: [1, v2], botIds: [999999] }, 404, /No bot 999999/],
      [
        { name: 'x', configIds: [1, v2], assign: [{ configId: 5, tag: 'a' }] },
        400,
        /not one of the experiment's versions/,
      ],
      [{ name: 'x', configIds: [1, v2], assign: [{ configId: v2 }] }, 400, /exactly one of botId and tag/],
    ];
    for (const [body, status, message] of bad) {
      const answer = await t.admin('POST', '/api/v1/experiments', body);
      expect([JSON.stringify(body), answer.status]).toEqual([JSON.stringify(body), status]);
      expect(answer.body['message']).toMatch(message);
    }
    expect((await t.admin<{ items: Json[] }>('GET', '/api/v1/experiments')).body.items).toEqual([]);
    expect((await as(0, 'POST', '/api/v1/experiments', { name: 'x', configIds: [1, v2] })).status).toBe(403);
  });

  it('starts with the candidate assigned to one bot: that bot is served it, the other keeps the default', async () => {
    const started = await t.admin('POST', '/api/v1/experiments', {
      name: 'wider spreads on exp-b',
      configIds: [1, v2],
      botIds: bots.map((b) => b.botId),
      assign: [{ configId: v2, botId: bots[1].botId }],
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      name: 'wider spreads on exp-b',
      configIds: [1, v2],
      status: 'running',
      createdBy: expect.any(String),
    });
    experimentId = started.body['id'] as number;
    expect((await as(0, 'GET', '/api/bot/config')).body['id']).toBe(1);
    expect((await as(1, 'GET', '/api/bot/config')).body['id']).toBe(v2);
    const early = (
      await t.admin<Json & { comparisons: Json[] }>('GET', `/api/v1/experiments/${experimentId}`)
    ).body;
    expect(early.comparisons[0]['verdict']).toMatch(
      /Not enough data yet: each version needs at least 3 segments/,
    );
  });

  it('attributes hours and runs to each version and tells a real difference apart, in plain words', async () => {
    // each bot: three one-hour runs, P&L 0.9 / 1.0 / 1.1 USDC (exp-a on v1) and 2.9 / 3.0 / 3.1 (exp-b on v2)
    for (const [i, pnls] of [
      [0, ['0.9', '1', '1.1']],
      [1, ['2.9', '3', '3.1']],
    ] as const) {
      for (const [k, pnl] of pnls.entries()) {
        const runId = (
          await as(i, 'POST', '/api/bot/run/start', {
            configId: i === 0 ? 1 : v2,
            mode: 'dry_run',
            startingBankroll: 500,
          })
        ).body['runId'] as number;
        const tradeId = (
          await as(i, 'POST', '/api/bot/trade', {
            runId,
            cycle: 1,
            asset: 'BTC',
            windowDuration: '15m',
            side: 'buy',
            outcome: 'Up',
            price: 0.5,
            size: 4,
            strategy: 'MM',
          })
        ).body['tradeId'] as number;
        await as(i, 'POST', '/api/bot/trade/update', {
          tradeId,
          status: 'filled',
          fillPrice: 0.5,
          fillSize: 4,
          pnl,
          resolvedOutcome: 'Up',
        });
        await as(i, 'POST', '/api/bot/run/stop', { runId, status: 'completed', totalPnl: Number(pnl) });
        const start = 2 * k + 1;
        await sql(
          t.databaseUrl,
          'update runs set started_at = $2, last_update_at = $3, stopped_at = $3 where id = $1',
          [runId, at(start), at(start + 1)],
        );
        await sql(t.databaseUrl, 'update trades set created_at = $2 where id = $1', [
          tradeId,
          at(start + 0.5),
        ]);
      }
    }
    // the spans of the versions served (from the polls above), and the experiment, from T0
    await sql(t.databaseUrl, 'update bot_config_spans set started_at = $1, last_seen_at = $2', [
      at(0),
      at(10),
    ]);
    await sql(t.databaseUrl, 'update experiments set started_at = $2 where id = $1', [experimentId, at(0)]);

    const result = (
      await t.admin<Json & { versions: Json[]; comparisons: Json[] }>(
        'GET',
        `/api/v1/experiments/${experimentId}`,
      )
    ).body;
    expect(result.versions).toEqual([
      expect.objectContaining({ configId: 1, hours: 3, runs: 3, segments: 3, pnl: '3', pnlPerHour: 1 }),
      expect.objectContaining({
        configId: v2,
        note: 'wider spreads',
        hours: 3,
        runs: 3,
        segments: 3,
        pnl: '9',
        pnlPerHour: 3,
      }),
    ]);
    const [comparison] = result.comparisons;
    expect(comparison).toMatchObject({ configId: v2, baselineConfigId: 1, difference: 2, significant: true });
    expect(comparison['low'] as number).toBeGreaterThan(0);
    expect(comparison['verdict']).toMatch(
      new RegExp(
        `^v${v2} earns 2\\.00 USDC/h more than v1, 95 % CI \\d+\\.\\d\\d to \\d+\\.\\d\\d, from 6 runs \\(6 h\\)\\.$`,
      ),
    );
    expect(result['method']).toContain('bootstrap over segments');

    // the scores of each version: its runs' newest analyses, here one hour each, so the plain mean
    const stored = await sql<{ config_id: string; overall: number; spread: number | null }>(
      t.databaseUrl,
      `select distinct on (a.run_id) r.config_id, a.overall_score as overall, (a.result->'scores'->'spreadCapture'->>'score')::float8 as spread
         from analyses a join runs r on r.id = a.run_id order by a.run_id, a.id desc`,
    );
    for (const version of result.versions as (Json & { subScores: Json[] })[]) {
      const mine = stored.filter((row) => Number(row.config_id) === version['configId']);
      expect(mine).toHaveLength(3);
      const overall = version.subScores.find((s) => s['name'] === 'overall');
      const mean = Math.round((mine.reduce((a, row) => a + row.overall, 0) / mine.length) * 10) / 10;
      expect(overall).toMatchObject({ mean, segments: 3 });
      expect(overall?.['low'] as number).toBeLessThanOrEqual(mean);
      expect(overall?.['high'] as number).toBeGreaterThanOrEqual(mean);
      expect(version.subScores[0]['name']).toBe('overall');
    }
  });

  it('promotes the winner as the fleet default in one audited action; the bots get it; a second promotion is refused', async () => {
    const bad = await t.admin('POST', `/api/v1/experiments/${experimentId}/promote`, {
      configId: 999,
      to: 'fleet',
    });
    expect(bad.status).toBe(400);
    const promoted = await t.admin('POST', `/api/v1/experiments/${experimentId}/promote`, {
      configId: v2,
      to: 'fleet',
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({
      status: 'promoted',
      promotedConfigId: v2,
      promotedTo: 'fleet',
      endedAt: expect.any(String),
    });
    expect((await t.admin('GET', '/api/v1/configs/active')).body['id']).toBe(v2);
    expect((await as(0, 'GET', '/api/bot/config')).body['id']).toBe(v2);
    expect(
      (await t.admin('POST', `/api/v1/experiments/${experimentId}/promote`, { configId: v2, to: 'fleet' }))
        .status,
    ).toBe(409);
    const audit = (await t.admin<{ items: Json[] }>('GET', '/api/v1/audit?limit=50')).body.items.map(
      (e) => e['action'],
    );
    expect(audit).toEqual(
      expect.arrayContaining(['experiment.started', 'experiment.promoted', 'config.activated']),
    );
    expect((await t.admin('GET', '/api/v1/experiments/999999')).status).toBe(404);
  });
});
