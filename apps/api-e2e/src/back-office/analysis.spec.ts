import { startTestApi, TestApi } from '../support/api';
import { waitFor } from './loopback';
import { Json, playSession } from './session';

describe('back office: analysis engine, suggestions and the feedback loop', () => {
  let t: TestApi;
  let spreadConfigId: number;

  beforeAll(async () => {
    t = await startTestApi('backoffice_analysis', { OUTBOX_POLL_MS: '100' });
    const created = await t.admin('POST', '/api/v1/configs', {
      basedOnId: 1,
      values: { mmSpreadMin: 0.04, mmSpreadMax: 0.08, mmOrderSize: 10 },
      note: 'wide spreads',
    });
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
    const { runId, stop } = await playSession(t.bot, t.databaseUrl, {
      configId: spreadConfigId,
      trades: 200,
      fills: 30,
      pnlPerFill: 0.1,
      minutes: 45,
    });
    expect(stop?.status).toBe(200);
    // run/stop answers with the score from the run's aggregates; the full analysis follows as a job
    const answered = stop?.body['analysis'] as Json;
    expect(answered).toMatchObject({
      runId,
      state: 'pending',
      trigger: 'stop',
      dataQuality: 'ok',
      configId: spreadConfigId,
      summary: { trades: 200, fills: 30, fillRate: 0.15 },
    });
    expect(answered['suggestions']).toMatchObject({ status: 'pending', items: [] });
    // the quick score: risk and capital return from the aggregates, the fill-based scores left to the job
    expect(answered['scores']).toMatchObject({
      spreadCapture: null,
      inventory: null,
      hedging: null,
      risk: expect.any(Object),
      capitalReturn: expect.any(Object),
    });
    expect(answered['scores']).not.toHaveProperty('execution');
    const analysis = await completed(answered['analysisId']);
    expect(analysis).toMatchObject({
      runId,
      dataQuality: 'ok',
      configId: spreadConfigId,
      engineVersion: 3,
      summary: { trades: 200, fills: 30, fillRate: 0.15 },
    });
    // these trades name no window (no conditionId): the job adds no fill-based score, and says why
    expect(analysis['overallScore']).toBe(answered['overallScore']);
    expect(analysis['scores']).toEqual(answered['scores']);
    expect(analysis['notes']).toContain(
      'None of the 30 fills names a window (a conditionId with outcome Up or Down): spread capture, inventory and hedging are not scored.',
    );
    const suggestions = analysis['suggestions'] as Json & { status: string; items: Json[] };
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
    expect(breakdowns['asset'].map((row) => [row['key'], row['trades'], row['fills']])).toEqual([
      ['BTC', 100, 15],
      ['ETH', 100, 15],
    ]);
    expect(breakdowns['hour']).toHaveLength(1);
    // one analysis per stop: the pending one, completed in place
    const list = (await t.admin<Json[]>('GET', `/api/v1/runs/${runId}/analyses`)).body;
    expect(list.map((a) => [a['analysisId'], a['trigger'], a['state']])).toEqual([
      [answered['analysisId'], 'stop', 'complete'],
    ]);
  });

  it('applies a suggestion as a new inactive version that bots get once it is activated', async () => {
    const [latest] = (await t.admin<{ items: Json[] }>('GET', '/api/v1/analyses?limit=1')).body.items;
    const spread = ((latest['suggestions'] as Json)['items'] as Json[]).find(
      (item) => item['key'] === 'mmSpreadMin',
    ) as Json;
    const applied = await t.admin('POST', `/api/v1/analyses/${latest['analysisId']}/apply`, {
      suggestionIds: [spread['id']],
    });
    expect(applied.status).toBe(201);
    const config = applied.body['config'] as Json;
    expect(config).toMatchObject({
      source: 'suggestion',
      analysisId: latest['analysisId'],
      basedOnId: spreadConfigId,
      isActive: false,
    });
    expect(config['values']).toMatchObject({ mmSpreadMin: 0.032, mmSpreadMax: 0.08 });
    expect((await t.bot('GET', '/api/bot/config')).body).toMatchObject({
      id: spreadConfigId,
      mmSpreadMin: 0.04,
    });

    expect((await t.admin('POST', `/api/v1/configs/${config['id']}/activate`)).status).toBe(200);
    expect((await t.bot('GET', '/api/bot/config')).body).toMatchObject({
      id: config['id'],
      mmSpreadMin: 0.032,
    });
    expect(
      (await t.admin('GET', `/api/v1/analyses/${latest['analysisId']}`)).body['appliedConfigIds'],
    ).toEqual([config['id']]);

    const unknown = await t.admin('POST', `/api/v1/analyses/${latest['analysisId']}/apply`, {
      suggestionIds: ['s99'],
    });
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
    const { runId } = await playSession(t.bot, t.databaseUrl, {
      stop: false,
      trades: 8,
      fills: 3,
      metrics: { totalPnl: '1.5', totalOrders: 8, totalFills: 3 },
    });
    const first = await t.admin('POST', `/api/v1/runs/${runId}/analyses`);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      runId,
      trigger: 'on-demand',
      runStatus: 'running',
      summary: { totalPnl: '1.5', fills: 3 },
    });
    await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: '2.5', totalFills: 4 });
    const second = await t.admin('POST', `/api/v1/runs/${runId}/analyses`);
    expect((second.body['summary'] as Json)['totalPnl']).toBe('2.5');
    const list = (await t.admin<Json[]>('GET', `/api/v1/runs/${runId}/analyses`)).body;
    expect(list.map((a) => a['analysisId'])).toEqual([second.body['analysisId'], first.body['analysisId']]);
    expect((await t.admin('POST', '/api/v1/runs/999999/analyses')).status).toBe(404);
  });

  it('compares runs grouped by config version, scores and P&L side by side', async () => {
    const active = (await t.bot('GET', '/api/bot/config')).body['id'] as number;
    await playSession(t.bot, t.databaseUrl, {
      configId: active,
      trades: 4,
      fills: 2,
      metrics: { totalPnl: '3.25' },
    });
    await playSession(t.bot, t.databaseUrl, {
      configId: active,
      trades: 4,
      fills: 2,
      metrics: { totalPnl: '-1.1' },
    });
    const groups = (
      await t.admin<{ groups: Json[] }>(
        'GET',
        `/api/v1/analyses/compare?configIds=${active},${spreadConfigId}`,
      )
    ).body.groups;
    expect(groups.map((g) => g['configId'])).toEqual([active, spreadConfigId]);
    // the thin run above (2 fills of +0.25) ran on this version too: 3.25 - 1.1 + 0.5, summed exactly
    expect(groups[0]).toMatchObject({
      configSource: 'suggestion',
      runCount: 3,
      totalPnl: '2.65',
      avgPnl: '0.88333333',
    });
    expect(groups[0]['avgScore']).toEqual(expect.any(Number));
    expect((groups[0]['runs'] as Json[]).every((run) => typeof run['overallScore'] === 'number')).toBe(true);
    expect(groups[1]['runCount']).toBeGreaterThanOrEqual(1);
  });

  /**
   * A run of Up/Down windows (one conditionId each) whose fills are given with their time: each fill
   * [window, outcome, price, seconds after the start, strategy, pnl].
   */
  const windowRun = async (
    name: string,
    fills: [number, 'Up' | 'Down', number, number, string, number][],
    metrics: Json,
  ) => {
    const started = await t.bot('POST', '/api/bot/run/start', {
      configId: spreadConfigId,
      mode: 'dry_run',
      startingBankroll: 500,
    });
    const runId = started.body['runId'] as number;
    const trades = fills.map(([w, outcome, price, , strategy], i) => ({
      runId,
      cycle: i,
      asset: 'BTC',
      windowDuration: '15m',
      side: 'buy',
      outcome,
      price,
      size: 10,
      strategy,
      conditionId: `0x${name}${w}`,
      tokenId: `${name}${w}${outcome}`,
    }));
    const batch = await t.bot<{ tradeIds: number[] }>('POST', '/api/bot/trade/batch', { trades });
    expect(batch.status).toBe(201);
    const base = Date.parse('2026-12-01T10:00:00Z');
    for (const [i, [, , price, at, , pnl]] of fills.entries()) {
      const update = {
        tradeId: batch.body.tradeIds[i],
        status: 'filled',
        fillPrice: price,
        fillSize: 10,
        fillTimestamp: new Date(base + at * 1000).toISOString(),
        pnl,
      };
      expect((await t.bot('POST', '/api/bot/trade/update', update)).status).toBe(200);
    }
    expect((await t.bot('POST', '/api/bot/run/update', { runId, ...metrics })).status).toBe(200);
    const stop = await t.bot('POST', '/api/bot/run/stop', { runId, status: 'completed' });
    return { runId, answered: stop.body['analysis'] as Json };
  };

  it('scores fills by what the price did next: a run that is picked off scores far lower than one that pairs at a profit', async () => {
    // paired: each window buys Up at 0.48, then Down at 0.49 30 s later (a pair for 0.97 pays 1.00)
    const paired = await windowRun(
      'p',
      [1, 2, 3, 4, 5, 6].flatMap(
        (w) =>
          [
            [w, 'Up', 0.48, w * 1000, 'MM', 0.52],
            [w, 'Down', 0.49, w * 1000 + 30, 'MM', -0.49],
          ] as [number, 'Up' | 'Down', number, number, string, number][],
      ),
      {
        totalPnl: '1.8',
        totalOrders: 12,
        totalFills: 12,
        maxDrawdown: '1',
        maxCapitalDeployed: '60',
      },
    );
    // picked off: Up fills at 0.50, then the bot pays 0.58 for Down to hedge a minute later (Up is then
    // worth about 0.42); window 6 stays one-sided and its next Up fill is at 0.45; in window 7 the Down
    // fill comes 200 s later, past the 120 s horizon, so that Up fill is not marked
    const picked = await windowRun(
      'q',
      [
        ...[1, 2, 3, 4, 5].flatMap(
          (w) =>
            [
              [w, 'Up', 0.5, w * 1000, 'MM', w <= 2 ? -5 : 5],
              [w, 'Down', 0.58, w * 1000 + 60, 'hedge', w <= 2 ? 4.2 : -5.8],
            ] as [number, 'Up' | 'Down', number, number, string, number][],
        ),
        [6, 'Up', 0.5, 6000, 'MM', -5],
        [6, 'Up', 0.45, 6090, 'MM', -4.5],
        [7, 'Up', 0.5, 7000, 'MM', 5],
        [7, 'Down', 0.4, 7200, 'MM', -4],
      ],
      { totalPnl: '-14.5', totalOrders: 14, totalFills: 14, maxDrawdown: '20', maxCapitalDeployed: '80' },
    );

    // run/stop answered at once, from aggregates: the fill-based scores come with the full analysis
    expect(picked.answered['scores']).toMatchObject({ spreadCapture: null, inventory: null, hedging: null });
    const good = await completed(paired.answered['analysisId']);
    const bad = await completed(picked.answered['analysisId']);
    const scores = (a: Json) =>
      a['scores'] as Record<string, { score: number; inputs: Json; formula: string } | null>;

    expect(scores(good)['spreadCapture']).toMatchObject({
      score: 99.8,
      inputs: {
        quotingFills: 12,
        markedFills: 6,
        markedShares: '60',
        spreadPerShare: 0.03,
        adverseSelectionPerShare: 0,
        netEdgePerShare: 0.03,
        pairedShares: '60',
        pairEdgePerPairedShare: 0.03,
      },
    });
    expect(scores(good)['inventory']).toMatchObject({
      score: 100,
      inputs: { windows: 6, oneSidedWindows: 0, unpairedShares: '0' },
    });
    expect(scores(good)['hedging']).toBeNull();
    expect(good['notes']).toContain('No hedge fills (strategy "hedge…"): hedging is not scored.');

    expect(scores(bad)['spreadCapture']).toMatchObject({
      score: 0,
      inputs: {
        quotingFills: 9,
        markedFills: 6,
        markedShares: '60',
        spreadPerShare: 0,
        adverseSelectionPerShare: 0.075,
        netEdgePerShare: -0.075,
        pairedShares: '10',
        pairEdgePerPairedShare: 0.1,
      },
    });
    expect(scores(bad)['inventory']).toMatchObject({
      score: 71.4,
      inputs: {
        windows: 7,
        oneSidedWindows: 1,
        shares: '140',
        unpairedShares: '20',
        unpairedCost: '9.5',
        oneSidedShare: 0.1429,
      },
    });
    expect(scores(bad)['hedging']).toMatchObject({
      score: 60,
      inputs: {
        hedgeFills: 5,
        hedgeShares: '50',
        hedgeCost: '29',
        hedgePnl: '-9',
        hedgedWindows: 5,
        hedgedWindowsPnl: '-4',
        pairedShares: '50',
        avgPairCost: 1.08,
        premiumPerShare: 0.08,
      },
    });
    expect(scores(bad)['risk']).toMatchObject({
      score: 80,
      inputs: { maxLossPct: 0.2, lossLimit: 100, limitUsed: 0.2 },
    });
    expect(bad['overallScore']).toBeLessThan((good['overallScore'] as number) - 40);
    expect(bad['formula']).toContain(
      'weights spreadCapture 0.3, inventory 0.2, hedging 0.1, risk 0.2, capitalReturn 0.2',
    );
    // the run lists the full analysis' score, not the stop's quick one
    const run = (await t.admin('GET', `/api/v1/runs/${picked.runId}`)).body;
    expect(run['overallScore']).toBe(bad['overallScore']);
    expect(bad['overallScore']).not.toBe(picked.answered['overallScore']);
  });
});
