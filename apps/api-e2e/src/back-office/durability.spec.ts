import { ApiProcess, startApiProcess } from '@polymaker/testing';
import { request } from '@polymaker/testing';
import { createDatabase } from '@polymaker/testing';
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

/** The durable queue: owed notifications survive a SIGKILL and are delivered once, even with two instances. */
describe('back office: durable delivery', () => {
  let smtp: LoopbackSmtp;
  let hook: LoopbackHttp;
  const running: ApiProcess[] = [];
  // each test has its own recipient and webhook path, since run ids restart in each database
  let tag = '';
  const env = () => ({
    SMTP_URL: smtp.url,
    NOTIFY_EMAIL_TO: `${tag}@example.test`,
    WEBHOOK_URL: `${hook.url}/${tag}`,
    OUTBOX_POLL_MS: '100',
    RUN_STALE_AFTER: '60',
    RUN_STALE_CHECK_SECONDS: '1',
  });
  const start = async (databaseUrl: string, extra: Record<string, string> = {}) => {
    const api = await startApiProcess({ databaseUrl, env: { ...env(), ...extra } });
    running.push(api);
    return api;
  };
  const bot =
    (api: ApiProcess) =>
    <T = Json>(method: string, path: string, body?: unknown) =>
      request<T>(api.url, method, path, { key: api.botKey, body });
  const mailsFor = (runId: number) =>
    smtp.mails.filter(
      (mail) => mail.to.includes(`${tag}@example.test`) && mail.subject.includes(`Run #${runId} `),
    );
  const hooksFor = (runId: number) =>
    hook.requests.filter((r) => r.path.endsWith(`/${tag}`) && r.body['runId'] === runId);

  beforeAll(async () => {
    smtp = await startSmtp();
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await Promise.all(running.map((api) => api.stop('SIGKILL')));
    smtp.release();
    await smtp?.close();
    await hook?.close();
  });

  it('delivers the summary email exactly once after the API is SIGKILLed between the committed stop and the send', async () => {
    tag = 'sigkill';
    const databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'backoffice_sigkill');
    // a short lease: the killed worker's claim runs out 3 s after it was taken
    const first = await start(databaseUrl, { OUTBOX_LEASE_SECONDS: '3' });
    smtp.hold(); // the SMTP server accepts connections but does not greet: the email cannot go out
    const before = smtp.connections;
    const { runId, stop } = await playSession(bot(first), databaseUrl, {});
    expect(stop?.status).toBe(200); // the stop is committed: the email is owed from here on
    await waitFor('the API to start sending the email', () => smtp.connections > before);
    expect(await first.stop('SIGKILL')).toBeNull();
    expect(mailsFor(runId)).toHaveLength(0);
    const [owed] = await sql<{ status: string }>(
      databaseUrl,
      "select status from notification_deliveries where channel = 'email'",
    );
    expect(owed.status).toBe('pending');

    smtp.release();
    const second = await start(databaseUrl, { OUTBOX_LEASE_SECONDS: '3' });
    await waitFor('the email after the restart', () => mailsFor(runId).length > 0);
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    expect(mailsFor(runId)).toHaveLength(1);
    expect(mailsFor(runId)[0].subject).toContain(`Run #${runId} completed`);
    const [log] = await sql<{ status: string; attempts: number }>(
      databaseUrl,
      "select status, attempts from notification_deliveries where channel = 'email'",
    );
    // the killed attempt counts: its claim was committed, and its lease had to run out first
    expect(log).toEqual({ status: 'sent', attempts: 2 });
    const stopAgain = await bot(second)('POST', '/api/bot/run/stop', { runId, status: 'completed' });
    expect(stopAgain.body).toEqual(stop?.body);
    await second.stop('SIGTERM');
  });

  it('never delivers the same notification twice with two API instances on one database', async () => {
    tag = 'two';
    const databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'backoffice_two');
    const a = await start(databaseUrl);
    const b = await start(databaseUrl);
    const runIds: number[] = [];
    for (let i = 0; i < 8; i++) runIds.push((await playSession(bot(i % 2 ? b : a), databaseUrl, {})).runId);
    // and one run gone silent, which both schedulers see
    const { runId: silent } = await playSession(bot(a), databaseUrl, { stop: false });
    await sql(databaseUrl, "update runs set last_update_at = now() - interval '10 minutes' where id = $1", [
      silent,
    ]);

    await waitFor(
      'every summary and the stale alert',
      () => runIds.every((id) => mailsFor(id).length > 0) && mailsFor(silent).length > 0,
    );
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    for (const id of [...runIds, silent]) {
      expect(mailsFor(id)).toHaveLength(1);
      expect(hooksFor(id)).toHaveLength(1);
    }
    const [counts] = await sql<{ deliveries: string; sent: string }>(
      databaseUrl,
      "select count(*) as deliveries, count(*) filter (where status = 'sent' and attempts = 1) as sent from notification_deliveries",
    );
    expect(counts).toEqual({ deliveries: String(2 * 9), sent: String(2 * 9) });
    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
  });
});
