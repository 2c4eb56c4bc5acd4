import { ApiProcess, createDatabase, request, startApiProcess } from '@polymaker/testing';
import {
  idleInTransaction,
  LoopbackHttp,
  LoopbackSmtp,
  outboxSettled,
  sql,
  startSmtp,
  startWebhookReceiver,
  waitFor,
} from './loopback';
import { Json, playSession } from './session';

/**
 * The durable queue works with leases: no transaction stays open while an email or a webhook is
 * being sent, and a job whose worker was SIGKILLed mid-send is delivered once its lease runs out
 * (at least once: the receiver gets the same Idempotency-Key on both attempts).
 */
describe('back office: leases instead of open transactions', () => {
  let smtp: LoopbackSmtp;
  let hook: LoopbackHttp;
  const running: ApiProcess[] = [];
  let tag = '';
  const start = async (databaseUrl: string, env: Record<string, string> = {}) => {
    const api = await startApiProcess({
      databaseUrl,
      env: {
        SMTP_URL: smtp.url,
        NOTIFY_EMAIL_TO: `${tag}@example.test`,
        WEBHOOK_URL: `${hook.url}/${tag}`,
        OUTBOX_POLL_MS: '100',
        ...env,
      },
    });
    running.push(api);
    return api;
  };
  const bot =
    (api: ApiProcess) =>
    <T = Json>(method: string, path: string, body?: unknown) =>
      request<T>(api.url, method, path, { key: api.botKey, body });
  const hooksFor = (runId: number) =>
    hook.requests.filter((r) => r.path.endsWith(`/${tag}`) && r.body['runId'] === runId);
  beforeAll(async () => {
    smtp = await startSmtp();
    hook = await startWebhookReceiver();
  });
  afterEach(() => {
    hook.stall(0);
    smtp.release();
  });
  afterAll(async () => {
    await Promise.all(running.map((api) => api.stop('SIGKILL')));
    await smtp?.close();
    await hook?.close();
  });

  it('holds no transaction open while the SMTP server and the webhook stall', async () => {
    tag = 'stall';
    const databaseUrl = await createDatabase(
      process.env['PM_TEST_PG_URL'] as string,
      'backoffice_lease_stall',
    );
    const api = await start(databaseUrl);
    hook.stall(2_500);
    smtp.hold();
    const connections = smtp.connections;
    const { runId } = await playSession(bot(api), databaseUrl, {});
    await waitFor('the webhook call to arrive', () => hooksFor(runId).length > 0);
    await waitFor('the SMTP connection', () => smtp.connections > connections);
    // both sends are under way now (the webhook answers 2.5 s after it arrived, SMTP not before release)
    const seen: number[] = [];
    for (let i = 0; i < 15; i++) {
      seen.push(await idleInTransaction(databaseUrl));
      await new Promise((done) => setTimeout(done, 100));
    }
    expect(seen).toEqual(seen.map(() => 0));
    const [leased] = await sql<{ n: string }>(
      databaseUrl,
      "select count(*) as n from outbox_jobs where topic = 'notification.deliver' and status = 'pending' and leased_until > now() and lease_owner is not null",
    );
    expect(leased.n).toBe('2'); // both deliveries are claimed, each by its lease alone
    smtp.release();
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    const deliveries = await sql<{ channel: string; status: string; attempts: number }>(
      databaseUrl,
      'select channel, status, attempts from notification_deliveries order by channel',
    );
    expect(deliveries).toEqual([
      { channel: 'email', status: 'sent', attempts: 1 },
      { channel: 'webhook', status: 'sent', attempts: 1 },
    ]);
    await api.stop('SIGTERM');
  });

  it('delivers a webhook whose worker was SIGKILLed mid-send once the lease runs out, with the same Idempotency-Key', async () => {
    tag = 'killed';
    const databaseUrl = await createDatabase(
      process.env['PM_TEST_PG_URL'] as string,
      'backoffice_lease_killed',
    );
    const env = { OUTBOX_LEASE_SECONDS: '3' };
    const first = await start(databaseUrl, env);
    hook.stall(60_000); // the first attempt never gets its answer
    const { runId } = await playSession(bot(first), databaseUrl, {});
    await waitFor('the webhook call to arrive', () => hooksFor(runId).length > 0);
    expect(await first.stop('SIGKILL')).toBeNull();
    hook.stall(0);
    const [owed] = await sql<{ status: string; leased: boolean }>(
      databaseUrl,
      "select status, leased_until > now() as leased from outbox_jobs where topic = 'notification.deliver'",
    );
    expect(owed).toEqual({ status: 'pending', leased: true }); // the dead worker's lease still holds it

    const second = await start(databaseUrl, env);
    await waitFor('the webhook again after the lease ran out', () => hooksFor(runId).length > 1);
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    const calls = hooksFor(runId);
    expect(calls).toHaveLength(2);
    const [notification] = await sql<{ id: string }>(
      databaseUrl,
      'select id from notifications where run_id = $1',
      [runId],
    );
    expect(calls.map((call) => call.headers['idempotency-key'])).toEqual([
      `notification-${notification.id}`,
      `notification-${notification.id}`,
    ]);
    expect(calls.map((call) => call.body['notificationId'])).toEqual([
      Number(notification.id),
      Number(notification.id),
    ]);
    const [log] = await sql<{ status: string; attempts: number }>(
      databaseUrl,
      "select status, attempts from notification_deliveries where channel = 'webhook'",
    );
    expect(log).toEqual({ status: 'sent', attempts: 2 });
    await second.stop('SIGTERM');
  });
});
