import { startTestApi, TestApi } from '../support/api';
import { waitFor } from './loopback';
import { Json, playSession } from './session';

describe('back office: analysis engine, suggestions and the feedback loop', () => {
  let t: TestApi;
  let spreadConfigId: number;

  beforeAll(async () => {
    t = await startTestApi('backoffice_analysis', { OUTBOX_POLL_MS: '100' });
    const created = await t.admin('POST', '/api/v1/configs', { basedOnId: 1, values: { mmSpreadMin: 0.04, mmSpreadMax: 0.08, mmOrderSize: 10 }, note: 'wide spreads' });
    expect(created.status).toBe(201);
    spreadConfigId = created.body['id'] as number;
    expect((await t.admin('POST', `/api/v1/configs/${spreadConfigId}/activate`)).status).toBe(200);
  });
  afterAll(() => t?.stop());

  /** The stored analysis once its outbox job has added breakdowns and suggestions. */
  const completed = (analysisId: unknown) =>
    waitFor(`analysis ${String(analysisId)} to complete`, async () => {
      const stored = (await t.admin('GET', `/api/v1/analyses/${String(analysisId)}`)).body;
      return stored['state'] === 'complete' ? stored : null;
    });

  it('suggests a narrower spread from a long run with a low fill rate, citing its numbers, within the bounds', async () => {
    const { runId, stop } = await playSession(t.bot, t.databaseUrl, { configId: spreadConfigId, trades: 200, fills: 30, pnlPerFill: 0.1, minutes: 45 });
    expect(stop?.status).toBe(200);
    // run/stop answers with the score from the run's aggregates; the full analysis follows as a job
    const answered = stop?.body['analysis'] as Json;
    expect(answered).toMatchObject({ runId, state: 'pending', trigger: 'stop', dataQuality: 'ok', configId: spreadConfigId, summary: { trades: 200, fills: 30, fillRate: 0.15 } });
    expect(answered['suggestions']).toMatchObject({ status: 'pending', items: [] });
    expect(answered['scores']).toMatchObject({ execution: { inputs: { orders: 200, fills: 30 } }, profitability: expect.any(Object) });
    const analysis = await completed(answered['analysisId']);
    expect(analysis).toMatchObject({ runId, dataQuality: 'ok', configId: spreadConfigId, summary: { trades: 200, fills: 30, fillRate: 0.15 } });
    // the same score and sub-scores as the stop's answer, computed without scanning the trades
    expect(analysis['overallScore']).toBe(answered['overallScore']);
    expect(analysis['scores']).toEqual(answered['scores']);
    const suggestions = analysis['suggestions'] as { status: string; items: Json[] };
    expect(suggestions.status).toBe('ok');
    const spread = suggestions.items.find((item) => item['key'] === 'mmSpreadMin');
    expect(spread).toMatchObject({ current: 0.04, suggested: 0.032, currentObserved: false });
    expect(spread?.['rationale']).toContain('15.0% (30 fills of 200 orders; at most');
    // the evidence method is stated, and every group tested is kept for later runs of the same version
    expect(suggestions['method']).toMatch(/Bootstrap over the run's resolved trades .* Holm-corrected/);
    expect(Array.isArray(suggestions['effects'])).toBe(true);
    expect(spread?.['confidence']).toBeGreaterThan(0);
    expect(spread?.['confidence']).toBeLessThanOrEqual(1);
    // breakdowns by asset, window, outcome, strategy and UTC hour
    const breakdowns = analysis['breakdowns'] as Record<string, Json[]>;
    expect(breakdowns['asset'].map((row) => [row['key'], row['trades'], row['fills']])).toEqual([['BTC', 100, 15], ['ETH', 100, 15]]);
    expect(breakdowns['hour']).toHaveLength(1);
    // one analysis per stop: the pending one, completed in place
    const list = (await t.admin<Json[]>('GET', `/api/v1/runs/${runId}/analyses`)).body;
    expect(list.map((a) => [a['analysisId'], a['trigger'], a['state']])).toEqual([[answered['analysisId'], 'stop', 'complete']]);
  });

  it('applies a suggestion as a new inactive version that bots get once it is activated', async () => {
    const [latest] = (await t.admin<{ items: Json[] }>('GET', '/api/v1/analyses?limit=1')).body.items;
    const spread = ((latest['suggestions'] as Json)['items'] as Json[]).find((item) => item['key'] === 'mmSpreadMin') as Json;
    const applied = await t.admin('POST', `/api/v1/analyses/${latest['analysisId']}/apply`, { suggestionIds: [spread['id']] });
    expect(applied.status).toBe(201);
    const config = applied.body['config'] as Json;
    expect(config).toMatchObject({ source: 'suggestion', analysisId: latest['analysisId'], basedOnId: spreadConfigId, isActive: false });
    expect(config['values']).toMatchObject({ mmSpreadMin: 0.032, mmSpreadMax: 0.08 });
    expect((await t.bot('GET', '/api/bot/config')).body).toMatchObject({ id: spreadConfigId, mmSpreadMin: 0.04 });

    expect((await t.admin('POST', `/api/v1/configs/${config['id']}/activate`)).status).toBe(200);
    expect((await t.bot('GET', '/api/bot/config')).body).toMatchObject({ id: config['id'], mmSpreadMin: 0.032 });
    expect((await t.admin('GET', `/api/v1/analyses/${latest['analysisId']}`)).body['appliedConfigIds']).toEqual([config['id']]);

    const unknown = await t.admin('POST', `/api/v1/analyses/${latest['analysisId']}/apply`, { suggestionIds: ['s99'] });
    expect(unknown.status).toBe(422);
  });

  it('says the data is too thin instead of suggesting, and refuses to apply nothing', async () => {
    const { stop } = await playSession(t.bot, t.databaseUrl, { trades: 5, fills: 2 });
    expect((stop?.body['analysis'] as Json)['dataQuality']).toBe('thin');
    const analysis = await completed((stop?.body['analysis'] as Json)['analysisId']);
    expect(analysis['dataQuality']).toBe('thin');
    expect(analysis['suggestions']).toMatchObject({ status: 'thin-data', items: [] });
    const apply = await t.admin('POST', `/api/v1/analyses/${analysis['analysisId']}/apply`, {});
    expect(apply.status).toBe(409);
    expect(apply.body['message']).toContain('Data too thin');
  });

  it('analyses a running run on demand and keeps the earlier analyses', async () => {
    const { runId } = await playSession(t.bot, t.databaseUrl, { stop: false, trades: 8, fills: 3, metrics: { totalPnl: '1.5', totalOrders: 8, totalFills: 3 } });
    const first = await t.admin('POST', `/api/v1/runs/${runId}/analyses`);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ runId, trigger: 'on-demand', runStatus: 'running', summary: { totalPnl: '1.5', fills: 3 } });
    await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: '2.5', totalFills: 4 });
    const second = await t.admin('POST', `/api/v1/runs/${runId}/analyses`);
    expect((second.body['summary'] as Json)['totalPnl']).toBe('2.5');
    const list = (await t.admin<Json[]>('GET', `/api/v1/runs/${runId}/analyses`)).body;
    expect(list.map((a) => a['analysisId'])).toEqual([second.body['analysisId'], first.body['analysisId']]);
    expect((await t.admin('POST', '/api/v1/runs/999999/analyses')).status).toBe(404);
  });

  it('compares runs grouped by config version, scores and P&L side by side', async () => {
    const active = (await t.bot('GET', '/api/bot/config')).body['id'] as number;
    await playSession(t.bot, t.databaseUrl, { configId: active, trades: 4, fills: 2, metrics: { totalPnl: '3.25' } });
    await playSession(t.bot, t.databaseUrl, { configId: active, trades: 4, fills: 2, metrics: { totalPnl: '-1.1' } });
    const groups = (await t.admin<{ groups: Json[] }>('GET', `/api/v1/analyses/compare?configIds=${active},${spreadConfigId}`)).body.groups;
    expect(groups.map((g) => g['configId'])).toEqual([active, spreadConfigId]);
    // the thin run above (2 fills of +0.25) ran on this version too: 3.25 - 1.1 + 0.5, summed exactly
    expect(groups[0]).toMatchObject({ configSource: 'suggestion', runCount: 3, totalPnl: '2.65', avgPnl: '0.88333333' });
    expect(groups[0]['avgScore']).toEqual(expect.any(Number));
    expect((groups[0]['runs'] as Json[]).every((run) => typeof run['overallScore'] === 'number')).toBe(true);
    expect(groups[1]['runCount']).toBeGreaterThanOrEqual(1);
  });
});
