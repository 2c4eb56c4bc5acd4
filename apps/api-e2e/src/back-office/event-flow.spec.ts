import { ApiProcess, createDatabase, request, startApiProcess } from '@polymaker/testing';
import { LoopbackSmtp, outboxSettled, sql, startSmtp, waitFor } from './loopback';
import { Json, playSession } from './session';

/**
 * run/stop → run.stopped → (in the stop's transaction) outbox job "analysis.run" → the full
 * analysis → outbox job "notification.create" → the run summary. Each test has its own database.
 */
describe('back office: the stop, the analysis and the summary wired through the outbox', () => {
  let smtp: LoopbackSmtp;
  const running: ApiProcess[] = [];
  let tag = '';
  const start = async (databaseUrl: string, env: Record<string, string> = {}) => {
    const api = await startApiProcess({
      databaseUrl,
      env: { SMTP_URL: smtp.url, NOTIFY_EMAIL_TO: `${tag}@example.test`, OUTBOX_POLL_MS: '100', ...env },
    });
    running.push(api);
    return api;
  };
  const bot =
    (api: ApiProcess) =>
    <T = Json>(method: string, path: string, body?: unknown) =>
      request<T>(api.url, method, path, { key: api.botKey, body });
  const admin =
    (api: ApiProcess) =>
    <T = Json>(method: string, path: string, body?: unknown) =>
      request<T>(api.url, method, path, { key: api.adminKey, body });
  const mailsFor = (runId: number) =>
    smtp.mails.filter(
      (mail) => mail.to.includes(`${tag}@example.test`) && mail.subject.includes(`Run #${runId} `),
    );
  const jobs = (databaseUrl: string) =>
    sql<{
      id: string;
      topic: string;
      status: string;
      attempts: number;
      payload: Json;
      dedupe_key: string | null;
      last_error: string | null;
    }>(
      databaseUrl,
      'select id, topic, status, attempts, payload, dedupe_key, last_error from outbox_jobs order by id',
    );
  const analysesOf = (databaseUrl: string, runId: number) =>
    sql<{ id: string; state: string; overall_score: number; error: string | null }>(
      databaseUrl,
      'select id, state, overall_score, error from analyses where run_id = $1 order by id',
      [runId],
    );

  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await Promise.all(running.map((api) => api.stop('SIGKILL')));
    await smtp?.close();
  });

  it('answers the stop with the score from the aggregates, then stores the full analysis and sends the summary through the outbox', async () => {
    tag = 'flow';
    const databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'backoffice_flow');
    const api = await start(databaseUrl);
    // BTC's fills are all Down, ETH's all Up: two one-sided windows, which only the full analysis sees
    const { runId, stop } = await playSession(bot(api), databaseUrl, {
      trades: 6,
      fills: 3,
      pnlPerFill: 0.5,
      windows: true,
      metrics: { totalPnl: '1.5', totalOrders: 6, totalFills: 3 },
    });
    expect(stop?.status).toBe(200);
    const answered = stop?.body['analysis'] as Json;
    expect(answered).toMatchObject({
      runId,
      state: 'pending',
      trigger: 'stop',
      overallScore: expect.any(Number),
      analysisId: expect.any(Number),
    });
    expect(answered['scores']).toMatchObject({ inventory: null, risk: expect.any(Object) });

    await waitFor('the summary email', () => mailsFor(runId).length > 0);
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    const stored = (await admin(api)('GET', `/api/v1/analyses/${String(answered['analysisId'])}`)).body;
    const storedScores = stored['scores'] as Json;
    const answeredScores = answered['scores'] as Json;
    // the same analysis completed in place: the quick sub-scores kept, the inventory added
    expect(stored).toMatchObject({
      state: 'complete',
      scores: {
        risk: answeredScores['risk'],
        capitalReturn: answeredScores['capitalReturn'],
        inventory: { score: 0, inputs: { windows: 2, oneSidedWindows: 2 } },
      },
    });
    expect(storedScores['inventory']).not.toBeNull();
    expect(stored['overallScore']).toBeLessThan(answered['overallScore'] as number);
    expect((await admin(api)('GET', `/api/v1/runs/${runId}`)).body['overallScore']).toBe(
      stored['overallScore'],
    );
    expect((stored['breakdowns'] as Record<string, Json[]>)['asset'].map((row) => row['key'])).toEqual([
      'BTC',
      'ETH',
    ]);
    // the analysis job, then (enqueued by it) the notification with the analysis it waited for
    const owed = (await jobs(databaseUrl)).filter((job) => job.topic !== 'notification.deliver');
    expect(owed.map((job) => [job.topic, job.status, job.attempts, job.dedupe_key])).toEqual([
      ['analysis.run', 'done', 1, `run-stop-analysis:${runId}`],
      ['notification.create', 'done', 1, `run-stopped:${runId}`],
    ]);
    expect(owed[1].payload).toEqual({ kind: 'run-summary', runId, analysisId: answered['analysisId'] });
    expect(mailsFor(runId)).toHaveLength(1);
    // the summary carries the full analysis' score, which it waited for
    expect(mailsFor(runId)[0].subject).toContain(`score ${String(stored['overallScore'])}/100`);
    await api.stop('SIGTERM');
  });

  it('keeps the per-run trade aggregate equal to a scan of the trades through inserts, fills and corrections', async () => {
    tag = 'stats';
    const databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'backoffice_stats');
    const api = await start(databaseUrl);
    const { runId } = await playSession(bot(api), databaseUrl, {
      trades: 9,
      fills: 4,
      pnlPerFill: 0.3,
      stop: false,
    });
    const single = await bot(api)('POST', '/api/bot/trade', {
      runId,
      cycle: 9,
      asset: 'SOL',
      windowDuration: '5m',
      side: 'sell',
      outcome: 'Down',
      price: '0.41',
      size: '3.5',
      strategy: 'MM',
    });
    expect(single.status).toBe(201);
    const ids = (
      await sql<{ id: string }>(databaseUrl, 'select id from trades where run_id = $1 order by id', [runId])
    ).map((row) => Number(row.id));
    await bot(api)('POST', '/api/bot/trade/update', { tradeId: ids[0], pnl: '-0.75' }); // a correction of a fill
    await bot(api)('POST', '/api/bot/trade/update', { tradeId: ids[5], status: 'cancelled' });
    await bot(api)('POST', '/api/bot/trade/update', { tradeId: ids[6], status: 'failed' });
    await bot(api)('POST', '/api/bot/trade/update', {
      tradeId: ids[7],
      status: 'filled',
      fillPrice: '0.333',
      fillSize: '7.25',
      pnl: '0.1234',
    });
    const [stats] = await sql(
      databaseUrl,
      'select trades, filled, cancelled, failed, pnl, filled_notional, wins, losses, gross_loss, size_sum from run_trade_stats where run_id = $1',
      [runId],
    );
    const [scan] = await sql(
      databaseUrl,
      `select count(*) as trades, count(*) filter (where status = 'filled') as filled, count(*) filter (where status = 'cancelled') as cancelled,
              count(*) filter (where status = 'failed') as failed, coalesce(sum(pnl), 0) as pnl,
              coalesce(sum(coalesce(fill_price, price) * coalesce(fill_size, size)) filter (where status = 'filled'), 0) as filled_notional,
              count(*) filter (where pnl > 0) as wins, count(*) filter (where pnl < 0) as losses,
              coalesce(sum(pnl) filter (where pnl < 0), 0) as gross_loss, sum(size) as size_sum
         from trades where run_id = $1`,
      [runId],
    );
    const normal = (row: Json | undefined) =>
      Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, String(Number(value))]));
    expect(normal(stats)).toEqual(normal(scan));
    expect(stats?.['trades']).toBe('10');
    // the metric series aggregate: peak and largest fall of totalPnl, point by point
    for (const totalPnl of ['1', '3.5', '2', '5.25', '1.125', '4'])
      await bot(api)('POST', '/api/bot/run/update', { runId, totalPnl });
    await bot(api)('POST', '/api/bot/run/update', { runId, totalCycles: 3 }); // no totalPnl: not a point of the series
    const [series] = await sql(
      databaseUrl,
      'select points, peak_pnl::float8 as peak, max_drawdown::float8 as drawdown from run_metric_stats where run_id = $1',
      [runId],
    );
    expect(series).toEqual({ points: '6', peak: 5.25, drawdown: 4.125 });
    await api.stop('SIGTERM');
  });

  it('still stores the analysis and sends the summary once after a SIGKILL between the committed stop and the analysis', async () => {
    tag = 'killed';
    const databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'backoffice_killed');
    // a worker that looks for due jobs only once a minute: the analysis cannot start before the kill
    const first = await start(databaseUrl, { OUTBOX_POLL_MS: '60000' });
    const { runId, stop } = await playSession(bot(first), databaseUrl, { trades: 6, fills: 3 });
    expect(stop?.status).toBe(200);
    expect(await analysesOf(databaseUrl, runId)).toEqual([expect.objectContaining({ state: 'pending' })]);
    expect((await jobs(databaseUrl)).map((job) => [job.topic, job.status])).toEqual([
      ['analysis.run', 'pending'],
    ]);
    expect(await first.stop('SIGKILL')).toBeNull();

    const second = await start(databaseUrl);
    await waitFor('the summary email after the restart', () => mailsFor(runId).length > 0);
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    const analyses = await analysesOf(databaseUrl, runId);
    expect(analyses).toEqual([
      expect.objectContaining({
        state: 'complete',
        overall_score: (stop?.body['analysis'] as Json)['overallScore'],
      }),
    ]);
    const owed = (await jobs(databaseUrl)).filter((job) => job.topic !== 'notification.deliver');
    expect(owed.map((job) => [job.topic, job.status, job.attempts])).toEqual([
      ['analysis.run', 'done', 1],
      ['notification.create', 'done', 1],
    ]);
    expect(mailsFor(runId)).toHaveLength(1);
    const [notifications] = await sql<{ n: string }>(
      databaseUrl,
      'select count(*) as n from notifications where run_id = $1',
      [runId],
    );
    expect(notifications.n).toBe('1');
    // and the bot's repeated stop after the restart gets the first answer
    const again = await bot(second)('POST', '/api/bot/run/stop', { runId, status: 'completed' });
    expect(again.body).toEqual(stop?.body);
    await second.stop('SIGTERM');
  });

  it('answers a second stop with the first body and owes one analysis, even when it carries other final metrics', async () => {
    tag = 'twice';
    const databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'backoffice_twice');
    const api = await start(databaseUrl);
    const { runId, stop } = await playSession(bot(api), databaseUrl, { trades: 4, fills: 2 });
    const again = await bot(api)('POST', '/api/bot/run/stop', {
      runId,
      status: 'error',
      errorMessage: 'KeyboardInterrupt',
      totalPnl: '99',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(stop?.body);
    await waitFor('the summary email', () => mailsFor(runId).length > 0);
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    expect((await jobs(databaseUrl)).filter((job) => job.topic === 'analysis.run')).toHaveLength(1);
    expect(await analysesOf(databaseUrl, runId)).toHaveLength(1);
    expect(mailsFor(runId).map((mail) => mail.subject)).toEqual([
      expect.stringContaining(`Run #${runId} completed`),
    ]);
    await api.stop('SIGTERM');
  });

  it('does not fail the stop when the analysis fails: the job retries, gives up, the summary still goes out once, and a retry completes it', async () => {
    tag = 'failing';
    const databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'backoffice_failing');
    const api = await start(databaseUrl, { ANALYSIS_MAX_ATTEMPTS: '2', ANALYSIS_RETRY_BASE_SECONDS: '1' });
    // No run's data makes the engine throw today, so the failure is made in the database: storing
    // the completed analysis raises, exactly as a throwing rule would fail the job.
    await sql(
      databaseUrl,
      `create function test_refuse_analysis() returns trigger language plpgsql as $$
       begin raise exception 'a suggestion rule failed (test)'; end $$;
       create trigger test_refuse_analysis before update on analyses
         for each row when (new.state = 'complete') execute function test_refuse_analysis();`,
    );
    const { runId, stop } = await playSession(bot(api), databaseUrl, { trades: 4, fills: 2 });
    expect(stop?.status).toBe(200);
    const answered = stop?.body['analysis'] as Json;
    expect(answered['overallScore']).toEqual(expect.any(Number));

    const [job] = await waitFor('the analysis job to give up', async () => {
      const found = (await jobs(databaseUrl)).filter(
        (j) => j.topic === 'analysis.run' && j.status === 'failed',
      );
      return found.length > 0 ? found : null;
    });
    expect(job).toMatchObject({
      attempts: 2,
      last_error: expect.stringContaining('a suggestion rule failed'),
    });
    expect(await analysesOf(databaseUrl, runId)).toEqual([
      expect.objectContaining({
        state: 'failed',
        error: expect.stringContaining('a suggestion rule failed'),
      }),
    ]);
    // the run summary is not held back for ever: it goes out with the stop's score
    await waitFor('the summary email', () => mailsFor(runId).length > 0);
    expect(mailsFor(runId)[0].subject).toContain(`score ${String(answered['overallScore'])}/100`);

    await sql(databaseUrl, 'drop trigger test_refuse_analysis on analyses');
    const retried = await admin(api)('POST', `/api/v1/outbox/${job.id}/retry`);
    expect(retried.status).toBe(200);
    await waitFor(
      'the analysis to complete',
      async () => (await analysesOf(databaseUrl, runId))[0]?.state === 'complete',
    );
    await waitFor('the outbox to settle', () => outboxSettled(databaseUrl));
    expect(mailsFor(runId)).toHaveLength(1); // the summary was owed once
    await api.stop('SIGTERM');
  });
});
