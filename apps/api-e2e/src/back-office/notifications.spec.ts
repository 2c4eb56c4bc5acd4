import { startTestApi, TestApi } from '../support/api';
import {
  LoopbackHttp,
  LoopbackSmtp,
  outboxSettled,
  sql,
  startSmtp,
  startWebhookReceiver,
  waitFor,
} from './loopback';
import { Json, playSession } from './session';

const PUBLIC_URL = 'https://cc.example.test';

describe('back office: run summaries and alerts by email, webhook and inbox', () => {
  let t: TestApi;
  let smtp: LoopbackSmtp;
  let hook: LoopbackHttp;
  const mailsFor = (runId: number) => smtp.mails.filter((mail) => mail.subject.includes(`Run #${runId} `));
  const hooksFor = (runId: number) => hook.requests.filter((request) => request.body['runId'] === runId);

  beforeAll(async () => {
    smtp = await startSmtp();
    hook = await startWebhookReceiver();
    t = await startTestApi('backoffice_notify', {
      SMTP_URL: smtp.url,
      NOTIFY_EMAIL_FROM: 'PolyMaker <cc@example.test>',
      NOTIFY_EMAIL_TO: 'ops@example.test,lead@example.test',
      WEBHOOK_URL: hook.url,
      PUBLIC_URL,
      NOTIFY_RETRY_BASE_SECONDS: '1',
      OUTBOX_POLL_MS: '100',
      RUN_STALE_AFTER: '60',
      RUN_STALE_CHECK_SECONDS: '1',
      WALLET_LOW_BALANCE: '50',
      WALLET_ALERT_COOLDOWN_MINUTES: '0', // two crossings a second apart are two alerts here (wallet.spec.ts tests the cooldown)
    });
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.close();
    await hook?.close();
  });

  it('ends a bot session with a stop carrying the analysis, then emails and posts the run summary', async () => {
    const { runId, stop } = await playSession(t.bot, t.databaseUrl, {
      trades: 6,
      fills: 4,
      pnlPerFill: 0.5,
      metrics: { totalPnl: 2, totalOrders: 6, totalFills: 4 },
    });
    expect(stop?.status).toBe(200);
    const analysis = stop?.body['analysis'] as Json;
    expect(analysis['overallScore']).toEqual(expect.any(Number));
    expect(analysis['analysisId']).toEqual(expect.any(Number));
    expect(analysis['state']).toBe('pending'); // the suggestions come with the full analysis, a job
    expect(analysis['suggestions']).toMatchObject({ status: 'pending', items: [] });
    expect((analysis['scores'] as Json)['risk']).toMatchObject({
      inputs: { bankroll: '500' },
      formula: expect.stringContaining('maxLossPct'),
    });

    const [mail] = await waitFor('the summary email', () =>
      mailsFor(runId).length > 0 ? mailsFor(runId) : null,
    );
    const completed = (await t.admin('GET', `/api/v1/analyses/${analysis['analysisId']}`)).body;
    expect(mail.subject).toBe(
      `[PolyMaker] Run #${runId} completed · score ${completed['overallScore']}/100 · P&L +2 USDC`,
    );
    expect(mail.to.sort()).toEqual(['lead@example.test', 'ops@example.test']);
    expect(mail.from).toBe('cc@example.test');
    expect(mail.raw).toContain('text/plain');
    expect(mail.raw).toContain('text/html');
    expect(mail.body).toContain('Fills: 4 of 6 orders');
    expect(mail.body).toContain(`${PUBLIC_URL}/runs/${runId}`);
    expect(mail.body).toContain('Data too thin'); // the summary waited for the full analysis
    const stored = (await t.admin('GET', `/api/v1/analyses/${analysis['analysisId']}`)).body;
    expect(stored).toMatchObject({
      state: 'complete',
      overallScore: completed['overallScore'],
      suggestions: { status: 'thin-data', items: [] },
    });

    const [posted] = await waitFor('the summary webhook', () =>
      hooksFor(runId).length > 0 ? hooksFor(runId) : null,
    );
    expect(posted.path).toBe('/hook/secret-token');
    expect(posted.body).toMatchObject({
      kind: 'run-summary',
      severity: 'info',
      runId,
      link: `${PUBLIC_URL}/runs/${runId}`,
    });
    expect((posted.body['facts'] as Json)['P&L']).toBe('+2 USDC');

    const inbox = await waitFor('both deliveries logged as sent', async () => {
      const list = (
        await t.admin<{ items: Json[]; unread: number }>('GET', '/api/v1/notifications?unread=true')
      ).body;
      const item = list.items.find((n) => n['runId'] === runId);
      const deliveries = (item?.['deliveries'] as Json[] | undefined) ?? [];
      return deliveries.length === 2 && deliveries.every((d) => d['status'] === 'sent')
        ? { list, item: item as Json }
        : null;
    });
    expect(inbox.item).toMatchObject({
      kind: 'run-summary',
      read: false,
      link: `${PUBLIC_URL}/runs/${runId}`,
    });
    expect((inbox.item['deliveries'] as Json[]).map((d) => [d['channel'], d['attempts']]).sort()).toEqual([
      ['email', 1],
      ['webhook', 1],
    ]);
    const read = await t.admin('POST', `/api/v1/notifications/${inbox.item['id']}/read`);
    expect(read.body).toMatchObject({ read: true });
    const after = (await t.admin<{ unread: number }>('GET', '/api/v1/notifications')).body;
    expect(after.unread).toBe(inbox.list.unread - 1);

    const events = await sql<{ topic: string; status: string }>(
      t.databaseUrl,
      'select topic, status from outbox_jobs order by id',
    );
    expect(events.every((job) => job.status !== 'failed')).toBe(true);
  });

  it('alerts with the error message when a run stops with status error', async () => {
    const { runId, stop } = await playSession(t.bot, t.databaseUrl, {
      status: 'error',
      errorMessage: 'CLOB rejected order: insufficient balance',
    });
    expect(stop?.status).toBe(200);
    const [mail] = await waitFor('the error email', () =>
      mailsFor(runId).length > 0 ? mailsFor(runId) : null,
    );
    expect(mail.subject).toBe(`[PolyMaker] Run #${runId} stopped with an error`);
    expect(mail.body).toContain('Error: CLOB rejected order: insufficient balance');
    const [posted] = await waitFor('the error webhook', () =>
      hooksFor(runId).length > 0 ? hooksFor(runId) : null,
    );
    expect(posted.body).toMatchObject({ kind: 'run-error', severity: 'critical' });
  });

  it('retries a failing webhook with backoff, logs each failure, and never holds the email back', async () => {
    hook.failNext(2, 503);
    const { runId } = await playSession(t.bot, t.databaseUrl, {});
    await waitFor('the email', () => mailsFor(runId).length > 0);
    const failedSoFar = hooksFor(runId).filter((r) => r.answered === 503).length;
    expect(hooksFor(runId).some((r) => r.answered === 200)).toBe(false);
    expect(failedSoFar).toBeLessThanOrEqual(2);
    const log = await waitFor('the webhook delivered on its third attempt', async () => {
      const items = (
        await t.admin<{ items: Json[] }>('GET', '/api/v1/notification-deliveries?channel=webhook&status=sent')
      ).body.items;
      const notifications = (await t.admin<{ items: Json[] }>('GET', '/api/v1/notifications')).body.items;
      const notification = notifications.find((n) => n['runId'] === runId);
      return items.find((d) => d['notificationId'] === notification?.['id']);
    });
    expect(log).toMatchObject({ status: 'sent', attempts: 3 });
    expect(log['lastError']).toContain('503');
    expect(hooksFor(runId).map((r) => r.answered)).toEqual([503, 503, 200]);
    expect(mailsFor(runId)).toHaveLength(1);
  });

  it('closes a run with no update for RUN_STALE_AFTER as stale, analyses it and alerts', async () => {
    const { runId } = await playSession(t.bot, t.databaseUrl, { stop: false });
    await sql(t.databaseUrl, "update runs set last_update_at = now() - interval '10 minutes' where id = $1", [
      runId,
    ]);
    const run = await waitFor('the run closed as stale', async () => {
      const body = (await t.admin('GET', `/api/v1/runs/${runId}`)).body;
      return body['status'] === 'stale' ? body : null;
    });
    expect(run['stoppedAt']).toEqual(expect.any(String));
    const [mail] = await waitFor('the stale alert email', () =>
      mailsFor(runId).length > 0 ? mailsFor(runId) : null,
    );
    expect(mail.subject).toContain(`Run #${runId} went stale`);
    const analyses = await waitFor('the stale analysis', async () => {
      const items = (await t.admin<Json[]>('GET', `/api/v1/runs/${runId}/analyses`)).body;
      return items.length > 0 ? items : null;
    });
    expect(analyses[0]).toMatchObject({ trigger: 'stale', runStatus: 'stale', runId });
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    expect(mailsFor(runId)).toHaveLength(1);
  });

  it('raises one low-balance alert per crossing below the threshold, not one per update', async () => {
    const { runId } = await playSession(t.bot, t.databaseUrl, { stop: false, trades: 0 });
    for (const walletBalance of [120, 45, 40, 30, 80, 20, 10]) {
      const pushed = await t.bot('POST', '/api/bot/run/update', {
        runId,
        walletBalance,
        startingWallet: 120,
        positionValue: 5,
      });
      expect(pushed.status).toBe(200);
    }
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    const lowMails = smtp.mails.filter((mail) => mail.subject.includes('Wallet balance low'));
    // Two alerts are owed; the outbox may deliver them in either order (jobs drain concurrently).
    expect(lowMails.map((mail) => mail.subject).sort()).toEqual([
      '[PolyMaker] Wallet balance low: 20 USDC (threshold 50)',
      '[PolyMaker] Wallet balance low: 45 USDC (threshold 50)',
    ]);
    const wallet = (await t.admin('GET', '/api/v1/wallet')).body;
    expect(wallet['lowBalanceThreshold']).toBe('50');
    expect((wallet['alerts'] as Json[])[0]).toMatchObject({ below: true, lastBalance: '10', alerts: 2 });
    const series = (await t.admin<{ bot: Json[] }>('GET', `/api/v1/wallet/series?runId=${runId}`)).body.bot;
    expect(series.map((point) => point['walletBalance'])).toEqual([
      '120',
      '45',
      '40',
      '30',
      '80',
      '20',
      '10',
    ]);
    expect(series[0]).toMatchObject({ startingWallet: '120', positionValue: '5' });
  });

  it('lets the admin switch the webhook to Slack or Discord bodies and send a test', async () => {
    const slack = await t.admin('PUT', '/api/v1/notification-channels/webhook', { format: 'slack' });
    expect(slack.status).toBe(200);
    expect(slack.body['webhook']).toMatchObject({
      format: 'slack',
      enabled: true,
      url: expect.not.stringContaining('secret-token'),
    });
    const test = await t.admin('POST', '/api/v1/notification-channels/webhook/test');
    expect(test.body).toMatchObject({ ok: true, channel: 'webhook' });
    const slackBody = hook.requests[hook.requests.length - 1].body;
    expect(slackBody['text']).toContain('Test notification (webhook)');
    expect((slackBody['blocks'] as Json[])[0]).toMatchObject({ type: 'header' });

    await t.admin('PUT', '/api/v1/notification-channels/webhook', { format: 'discord' });
    await t.admin('POST', '/api/v1/notification-channels/webhook/test');
    const discord = hook.requests[hook.requests.length - 1].body;
    expect(discord['embeds']).toEqual([
      expect.objectContaining({ title: 'Test notification (webhook)', color: expect.any(Number) }),
    ]);

    const emailTest = await t.admin('POST', '/api/v1/notification-channels/email/test');
    expect(emailTest.body).toMatchObject({ ok: true, target: 'ops@example.test, lead@example.test' });
    expect(smtp.mails[smtp.mails.length - 1].subject).toBe('[PolyMaker] Test notification (email)');

    const bad = await t.admin('PUT', '/api/v1/notification-channels/email', {
      smtpUrl: 'http://nope',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    await t.admin('PUT', '/api/v1/notification-channels/webhook', { format: null });
    expect((await t.admin('GET', '/api/v1/notification-channels')).body['webhook']).toMatchObject({
      format: 'generic',
    });
  });

  it('stops notifying a channel the admin disabled', async () => {
    await t.admin('PUT', '/api/v1/notification-channels/email', { enabled: false });
    const { runId } = await playSession(t.bot, t.databaseUrl, {});
    await waitFor('the webhook', () => hooksFor(runId).length > 0);
    await waitFor('the outbox to settle', () => outboxSettled(t.databaseUrl));
    expect(mailsFor(runId)).toHaveLength(0);
    await t.admin('PUT', '/api/v1/notification-channels/email', { enabled: null });
  });
});
