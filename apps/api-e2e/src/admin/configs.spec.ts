import { Json, startTestApi, TestApi } from '../support/api';

const CONTRACT_KEYS =
  `mode, targetAssets, windowDurations, kellyBankroll, sessionBudget, budgetPerMarket, mmSpreadMin, mmSpreadMax,
mmOrderSize, maxConcurrentWindows, maxOrderSessions, maxLossPct, lossCooldownSec, reserveRatio, mmEnabled, arbEnabled,
sniperEnabled, contrarianEnabled, preExitEnabled, mmBudget, arbBudget, sniperBudget, contrarianBudget, arbMinProfit,
arbMaxSize, hedgeEnabled, hedgeMinProfit, hedgeTier1Pct, hedgeTier1Cost, hedgeTier2Pct, hedgeTier2Cost, hedgeTier3Pct,
hedgeTier3Cost, hedgeT4Enabled, hedgeTier4Pct, hedgeTier4MaxLoss, momentumExitEnabled, momentumExitThreshold,
momentumExitMaxWait, maxOrderHorizon, pauseOrders, momentumGate, momentumGateMaxConsec, minBookDepth, maxSpreadAsymmetry,
midpointSkewLimit, momentumGateScaleBtc, momentumGateScaleEth, momentumGateScaleSol, momentumGateScaleXrp,
tradingBlackoutWindows, simFillRate, tradeAdvanceWindows`
    .split(',')
    .map((key) => key.trim());

describe('config versions', () => {
  let t: TestApi;
  const botConfig = async () => (await t.bot('GET', '/api/bot/config')).body;

  beforeAll(async () => {
    t = await startTestApi('configs');
  });
  afterAll(() => t?.stop());

  it('starts a fresh database with version 1, active, built from the schema defaults', async () => {
    const versions = (await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ id: 1, version: 1, isActive: true, source: 'defaults' });
    expect(await botConfig()).toMatchObject({
      id: 1,
      mode: 'dry_run',
      pauseOrders: false,
      hedgeTier1Pct: 67,
      hedgeTier1Cost: 1.03,
      momentumGateScaleSol: 1.8,
      maxLossPct: 0.2,
      maxConcurrentWindows: 4,
      targetAssets: ['BTC', 'ETH', 'SOL', 'XRP'],
    });
  });

  it('serves a schema with every contract key, with type, default, bounds and description', async () => {
    const schema = (
      await t.admin<{ keys: Json[]; additionalKeysAllowed: boolean }>('GET', '/api/v1/config-schema')
    ).body;
    expect(schema.keys.map((key) => key['key']).sort()).toEqual([...CONTRACT_KEYS].sort());
    for (const key of schema.keys) {
      expect(key).toEqual(
        expect.objectContaining({
          type: expect.any(String),
          description: expect.any(String),
          group: expect.any(String),
        }),
      );
      expect(key).toHaveProperty('default');
    }
    expect(schema.keys.find((key) => key['key'] === 'mmSpreadMin')).toMatchObject({
      type: 'number',
      min: 0,
      max: 0.5,
    });
    expect(schema.additionalKeysAllowed).toBe(true);
  });

  it('validates without saving, naming each bad key', async () => {
    const result = await t.admin('POST', '/api/v1/configs/validate', {
      values: { mmSpreadMin: 0.7, mode: 'yolo', maxConcurrentWindows: 2.5, futureKey: { any: 'thing' } },
    });
    expect(result.status).toBe(200);
    expect(result.body['valid']).toBe(false);
    expect((result.body['problems'] as Json[]).map((p) => p['field']).sort()).toEqual([
      'maxConcurrentWindows',
      'mmSpreadMin',
      'mode',
    ]);
    expect((await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items).toHaveLength(1);
  });

  it('creates versions from an earlier one, activates, diffs and rolls back; bots follow', async () => {
    const created = await t.admin('POST', '/api/v1/configs', {
      basedOnId: 1,
      values: {
        mmSpreadMin: '0.02',
        mmSpreadMax: 0.05,
        targetAssets: 'btc, eth',
        customFlag: 'kept',
        maxLossPct: null,
      },
      note: 'tighter spreads',
    });
    expect(created.status).toBe(201);
    const v2 = created.body;
    expect(v2).toMatchObject({ id: 2, isActive: false, basedOnId: 1, note: 'tighter spreads' });
    expect(v2['values']).toMatchObject({
      mmSpreadMin: 0.02,
      targetAssets: ['BTC', 'ETH'],
      customFlag: 'kept',
    });
    expect(v2['values']).not.toHaveProperty('maxLossPct');
    expect((await botConfig())['id']).toBe(1);

    const diff = (await t.admin<{ changes: Json[] }>('GET', '/api/v1/configs/diff?from=1&to=2')).body.changes;
    expect(diff).toEqual(
      expect.arrayContaining([
        { key: 'mmSpreadMin', change: 'added', from: null, to: 0.02 },
        { key: 'maxLossPct', change: 'removed', from: 0.2, to: null },
        { key: 'targetAssets', change: 'changed', from: ['BTC', 'ETH', 'SOL', 'XRP'], to: ['BTC', 'ETH'] },
      ]),
    );

    await t.admin('POST', '/api/v1/configs/2/activate');
    expect(await botConfig()).toMatchObject({ id: 2, mmSpreadMin: 0.02, customFlag: 'kept' });
    expect(await botConfig()).not.toHaveProperty('maxLossPct');

    const rolledBack = await t.admin('POST', '/api/v1/configs/rollback', {});
    expect(rolledBack.body).toMatchObject({ id: 1, isActive: true });
    expect((await botConfig())['id']).toBe(1);
    const history = (await t.admin<{ items: Json[] }>('GET', '/api/v1/configs/activations')).body.items;
    expect(history.map((h) => [h['action'], h['configId']])).toEqual([
      ['rollback', 1],
      ['activate', 2],
      ['initial', 1],
    ]);
  });

  it('refuses an invalid version and writes nothing', async () => {
    const before = (await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items.length;
    const bad = await t.admin('POST', '/api/v1/configs', {
      values: { mmSpreadMin: 0.3, mmSpreadMax: 0.1, id: 7 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/mmSpreadMin must not be above mmSpreadMax/);
    expect(bad.body['message']).toMatch(/id is set by the server/);
    expect((await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items.length).toBe(before);
    expect((await t.admin('POST', '/api/v1/configs/99/activate')).status).toBe(404);
  });

  it('keeps versions immutable: there is no way to change one', async () => {
    expect((await t.admin('PUT', '/api/v1/configs/1', { values: {} })).status).toBe(404);
    expect((await t.admin('PATCH', '/api/v1/configs/1', { values: {} })).status).toBe(404);
  });

  it('pauses and resumes every bot through the active config', async () => {
    const paused = await t.admin('POST', '/api/v1/configs/pause', { paused: true });
    expect(paused.body).toMatchObject({
      isActive: true,
      source: 'pause',
      values: expect.objectContaining({ pauseOrders: true }),
    });
    expect(await botConfig()).toMatchObject({ id: paused.body['id'], pauseOrders: true });
    expect((await t.bot('GET', '/api/bot/status')).body['activeConfig']).toMatchObject({ pauseOrders: true });
    const again = await t.admin('POST', '/api/v1/configs/pause', { paused: true });
    expect(again.body['id']).toBe(paused.body['id']);
    const resumed = await t.admin('POST', '/api/v1/configs/pause', { paused: false });
    expect(await botConfig()).toMatchObject({ id: resumed.body['id'], pauseOrders: false });
  });
});
