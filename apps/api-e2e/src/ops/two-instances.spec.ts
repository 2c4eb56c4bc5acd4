import {
  ApiProcess,
  createDatabase,
  ensureNginx,
  Nginx,
  request,
  startApiProcess,
  startNginx,
  TEST_ADMIN_KEY,
  TEST_BOT_KEY,
} from '@polymaker/testing';
import { sql, waitFor } from '../back-office/loopback';
import { Answer, FleetBot, Json } from './fleet-client';
import { SseClient, SseEvent } from './wire';

const BOTS = 6;
/** Trades each bot delivers after the kill, all through the surviving instance. */
const TRADES_AFTER_KILL = 12;
/** Runs started and left silent, which the scheduled stale-runs job of both instances competes for. */
const SILENT_BEFORE = 3;

interface Delivered {
  cycle: number;
  tradeId: number;
  /** Sent once the killed instance was gone, and not a replay: stored (and announced) by the survivor. */
  afterKill: boolean;
  /** Sent that way once the reconnected live stream was following. */
  afterResume: boolean;
}

interface BotRun {
  bot: FleetBot;
  runId: number;
  trades: Delivered[];
  updates: number;
  stop: Answer | null;
}

const instanceOf = (id: string | null) => (id ?? '').split('-')[0];
const named = (events: SseEvent[], name: string) =>
  events.filter((event) => event.name === name).map((event) => event.data as Json);

/**
 * Two API processes on one PostgreSQL behind a real nginx running docker/nginx.conf, a fleet of bots
 * through it, and one instance frozen (SIGSTOP) with the bots' requests in flight, then SIGKILLed.
 * What the owner would notice: every trade a bot was told was stored is stored once; every run has
 * one analysis and one notification; stale runs are closed once; the admin's live stream on the
 * surviving instance never stops, and one on the killed instance reconnects through nginx and is told
 * to refetch; the bots only ever saw JSON 503s with Retry-After (or 409 "still processing") meanwhile.
 */
describe('two API instances behind nginx, one SIGKILLed under bot traffic', () => {
  let databaseUrl: string;
  let a: ApiProcess;
  let b: ApiProcess;
  let lb: Nginx;
  const streams: SseClient[] = [];
  const admin = <T = Json>(method: string, path: string, body?: unknown) =>
    request<T>(lb.url, method, path, { key: TEST_ADMIN_KEY, body });

  beforeAll(async () => {
    ensureNginx(); // first, with this hook's long timeout: a fresh machine installs it with apt (or fails saying how)
    databaseUrl = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'ops_two_instances');
    const env = {
      OUTBOX_POLL_MS: '100',
      RUN_STALE_AFTER: '60',
      RUN_STALE_CHECK_SECONDS: '1',
      // behind nginx, which overwrites X-Forwarded-For with the client's address (docker/compose.yaml sets the same)
      TRUST_PROXY: '1',
      // Shedding under load is ops/overload.spec.ts's subject; on a busy test machine it would only add retries here.
      OVERLOAD_MAX_LAG_MS: '0',
    };
    // Both at once on a fresh database, as `docker compose up` starts the replicas: migrations and seeding race.
    [a, b] = await Promise.all(
      [0, 1].map(() => startApiProcess({ databaseUrl, env, readyTimeoutMs: 60_000 })),
    );
    lb = await startNginx([a.port, b.port]);
  }, 300_000);

  afterAll(async () => {
    for (const stream of streams) await stream.close().catch(() => undefined);
    await lb?.stop();
    await Promise.all([a, b].filter(Boolean).map((api) => api.stop('SIGTERM')));
  });

  it('starts several instances at once on a fresh database (migrations and seeding take turns)', async () => {
    // a and b above started together too; three make the race certain (before the start-up lock, every try failed)
    const fresh = await createDatabase(process.env['PM_TEST_PG_URL'] as string, 'ops_startup_race');
    const started = await Promise.allSettled(
      [0, 1, 2].map(() => startApiProcess({ databaseUrl: fresh, readyTimeoutMs: 90_000 })),
    );
    const failures = started.flatMap((result) =>
      result.status === 'rejected' ? [String(result.reason).slice(0, 500)] : [],
    );
    await Promise.all(
      started.map((result) => (result.status === 'fulfilled' ? result.value.stop('SIGTERM') : null)),
    );
    expect(failures).toEqual([]);
    const [counts] = await sql<{ keys: string; configs: string }>(
      fresh,
      'select (select count(*) from api_keys) as keys, (select count(*) from config_versions) as configs',
    );
    expect(counts).toEqual({ keys: '2', configs: '1' }); // the env's admin and bot keys and the first version, once each
  }, 120_000);

  it('keeps every trade exactly once, jobs run once, and the admin live through a SIGKILL', async () => {
    // The admin's live streams through nginx: one on each instance (the stream's ids name its instance).
    const byInstance = new Map<string, SseClient>();
    for (let i = 0; i < 8 && byInstance.size < 2; i += 1) {
      const stream = await SseClient.open(lb.url, TEST_ADMIN_KEY);
      streams.push(stream);
      await waitFor('the stream position', () => stream.lastId);
      if (!byInstance.has(instanceOf(stream.lastId))) byInstance.set(instanceOf(stream.lastId), stream);
    }
    expect(byInstance.size).toBe(2); // nginx spreads the streams over both instances

    // Runs gone silent: both instances' stale-runs jobs run every second and compete for them.
    const silentBot = new FleetBot('silent', lb.url, TEST_BOT_KEY);
    const silent: number[] = [];
    const startSilent = async (n: number) => {
      const started = await silentBot.post(
        '/api/bot/run/start',
        { mode: 'dry_run', startingBankroll: 100 },
        `silent-${n}`,
      );
      const runId = started.body['runId'] as number;
      await sql(databaseUrl, "update runs set last_update_at = now() - interval '10 minutes' where id = $1", [
        runId,
      ]);
      silent.push(runId);
      return runId;
    };
    for (let n = 0; n < SILENT_BEFORE; n += 1) await startSilent(n);
    const staleOn = (stream: SseClient) =>
      named(stream.events, 'run.stale').map((event) => event['runId'] as number);
    await waitFor('the stale runs on both streams', () =>
      [...byInstance.values()].every((stream) => silent.every((id) => staleOn(stream).includes(id))),
    );

    // The fleet, each bot with its own key.
    const keys: string[] = [];
    for (let i = 0; i < BOTS; i += 1) {
      const created = await admin('POST', '/api/v1/api-keys', { name: `fleet bot ${i}`, scope: 'bot' });
      expect(created.status).toBe(201);
      keys.push(created.body['secret'] as string);
    }
    const phase = { killed: false, resumed: false };
    let reconnected: () => void = () => undefined;
    const mayStop = new Promise<void>((done) => (reconnected = done));
    const bots = keys.map((key, i) => new FleetBot(`bot ${i}`, lb.url, key));
    const delivered = () => bots.reduce((sum, bot) => sum + bot.requests, 0);
    const fly = async (bot: FleetBot, i: number): Promise<BotRun> => {
      const started = await bot.post(
        '/api/bot/run/start',
        { mode: 'dry_run', startingBankroll: 500 },
        `b${i}-start`,
      );
      const run: BotRun = { bot, runId: started.body['runId'] as number, trades: [], updates: 0, stop: null };
      const trade = (cycle: number) => ({
        runId: run.runId,
        cycle,
        asset: ['BTC', 'ETH'][cycle % 2],
        windowDuration: '15m',
        side: 'buy',
        outcome: cycle % 2 ? 'Up' : 'Down',
        price: '0.5',
        size: '10',
        strategy: 'MM',
      });
      let cycle = 0;
      const count = (which: 'afterKill' | 'afterResume') => run.trades.filter((t) => t[which]).length;
      while (!(phase.resumed && count('afterKill') >= TRADES_AFTER_KILL && count('afterResume') >= 3)) {
        const [afterKill, afterResume] = [phase.killed, phase.resumed];
        if (cycle % 10 === 9) {
          const batch = [cycle, cycle + 1, cycle + 2];
          const answer = await bot.post(
            '/api/bot/trade/batch',
            { trades: batch.map(trade) },
            `b${i}-batch-${cycle}`,
          );
          const ids = answer.body['tradeIds'] as number[];
          batch.forEach((c, k) =>
            run.trades.push({
              cycle: c,
              tradeId: ids[k],
              afterKill: afterKill && !answer.replayed,
              afterResume: afterResume && !answer.replayed,
            }),
          );
          cycle += 3;
        } else {
          const answer = await bot.post('/api/bot/trade', trade(cycle), `b${i}-trade-${cycle}`);
          run.trades.push({
            cycle,
            tradeId: answer.body['tradeId'] as number,
            afterKill: afterKill && !answer.replayed,
            afterResume: afterResume && !answer.replayed,
          });
          cycle += 1;
        }
        if (cycle % 5 === 0) {
          await bot.post(
            '/api/bot/run/update',
            { runId: run.runId, totalPnl: String(cycle / 100), totalFills: cycle },
            `b${i}-update-${cycle}`,
          );
          run.updates += 1;
          expect((await bot.get('/api/bot/config')).status).toBe(200);
        }
      }
      await mayStop;
      run.stop = await bot.post('/api/bot/run/stop', { runId: run.runId, status: 'completed' }, `b${i}-stop`);
      return run;
    };
    const flying = Promise.all(bots.map(fly));
    // fail fast instead of waiting on a bot that threw
    flying.catch(() => reconnected());

    // A trade stored by b whose answer never reaches its bot (sent straight to b, as if the connection broke).
    const lostBot = new FleetBot('lost answer', b.url, TEST_BOT_KEY);
    const lostRun = (
      await lostBot.post('/api/bot/run/start', { mode: 'dry_run', startingBankroll: 100 }, 'lost-start')
    ).body['runId'] as number;
    const lostTrade = {
      runId: lostRun,
      cycle: 0,
      asset: 'BTC',
      windowDuration: '5m',
      side: 'buy',
      outcome: 'Up',
      price: '0.5',
      size: '1',
      strategy: 'MM',
    };
    const lostAnswer = await lostBot.post('/api/bot/trade', lostTrade, 'lost-trade');

    await waitFor('the fleet under way', () => delivered() >= 20 * BOTS);
    const dying = await startSilent(SILENT_BEFORE); // due as the instance dies: either scheduler may be on it

    // b freezes with the bots' requests in flight (nginx's round-robin sends each bot there in turn), then dies.
    const [survivor, victim] = [a, b];
    victim.process.kill('SIGSTOP');
    await waitFor('every bot waiting on the frozen instance', () =>
      bots.every((bot) => bot.pendingSince !== null && Date.now() - bot.pendingSince > 1000),
    );
    expect(await victim.stop('SIGKILL')).toBeNull();
    phase.killed = true;

    // The admin's stream on the killed instance ends; one on the survivor goes on.
    await waitFor('a stream to end with its instance', () =>
      [...byInstance.values()].some((stream) => stream.ended),
    );
    const [ended, kept] = [...byInstance.values()].sort((x, y) => Number(y.ended) - Number(x.ended));
    expect(kept.ended).toBe(false);
    // Reconnecting through nginx with its last id lands on the survivor, which cannot resume another
    // instance's ids: it says so first (stream.reset: refetch), then follows the stream.
    const resumed = await SseClient.open(lb.url, TEST_ADMIN_KEY, ended.lastId as string);
    streams.push(resumed);
    await waitFor('the reset', () => resumed.events.length > 0);
    expect(resumed.events[0].name).toBe('stream.reset');
    expect(instanceOf(resumed.lastId)).toBe(instanceOf(kept.lastId));
    phase.resumed = true;
    reconnected();
    const orphan = await startSilent(SILENT_BEFORE + 1); // due after the kill: the survivor's scheduler alone

    // The bot whose answer was lost resends through nginx with its key: the survivor replays b's answer.
    const resent = await new FleetBot('lost answer', lb.url, TEST_BOT_KEY).post(
      '/api/bot/trade',
      lostTrade,
      'lost-trade',
    );
    expect(resent.replayed).toBe(true);
    expect(resent.body).toEqual(lostAnswer.body);
    await new FleetBot('lost answer', lb.url, TEST_BOT_KEY).post(
      '/api/bot/run/stop',
      { runId: lostRun, status: 'completed' },
      'lost-stop',
    );

    const runs = await flying;
    const fleetRuns = [...runs.map((run) => run.runId), lostRun];
    await waitFor(
      'the silent runs of the kill closed',
      async () =>
        (
          await sql(databaseUrl, "select 1 from runs where id = any($1::bigint[]) and status = 'stale'", [
            [dying, orphan],
          ])
        ).length === 2,
    );
    await waitFor(
      'every analysis complete and the queue settled',
      async () => {
        const [row] = await sql<{ pending: string; done: string }>(
          databaseUrl,
          "select (select count(*) from outbox_jobs where status <> 'done') as pending, (select count(*) from analyses where state = 'complete') as done",
        );
        return Number(row.pending) === 0 && Number(row.done) === fleetRuns.length + silent.length;
      },
      30_000,
    );

    // The bots: the death was noticed (the requests in flight at the kill were refused), and only as
    // JSON 503s with Retry-After, 409 "still being processed" or a dropped connection: never a bare 502.
    const refusals = bots.flatMap((bot) => bot.refusals);
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    for (const refusal of refusals) {
      if (refusal.status === 503) {
        expect(refusal.contentType).toContain('application/json');
        expect(refusal.retryAfter).not.toBeNull();
      } else {
        expect([0, 409]).toContain(refusal.status);
      }
    }
    expect(lb.accessLog()).toMatch(
      new RegExp(`upstream=127\\.0\\.0\\.1:${victim.port}.* upstream_status=50[24]`),
    );

    // Every trade a bot was told was stored is stored once, under the id it was told; nothing else.
    for (const run of runs) {
      const stored = await sql<{ id: string; cycle: string }>(
        databaseUrl,
        'select id, cycle from trades where run_id = $1 order by cycle',
        [run.runId],
      );
      const told = [...run.trades].sort((x, y) => x.cycle - y.cycle);
      expect(stored.map((row) => [Number(row.cycle), Number(row.id)])).toEqual(
        told.map((t) => [t.cycle, t.tradeId]),
      );
      // and the admin sees the same through the load balancer
      const page = await admin<{ items: Json[] }>('GET', `/api/v1/trades?runId=${run.runId}&limit=1000`);
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(told.length);
      const [points] = await sql<{ n: string }>(
        databaseUrl,
        'select count(*) as n from run_metric_points where run_id = $1',
        [run.runId],
      );
      expect(Number(points.n)).toBe(run.updates);
    }
    // one run per bot (run/start was retried with its key), each completed with its stop's answer kept
    const perKey = await sql<{ n: string; status: string }>(
      databaseUrl,
      'select count(*) as n, min(status) as status from runs where id <> all($1::bigint[]) group by api_key_id',
      [silent],
    );
    expect(perKey).toEqual(Array.from({ length: BOTS + 1 }, () => ({ n: '1', status: 'completed' })));
    const [lostStored] = await sql<{ n: string }>(
      databaseUrl,
      'select count(*) as n from trades where run_id = $1',
      [lostRun],
    );
    expect(lostStored.n).toBe('1');
    for (const run of runs) expect(run.stop?.body['status']).toBe('completed');

    // Durable jobs once: one analysis and one notification per run, none failed.
    const analyses = await sql<{ run_id: string; trigger: string; state: string }>(
      databaseUrl,
      'select run_id, trigger, state from analyses order by run_id',
    );
    expect(analyses).toEqual(
      [
        ...fleetRuns.map((id) => ({ run_id: String(id), trigger: 'stop', state: 'complete' })),
        ...silent.map((id) => ({ run_id: String(id), trigger: 'stale', state: 'complete' })),
      ].sort((x, y) => Number(x.run_id) - Number(y.run_id)),
    );
    const notices = await sql<{ run_id: string; kind: string }>(
      databaseUrl,
      'select run_id, kind from notifications order by run_id',
    );
    expect(notices).toEqual(
      [
        ...fleetRuns.map((id) => ({ run_id: String(id), kind: 'run-summary' })),
        ...silent.map((id) => ({ run_id: String(id), kind: 'run-stale' })),
      ].sort((x, y) => Number(x.run_id) - Number(y.run_id)),
    );

    // The scheduled job once: each silent run closed once, one run.stale event for each on the survivor's stream.
    for (const id of silent.slice(0, SILENT_BEFORE))
      expect(staleOn(kept).filter((runId) => runId === id)).toHaveLength(1);
    await waitFor("the orphan's run.stale on the survivor's stream", () => staleOn(kept).includes(orphan));
    expect(staleOn(kept).filter((runId) => runId === orphan)).toHaveLength(1);
    // the one due at the kill: announced at most once (an instance that dies between a commit and its NOTIFY loses the event, not the work)
    expect(staleOn(kept).filter((runId) => runId === dying).length).toBeLessThanOrEqual(1);

    // The admin's screens stayed live: the survivor's stream and the reconnected one carry every stop
    // and every trade the survivor stored after the kill.
    const stopped = (stream: SseClient) =>
      named(stream.events, 'run.stopped').map((event) => event['runId'] as number);
    const logged = (stream: SseClient) =>
      new Set(named(stream.events, 'trade.logged').flatMap((event) => event['tradeIds'] as number[]));
    const storedAfter = (which: 'afterKill' | 'afterResume') =>
      runs.flatMap((run) => run.trades.filter((t) => t[which]).map((t) => t.tradeId));
    await waitFor('every stop on both streams', () =>
      [kept, resumed].every((stream) => fleetRuns.every((id) => stopped(stream).includes(id))),
    );
    for (const stream of [kept, resumed]) expect([...stopped(stream)].sort()).toEqual([...fleetRuns].sort());
    expect(storedAfter('afterKill').filter((id) => !logged(kept).has(id))).toEqual([]);
    expect(storedAfter('afterResume').length).toBeGreaterThan(0);
    expect(storedAfter('afterResume').filter((id) => !logged(resumed).has(id))).toEqual([]);
    expect(kept.ended).toBe(false);
    expect(survivor.process.exitCode).toBeNull();
  }, 120_000);
});
