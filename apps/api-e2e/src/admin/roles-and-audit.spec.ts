import fc from 'fast-check';
import { sql, waitFor } from '../back-office/loopback';
import { playSession } from '../back-office/session';
import { Json, startTestApi, TestApi } from '../support/api';

type Scope = 'bot' | 'viewer' | 'operator' | 'admin';
type Call = TestApi['admin'];

interface AuditEntry {
  id: number;
  at: string;
  apiKeyId: number | null;
  apiKeyName: string | null;
  scope: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: Json | null;
  after: Json | null;
  requestId: string | null;
}

const SMTP_PASSWORD = 'SmtpPassw0rd-h4-secret';
const WEBHOOK_TOKEN = 'XoxbWebhookToken-h4-secret';
const RPC_KEY = 'RpcProviderKey-h4-secret';

describe('roles (viewer, operator) and the audit trail', () => {
  let t: TestApi;
  const keys: Record<Scope, { id: number; secret: string; name: string }> = {} as Record<
    Scope,
    { id: number; secret: string; name: string }
  >;
  const secrets: string[] = [];
  const as =
    (scope: Scope): Call =>
    <T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      t.raw<T>(method, path, { key: keys[scope].secret, body, headers });
  const audit = async (query = ''): Promise<AuditEntry[]> => {
    const response = await t.admin<{ items: AuditEntry[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/audit?limit=500${query}`,
    );
    expect(response.status).toBe(200);
    return response.body.items;
  };
  const newEntries = async (sinceId: number, action?: string): Promise<AuditEntry[]> =>
    (await audit(action ? `&action=${action}` : '')).filter((entry) => entry.id > sinceId);
  const lastId = async (): Promise<number> => (await audit())[0]?.id ?? 0;

  beforeAll(async () => {
    t = await startTestApi('roles_audit', { OUTBOX_POLL_MS: '100' });
    const me = (await t.admin('GET', '/api/v1/me')).body;
    keys.admin = { id: me['apiKeyId'] as number, secret: t.api.adminKey, name: me['name'] as string };
    keys.bot = { id: 0, secret: t.api.botKey, name: 'bot' };
    for (const scope of ['viewer', 'operator'] as const) {
      const created = await t.admin('POST', '/api/v1/api-keys', { name: `${scope} key`, scope });
      expect(created.status).toBe(201);
      const secret = created.body['secret'] as string;
      expect(secret.startsWith(`pmk_${scope}_`)).toBe(true);
      secrets.push(secret);
      keys[scope] = { id: (created.body['apiKey'] as Json)['id'] as number, secret, name: `${scope} key` };
    }
    secrets.push(t.api.adminKey, t.api.botKey);
  });
  afterAll(() => t?.stop());

  it('GET /me names the key, its scope and what it may do; bot keys get 403 on the admin API', async () => {
    const viewer = (await as('viewer')('GET', '/api/v1/me')).body;
    expect(viewer).toMatchObject({ apiKeyId: keys.viewer.id, name: 'viewer key', scope: 'viewer' });
    expect(viewer['permissions']).toEqual(['read', 'audit.read']);
    const operator = (await as('operator')('GET', '/api/v1/me')).body['permissions'] as string[];
    expect(operator).toEqual(
      expect.arrayContaining([
        'read',
        'configs.activate',
        'configs.rollback',
        'configs.pause',
        'suggestions.apply',
      ]),
    );
    expect(operator).not.toContain('keys.manage');
    expect(operator).not.toContain('channels.manage');
    expect(operator).not.toContain('settings.manage');
    const admin = (await t.admin('GET', '/api/v1/me')).body['permissions'] as string[];
    expect(admin).toEqual(
      expect.arrayContaining([...operator, 'keys.manage', 'channels.manage', 'settings.manage']),
    );
    const bot = await as('bot')('GET', '/api/v1/me');
    expect(bot.status).toBe(403);
    expect(bot.body['message']).toMatch(/scope "bot".*needs scope "viewer"/);
  });

  it('lets each scope reach exactly its routes (a matrix of representative routes), writing nothing on a refusal', async () => {
    type Need = Scope | 'bot-route';
    // Writes carry bodies that fail validation (or name nothing): a key that passes the scope check
    // gets a 4xx other than 401/403 and nothing changes, so the matrix leaves no trace.
    const routes: [string, string, unknown, Need][] = [
      ['GET', '/api/v1/runs', undefined, 'viewer'],
      ['GET', '/api/v1/trades', undefined, 'viewer'],
      ['GET', '/api/v1/configs', undefined, 'viewer'],
      ['GET', '/api/v1/configs/1/activation-preview', undefined, 'viewer'],
      ['GET', '/api/v1/analyses', undefined, 'viewer'],
      ['GET', '/api/v1/wallet', undefined, 'viewer'],
      ['GET', '/api/v1/notifications', undefined, 'viewer'],
      ['GET', '/api/v1/audit', undefined, 'viewer'],
      ['GET', '/api/v1/audit/export.csv', undefined, 'viewer'],
      ['GET', '/api/v1/retention', undefined, 'viewer'],
      ['POST', '/api/v1/configs/validate', { values: { mode: 'live' } }, 'viewer'],
      ['POST', '/api/v1/configs', { values: 'not an object' }, 'operator'],
      ['POST', '/api/v1/configs/pause', { paused: 'maybe' }, 'operator'],
      ['POST', '/api/v1/configs/999999/activate', undefined, 'operator'],
      ['POST', '/api/v1/configs/rollback', { toVersion: 0 }, 'operator'],
      ['POST', '/api/v1/analyses/999999/apply', {}, 'operator'],
      ['POST', '/api/v1/runs/999999/analyses', undefined, 'operator'],
      ['POST', '/api/v1/notifications/999999/read', undefined, 'operator'],
      ['GET', '/api/v1/api-keys', undefined, 'admin'],
      ['POST', '/api/v1/api-keys', { name: '', scope: 'viewer' }, 'admin'],
      ['POST', '/api/v1/api-keys/999999/revoke', undefined, 'admin'],
      ['GET', '/api/v1/notification-channels', undefined, 'admin'],
      ['PUT', '/api/v1/notification-channels/email', { to: 'not a list' }, 'admin'],
      ['PUT', '/api/v1/notification-channels/webhook', { format: 'nope' }, 'admin'],
      ['PUT', '/api/v1/wallet/settings', { watchAddress: 'nope' }, 'admin'],
      ['PUT', '/api/v1/retention', { metricRetentionDays: -1 }, 'admin'],
      ['GET', '/api/bot/config', undefined, 'bot-route'],
      ['POST', '/api/bot/run/stop', { runId: 'x' }, 'bot-route'],
    ];
    const allowed = (scope: Scope, need: Need): boolean => {
      if (need === 'bot-route') return scope === 'bot' || scope === 'admin';
      const rank = { bot: -1, viewer: 1, operator: 2, admin: 3 } as const;
      return scope !== 'bot' && rank[scope] >= rank[need];
    };
    const before = await sql<{ n: string }>(
      t.databaseUrl,
      'select (select count(*) from audit_entries) + (select count(*) from config_versions) + (select count(*) from api_keys) as n',
    );
    const problems: string[] = [];
    for (const [method, path, body, need] of routes) {
      for (const scope of ['bot', 'viewer', 'operator', 'admin'] as const) {
        const response = await as(scope)(method, path, body);
        const ok = allowed(scope, need);
        if (ok && (response.status === 401 || response.status === 403 || response.status >= 500)) {
          problems.push(`${scope} ${method} ${path}: ${response.status} (should pass the scope check)`);
        }
        if (!ok) {
          if (response.status !== 403)
            problems.push(`${scope} ${method} ${path}: ${response.status} (should be 403)`);
          const message = String(response.body?.['message'] ?? '');
          if (!message.includes(`scope "${scope}"`))
            problems.push(
              `${scope} ${method} ${path}: 403 message does not name the key's scope: ${message}`,
            );
          const needed = need === 'bot-route' ? 'bot' : `scope "${need}"`;
          if (!message.includes(needed))
            problems.push(
              `${scope} ${method} ${path}: 403 message does not name the needed scope: ${message}`,
            );
        }
      }
    }
    expect(problems).toEqual([]);
    const after = await sql<{ n: string }>(
      t.databaseUrl,
      'select (select count(*) from audit_entries) + (select count(*) from config_versions) + (select count(*) from api_keys) as n',
    );
    expect(after[0].n).toBe(before[0].n);
  });

  it("apply-suggestions builds on the ACTIVE version (not the run's), keeps its pauseOrders, and the operator can do it", async () => {
    // vA: the config the run starts with
    const vA = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: 1,
        values: { mmSpreadMin: 0.04, mmSpreadMax: 0.08, mmOrderSize: 10 },
        activate: true,
      })
    ).body;
    const { stop } = await playSession(t.bot, t.databaseUrl, {
      configId: vA['id'] as number,
      trades: 200,
      fills: 30,
      pnlPerFill: 0.1,
      minutes: 45,
    });
    // the suggestions come with the full analysis, an outbox job after the stop
    const analysis = await waitFor('the full analysis', async () => {
      const stored = (
        await t.admin('GET', `/api/v1/analyses/${String((stop?.body['analysis'] as Json)['analysisId'])}`)
      ).body;
      return stored['state'] === 'complete' ? stored : null;
    });
    const suggestion = ((analysis['suggestions'] as Json)['items'] as Json[]).find(
      (item) => item['key'] === 'mmSpreadMin',
    );
    expect(suggestion).toMatchObject({ current: 0.04, suggested: 0.032 });
    // v2: later changes, made active; then the operator pauses (v3)
    const v2 = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: vA['id'],
        values: { hedgeMinProfit: 0.01, customKnob: 'from v2', maxLossPct: 0.1 },
        activate: true,
      })
    ).body;
    const paused = await as('operator')('POST', '/api/v1/configs/pause', { paused: true });
    expect(paused.status).toBe(200);
    const v3 = paused.body;
    expect(v3).toMatchObject({ isActive: true, basedOnId: v2['id'], values: { pauseOrders: true } });
    expect((await t.bot('GET', '/api/bot/config')).body).toMatchObject({ id: v3['id'], pauseOrders: true });

    const since = await lastId();
    const applied = await as('operator')(
      'POST',
      `/api/v1/analyses/${analysis['analysisId']}/apply`,
      { suggestionIds: [suggestion?.['id']] },
      { 'X-Request-Id': 'h4-apply-0001' },
    );
    expect(applied.status).toBe(201);
    const v4 = applied.body['config'] as Json;
    expect(v4).toMatchObject({ basedOnId: v3['id'], isActive: false, source: 'suggestion' });
    expect(v4['values']).toMatchObject({
      mmSpreadMin: 0.032,
      hedgeMinProfit: 0.01,
      customKnob: 'from v2',
      maxLossPct: 0.1,
      pauseOrders: true,
    });

    // the preview names the one changed key and says pauseOrders stays
    const preview = (await as('viewer')('GET', `/api/v1/configs/${v4['id']}/activation-preview`)).body;
    expect(preview).toMatchObject({
      configId: v4['id'],
      activeConfigId: v3['id'],
      alreadyActive: false,
      changedKeys: ['mmSpreadMin'],
      changesMode: false,
      changesPauseOrders: false,
      pauseOrders: { from: true, to: true },
      mode: { from: 'dry_run', to: 'dry_run' },
    });
    expect(preview['changes']).toEqual([{ key: 'mmSpreadMin', change: 'changed', from: 0.04, to: 0.032 }]);

    // activating it keeps the bots paused
    expect((await as('operator')('POST', `/api/v1/configs/${v4['id']}/activate`)).status).toBe(200);
    expect((await t.bot('GET', '/api/bot/config')).body).toMatchObject({
      id: v4['id'],
      pauseOrders: true,
      mmSpreadMin: 0.032,
      customKnob: 'from v2',
    });

    const entries = await newEntries(since);
    const appliedEntry = entries.find((entry) => entry.action === 'suggestions.applied');
    expect(appliedEntry).toMatchObject({
      apiKeyId: keys.operator.id,
      apiKeyName: 'operator key',
      scope: 'operator',
      targetType: 'analysis',
      targetId: String(analysis['analysisId']),
      requestId: 'h4-apply-0001',
      before: { activeConfigId: v3['id'], runConfigId: vA['id'] },
      after: { configId: v4['id'], basedOnId: v3['id'] },
    });
    expect(entries.filter((entry) => entry.action === 'suggestions.applied')).toHaveLength(1);
    expect(entries.filter((entry) => entry.action === 'config.created')).toHaveLength(0); // one entry per change
    expect(appliedEntry?.after?.['values']).toMatchObject({ mmSpreadMin: 0.032, pauseOrders: true });
    expect(entries.find((entry) => entry.action === 'config.activated')).toMatchObject({
      apiKeyId: keys.operator.id,
      targetId: String(v4['id']),
      before: { activeConfigId: v3['id'], values: { mmSpreadMin: 0.04 } },
      after: { activeConfigId: v4['id'], values: { mmSpreadMin: 0.032 } },
    });
  });

  it('previews activations and rollbacks: the keys that change, and whether mode or pauseOrders does', async () => {
    const active = (await t.admin('GET', '/api/v1/configs/active')).body;
    expect(active['values']).toMatchObject({ pauseOrders: true });
    // a version that is not paused: activating it would resume trading
    const unpaused = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: active['id'],
        values: { pauseOrders: false, mode: 'live' },
      })
    ).body;
    const preview = (await as('viewer')('GET', `/api/v1/configs/${unpaused['id']}/activation-preview`)).body;
    expect(preview).toMatchObject({
      changedKeys: ['mode', 'pauseOrders'],
      changesMode: true,
      mode: { from: 'dry_run', to: 'live' },
      changesPauseOrders: true,
      pauseOrders: { from: true, to: false },
    });
    // the active version against itself changes nothing
    expect(
      (await as('viewer')('GET', `/api/v1/configs/${active['id']}/activation-preview`)).body,
    ).toMatchObject({ alreadyActive: true, changedKeys: [], changesMode: false, changesPauseOrders: false });
    // rollback preview: default target is the version active before the current one (paused v3)
    const rollback = (await as('viewer')('GET', '/api/v1/configs/rollback-preview')).body;
    expect(rollback).toMatchObject({
      activeConfigId: active['id'],
      changedKeys: ['mmSpreadMin'],
      changesPauseOrders: false,
    });
    const named = (await as('viewer')('GET', '/api/v1/configs/rollback-preview?toVersion=1')).body;
    expect(named).toMatchObject({
      configId: 1,
      changesPauseOrders: true,
      pauseOrders: { from: true, to: false },
    });
    expect(named['changedKeys']).toEqual(
      expect.arrayContaining(['customKnob', 'hedgeMinProfit', 'mmSpreadMin', 'pauseOrders']),
    );
    for (const bad of ['toVersion=0', 'toVersion=abc', 'toVersion=99999999999999999999']) {
      const response = await as('viewer')('GET', `/api/v1/configs/rollback-preview?${bad}`);
      expect(response.status).toBe(400);
    }
    expect((await as('viewer')('GET', '/api/v1/configs/999999/activation-preview')).status).toBe(404);
  });

  it('records one audit entry per operation: pause, resume, activate, roll back, create', async () => {
    const operator = as('operator');
    const cases: [string, () => Promise<{ status: number; body: Json }>][] = [
      ['config.rolled-back', () => operator('POST', '/api/v1/configs/rollback', {})],
      ['config.resumed', () => operator('POST', '/api/v1/configs/pause', { paused: false })],
      ['config.paused', () => operator('POST', '/api/v1/configs/pause', { paused: true })],
      [
        'config.created',
        () =>
          operator('POST', '/api/v1/configs', {
            basedOnId: 1,
            values: { mmSpreadMin: 0.03 },
            note: 'by the operator',
          }),
      ],
      ['config.activated', () => operator('POST', '/api/v1/configs/1/activate')],
    ];
    for (const [action, run] of cases) {
      const since = await lastId();
      const before = (await t.admin('GET', '/api/v1/configs/active')).body;
      const response = await run();
      expect([200, 201]).toContain(response.status);
      const entries = (await newEntries(since)).filter((entry) => entry.action === action);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        apiKeyId: keys.operator.id,
        apiKeyName: 'operator key',
        scope: 'operator',
        targetType: 'config',
      });
      expect(entries[0].requestId).toMatch(/\S/);
      if (action === 'config.created') {
        expect(entries[0]).toMatchObject({
          before: null,
          after: { configId: response.body['id'], note: 'by the operator', values: { mmSpreadMin: 0.03 } },
        });
      } else {
        expect(entries[0].before).toMatchObject({ activeConfigId: before['id'] });
        expect(entries[0].after).toMatchObject({ activeConfigId: response.body['id'] });
      }
      if (action === 'config.resumed')
        expect(entries[0]).toMatchObject({
          before: { values: { pauseOrders: true } },
          after: { values: { pauseOrders: false } },
        });
      if (action === 'config.paused')
        expect(entries[0]).toMatchObject({
          before: { values: { pauseOrders: false } },
          after: { values: { pauseOrders: true } },
        });
    }
    // a pause while paused changes nothing and records nothing
    const since = await lastId();
    expect((await operator('POST', '/api/v1/configs/pause', { paused: true })).status).toBe(200);
    expect((await operator('POST', '/api/v1/configs/pause', { paused: true })).status).toBe(200);
    expect((await newEntries(since)).map((entry) => entry.action)).toEqual(['config.paused']);
  });

  it('records key, channel, wallet and retention changes by the admin, with every secret redacted', async () => {
    const admin = t.admin;
    const since = await lastId();
    const created = await admin('POST', '/api/v1/api-keys', { name: 'ci reader', scope: 'viewer' });
    secrets.push(created.body['secret'] as string);
    const createdId = (created.body['apiKey'] as Json)['id'] as number;
    const rotated = await admin('POST', `/api/v1/api-keys/${createdId}/rotate`, { graceMinutes: 5 });
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body['secret'] as string);
    const rotatedId = (rotated.body['apiKey'] as Json)['id'] as number;
    expect((await admin('POST', `/api/v1/api-keys/${rotatedId}/revoke`)).status).toBe(200);
    const chosen = 'chosen-operator-key-value-h4-0001';
    secrets.push(chosen);
    expect(
      (await admin('POST', '/api/v1/api-keys', { name: 'chosen', scope: 'operator', value: chosen })).status,
    ).toBe(201);
    expect(
      (
        await admin('PUT', '/api/v1/notification-channels/email', {
          smtpUrl: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525`,
          to: ['ops@example.com'],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin('PUT', '/api/v1/notification-channels/webhook', {
          url: `https://hooks.example.com/services/T000/${WEBHOOK_TOKEN}`,
          format: 'slack',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin('PUT', '/api/v1/notification-channels/email', {
          smtpUrl: `smtp://mailer:${SMTP_PASSWORD}2@127.0.0.1:2525`,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin('PUT', '/api/v1/wallet/settings', {
          lowBalanceThreshold: '25',
          watchAddress: `0x${'ab'.repeat(20)}`,
          rpcUrl: `https://rpc.example.com/v2/${RPC_KEY}`,
        })
      ).status,
    ).toBe(200);
    expect((await admin('PUT', '/api/v1/retention', { metricRetentionDays: 45 })).status).toBe(200);
    // an unchanged setting is not a change
    expect((await admin('PUT', '/api/v1/retention', { metricRetentionDays: 45 })).status).toBe(200);
    // a refused change records nothing
    const lastAdmin = await admin('POST', `/api/v1/api-keys/${keys.admin.id}/revoke`);
    expect(lastAdmin.status).toBe(409);

    const entries = (await newEntries(since)).reverse();
    expect(entries.map((entry) => entry.action)).toEqual([
      'api-key.created',
      'api-key.rotated',
      'api-key.revoked',
      'api-key.created',
      'channel.email.updated',
      'channel.webhook.updated',
      'channel.email.updated',
      'wallet.settings.updated',
      'retention.updated',
    ]);
    for (const entry of entries)
      expect(entry).toMatchObject({ apiKeyId: keys.admin.id, scope: 'admin', apiKeyName: keys.admin.name });
    expect(entries[0]).toMatchObject({
      targetType: 'api-key',
      targetId: String(createdId),
      before: null,
      after: { name: 'ci reader', scope: 'viewer', active: true },
    });
    expect(entries[1]).toMatchObject({
      targetId: String(createdId),
      before: { active: true },
      after: { new: { id: rotatedId, rotatedFromId: createdId }, graceMinutes: 5 },
    });
    expect(entries[2]).toMatchObject({
      targetId: String(rotatedId),
      before: { active: true, revokedAt: null },
      after: { active: false },
    });
    expect(entries[4]).toMatchObject({
      targetType: 'channel',
      targetId: 'email',
      after: { to: ['ops@example.com'], smtpUrl: 'smtp://mailer:***@127.0.0.1:2525' },
    });
    expect(entries[4].after?.['changedFields']).toEqual(expect.arrayContaining(['smtpUrl', 'to']));
    expect(entries[5]).toMatchObject({ targetId: 'webhook', after: { format: 'slack' } });
    // a new password shows as a change without being shown
    expect(entries[6]).toMatchObject({
      before: { smtpUrl: 'smtp://mailer:***@127.0.0.1:2525' },
      after: { smtpUrl: 'smtp://mailer:***@127.0.0.1:2525', changedFields: ['smtpUrl'] },
    });
    expect(entries[7]).toMatchObject({
      targetType: 'wallet',
      after: {
        lowBalanceThreshold: '25',
        watchAddress: `0x${'ab'.repeat(20)}`,
        rpcUrl: 'rpc.example.com (host only)',
      },
    });
    expect(entries[8]).toMatchObject({ targetType: 'retention', after: { metricRetentionDays: 45 } });

    // no secret anywhere in the audit table: key values, their hashes, the SMTP password, the tokens
    const hashes = (await sql<{ hash: string }>(t.databaseUrl, 'select hash from api_keys')).map(
      (row) => row.hash,
    );
    const table = JSON.stringify(await sql(t.databaseUrl, 'select * from audit_entries'));
    const csv = (await t.admin('GET', '/api/v1/audit/export.csv')).text;
    for (const secret of [...secrets, ...hashes, SMTP_PASSWORD, WEBHOOK_TOKEN, RPC_KEY]) {
      expect(table).not.toContain(secret);
      expect(csv).not.toContain(secret);
    }
  });

  it('filters and pages the trail newest first, and refuses bad filters with 400s', async () => {
    const all = await audit();
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((entry) => entry.id)).toEqual([...all.map((entry) => entry.id)].sort((a, b) => b - a));
    // keyset paging walks every entry once
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: AuditEntry[]; nextCursor: string | null } } = await as(
        'viewer',
      )('GET', `/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((entry) => entry.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((entry) => entry.id));

    const paused = await audit('&action=config.paused');
    expect(paused.length).toBeGreaterThan(0);
    expect(paused.every((entry) => entry.action === 'config.paused')).toBe(true);
    const byOperator = await audit(`&apiKeyId=${keys.operator.id}`);
    expect(byOperator.length).toBe(all.filter((entry) => entry.apiKeyId === keys.operator.id).length);
    expect(byOperator.every((entry) => entry.apiKeyId === keys.operator.id)).toBe(true);
    const middle = all[Math.floor(all.length / 2)];
    const fromMiddle = await audit(`&from=${encodeURIComponent(middle.at)}`);
    expect(fromMiddle.every((entry) => entry.at >= middle.at)).toBe(true);
    expect(fromMiddle.map((entry) => entry.id)).toContain(middle.id);
    expect(await audit(`&to=${encodeURIComponent(middle.at)}`)).toEqual(
      all.filter((entry) => entry.at < middle.at),
    );
    expect(await audit('&from=2999-01-01T00:00:00Z')).toEqual([]);

    for (const bad of [
      'action=nope',
      'apiKeyId=abc',
      'apiKeyId=0',
      'apiKeyId=99999999999999999999',
      'from=yesterday',
      'from=0000-01-01',
      'to=2026-02-30T00:00:00Z',
      'from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
      'limit=0',
      'limit=501',
      'cursor=abc',
      'cursor=99999999999999999999',
      'unknown=1',
    ]) {
      const response = await as('viewer')('GET', `/api/v1/audit?${bad}`);
      expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
      expect(response.body['message']).toEqual(expect.any(String));
      const exported = await as('viewer')('GET', `/api/v1/audit/export.csv?${bad}`);
      expect({ bad, status: exported.status }).toEqual({ bad, status: 400 });
    }
  });

  it('answers any audit filter value with a 200 or a 400, never a 5xx (property-based)', async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '',
        '%00',
        '1e20',
        '-1',
        '0x10',
        'NaN',
        '9'.repeat(30),
        '2026-02-30',
        '0000-01-01',
        '2026-12-01T00:00:00+99:00',
        '[]',
        '{}',
      ),
      fc.integer().map(String),
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    );
    const param = fc.constantFrom('action', 'apiKeyId', 'from', 'to', 'limit', 'cursor');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(param, hostile), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (pairs, csv) => {
          const query = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
          const response = await as('viewer')('GET', `/api/v1/audit${csv ? '/export.csv' : ''}?${query}`);
          return response.status === 200 || response.status === 400;
        },
      ),
      { numRuns: 80 },
    );
    expect((await t.raw('GET', '/health')).status).toBe(200);
  });

  it('exports the trail as CSV with the formula guard, filters included', async () => {
    // a key whose name is a spreadsheet formula acts once: its name lands in the apiKeyName column
    const formula = "-1+cmd|' /C calc'!A0";
    const sneaky = await t.admin('POST', '/api/v1/api-keys', { name: formula, scope: 'operator' });
    secrets.push(sneaky.body['secret'] as string);
    const created = await t.raw('POST', '/api/v1/configs', {
      key: sneaky.body['secret'] as string,
      body: { basedOnId: 1, values: { mmSpreadMin: 0.021 }, note: '=HYPERLINK("http://example.com")' },
    });
    expect(created.status).toBe(201);

    const response = await as('viewer')('GET', '/api/v1/audit/export.csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toContain('audit.csv');
    const lines = response.text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'id,at,apiKeyId,apiKeyName,scope,action,targetType,targetId,before,after,requestId',
    );
    expect(lines).toHaveLength((await audit()).length + 1);
    const sneakyLine = lines.find((line) => line.includes(',config.created,') && line.includes('calc'));
    expect(sneakyLine).toContain(`,'${formula},`); // neutralised with a leading quote
    expect(sneakyLine).not.toMatch(/,-1\+cmd/);

    const filtered = (await as('viewer')('GET', '/api/v1/audit/export.csv?action=config.paused')).text
      .trimEnd()
      .split('\n');
    expect(filtered.slice(1).every((line) => line.includes(',config.paused,'))).toBe(true);
    expect(filtered.length - 1).toBe((await audit('&action=config.paused')).length);
  });

  it('keeps config keys named like JavaScript built-ins (constructor, toString) and refuses __proto__ with a 400', async () => {
    const created = await as('operator')('POST', '/api/v1/configs', {
      basedOnId: 1,
      values: {
        constructor: 'kept',
        toString: 'kept too',
        valueOf: 3,
        prototype: 'p',
        futureKey: { constructor: { nested: true } },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body['values']).toMatchObject({
      constructor: 'kept',
      toString: 'kept too',
      valueOf: 3,
      prototype: 'p',
    });
    expect(JSON.stringify(created.body['values'])).toContain('"futureKey":{"constructor":{"nested":true}}');
    const id = created.body['id'] as number;
    const stored = (await t.admin('GET', `/api/v1/configs/${id}`)).body['values'] as Json;
    expect(Object.keys(stored)).toEqual(expect.arrayContaining(['constructor', 'toString', 'valueOf']));
    const diff = (await t.admin<{ changes: Json[] }>('GET', `/api/v1/configs/diff?from=1&to=${id}`)).body
      .changes;
    expect(diff).toEqual(
      expect.arrayContaining([
        { key: 'constructor', change: 'added', from: null, to: 'kept' },
        { key: 'toString', change: 'added', from: null, to: 'kept too' },
      ]),
    );
    const preview = (await t.admin('GET', `/api/v1/configs/${id}/activation-preview`)).body;
    expect(preview['changedKeys']).toEqual(expect.arrayContaining(['constructor', 'toString', 'valueOf']));
    const validated = (
      await t.admin('POST', '/api/v1/configs/validate', { values: { constructor: 1, hasOwnProperty: 'x' } })
    ).body;
    expect(validated).toMatchObject({ valid: true, values: { constructor: 1, hasOwnProperty: 'x' } });
    // the bots get them too once active
    expect((await t.admin('POST', `/api/v1/configs/${id}/activate`)).status).toBe(200);
    expect((await t.bot('GET', '/api/bot/config')).body).toMatchObject({
      id,
      constructor: 'kept',
      toString: 'kept too',
    });

    const count = (await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items.length;
    const proto = await t.raw('POST', '/api/v1/configs', {
      key: t.api.adminKey,
      rawBody: '{"basedOnId":1,"values":{"__proto__":{"pauseOrders":true}}}',
    });
    expect(proto.status).toBe(400);
    const protoUpdate = await t.raw('POST', '/api/v1/configs', {
      key: t.api.adminKey,
      rawBody: '{"values":{"mode":"live","__proto__":1}}',
    });
    expect(protoUpdate.status).toBe(400);
    const deep = `{"values":{"futureKey":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const nested = await t.raw('POST', '/api/v1/configs', { key: t.api.adminKey, rawBody: deep });
    expect(nested.status).toBe(400);
    expect(nested.body['message']).toMatch(/nest|deep|depth/i);
    expect(
      (await t.raw('POST', '/api/v1/configs/validate', { key: t.api.adminKey, rawBody: deep })).status,
    ).toBe(400);
    expect((await t.admin<{ items: Json[] }>('GET', '/api/v1/configs')).body.items).toHaveLength(count);
  });
});
