import { startTestApi, TestApi } from '../support/api';
import { sql, waitFor } from './loopback';

/**
 * Maintenance asks the owners: the metrics module deletes old points except those of the runs the
 * runs module says are still running; idempotency records and settled jobs go by their own rules.
 */
describe('back office: retention of metric points', () => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi('backoffice_retention', {
      METRIC_RETENTION_DAYS: '2',
      MAINTENANCE_INTERVAL_SECONDS: '1',
    });
  });
  afterAll(() => t?.stop());

  const startRun = async () =>
    (await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' })).body.runId;
  const points = async (runId: number) =>
    (await t.admin<{ items: unknown[] }>('GET', `/api/v1/runs/${runId}/metrics`)).body.items.length;

  it("drops points past retention of finished runs, keeps a running run's and recent ones", async () => {
    const running = await startRun();
    const finished = await startRun();
    for (const runId of [running, finished]) {
      for (let i = 0; i < 3; i++)
        expect((await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: i })).status).toBe(200);
    }
    expect((await t.bot('POST', '/api/bot/run/stop', { runId: finished, status: 'completed' })).status).toBe(
      200,
    );
    const recent = await startRun();
    expect((await t.bot('POST', '/api/bot/run/update', { runId: recent, totalPnl: 1 })).status).toBe(200);
    expect((await t.bot('POST', '/api/bot/run/stop', { runId: recent, status: 'completed' })).status).toBe(
      200,
    );
    // three days old: past the two days kept
    await sql(
      t.databaseUrl,
      "update run_metric_points set at = now() - interval '3 days' where run_id in ($1, $2)",
      [running, finished],
    );

    await waitFor("the finished run's old points to go", async () => (await points(finished)) === 0);
    expect(await points(running)).toBe(3);
    expect(await points(recent)).toBe(1);
    const jobs = (
      await t.admin<{ items: { name: string; last: { result: Record<string, unknown> } | null }[] }>(
        'GET',
        '/api/v1/scheduler/jobs',
      )
    ).body.items;
    const maintenance = jobs.find((job) => job.name === 'maintenance');
    expect(maintenance?.last?.result).toMatchObject({ metricRetentionDays: 2 });
  });
});
