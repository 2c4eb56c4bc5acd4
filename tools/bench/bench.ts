/**
 * `npm run bench [-- --quick]`: measures the Command Center on this machine and prints one markdown
 * table (also written to artifacts/bench.md). It starts its own embedded PostgreSQL and the
 * production build of the API, plus bare hello-world servers as same-run baselines.
 * A benchmark, not a test: nothing here fails the build when a target is missed.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { API_MAIN, freePort, startApiProcess } from '../testing/api-process';
import { startTestPostgres, TestPostgres } from '../testing/test-postgres';
import { Rng } from '../bot-simulator/src/rng';
import { MarketWorld, ASSETS, WINDOWS } from '../bot-simulator/src/market';
import { tradeBody, TradeBody } from '../bot-simulator/src/wire';
import { Histogram } from '../bot-simulator/src/stats';
import { bodyRing, boundedOpenLoop, closedLoop, fixedCount, LoadResult, recoveryProbe, Target } from './load';
import { FleetResult, GeneratorLoad, rssMb, runFleet } from './fleet';
import { measureVerdict } from './experiment-verdict';
import { writeArtifact } from './artifacts';

const ROOT = resolve(__dirname, '../..');
const QUICK = process.argv.includes('--quick');
const P = {
  connections: 32,
  closedSeconds: QUICK ? 3 : 10,
  /** Overload: open loop at this multiple of the trade closed loop's throughput. */
  overloadFactor: 3,
  overloadSeconds: QUICK ? 6 : 15,
  overloadMaxInFlight: 1024,
  /** Recovered: this many consecutive 2xx, each under `recoveryUnderMs`. */
  recoveryStreak: 20,
  recoveryUnderMs: 50,
  recoveryMaxSeconds: QUICK ? 30 : 60,
  batches: QUICK ? 10 : 30,
  batchSize: 1000,
  batchConcurrency: 2,
  stopTrades: 100_000,
  fleetBots: Number(arg('--fleet-bots') ?? 2000),
  /** Virtual seconds per real second: 1 is the bots' real cadence. */
  fleetSpeed: Number(arg('--fleet-speed') ?? 1),
  fleetSeconds: QUICK ? 30 : 90,
  /** Starts spread over this (≈ 67 run starts/s in the full run, 133/s in the quick one); the final stops too. */
  fleetRamp: QUICK ? 15 : 30,
  /** Share of the fleet whose run ends (and restarts) during the window: stops at a steady pace. */
  fleetRestartShare: 0.1,
  fastBots: QUICK ? 20 : 50,
  fastSpeed: 100,
  fastSeconds: QUICK ? 10 : 30,
  fastRestartShare: 0.3,
  pythonCalls: 10_000,
};
/** Targets from issue 9. */
const T = {
  /** An experiment at the demo's settings tells the better version apart within this many real seconds. */
  experimentSeconds: 300,
  configVsHello: 0.5,
  tradeVsFloor: 0.5,
  tradeP99: 50,
  batchTradesPerSec: 40_000,
  fleetP99: 100,
  rssMb: 300,
};

interface Row {
  name: string;
  throughput: string;
  p50: string;
  p99: string;
  target: string;
  result: string;
}
const rows: Row[] = [];
const notes: string[] = [];
const benchStart = performance.now();
const log = (line: string) =>
  process.stderr.write(`[bench +${((performance.now() - benchStart) / 1000).toFixed(0)} s] ${line}\n`);
const ms = (v: number) =>
  Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : '-';
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const met = (ok: boolean, miss: string) => (ok ? 'met' : `not met: ${miss}`);

function addLoadRow(name: string, r: LoadResult, target: string, result: string, unit = 'req/s'): void {
  rows.push({
    name,
    throughput: `${int(r.perSec)} ${unit}`,
    p50: ms(r.histogram.percentile(0.5)),
    p99: ms(r.histogram.percentile(0.99)),
    target,
    result,
  });
  if (r.errors > 0)
    notes.push(
      `${name}: ${r.errors} non-2xx answers (${JSON.stringify(r.statuses)}), e.g. ${r.lastBody ?? ''}`,
    );
}

async function ensureBuild(): Promise<void> {
  const { apiBuildIsStale } = (await import(join(ROOT, 'tools/scripts/api-build.mjs'))) as {
    apiBuildIsStale: (root: string) => boolean;
  };
  if (!apiBuildIsStale(ROOT) && !process.argv.includes('--build')) {
    log('dist/apps/api is newer than the API sources; using it (--build forces a build)');
    return;
  }
  log('building the API (production; the Nx cache makes this quick)...');
  const build = spawnSync('npx', ['nx', 'build', 'api'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    if (!existsSync(API_MAIN)) throw new Error(`nx build api failed:\n${build.stderr}`);
    log('nx build api failed; benchmarking the previous build in dist/apps/api');
    notes.push('`nx build api` failed at bench time; the previous build in dist/apps/api was measured.');
  }
}

/** A baseline server (hello-server.mjs, or floor-server.mjs for 'floor') on a free port. */
async function startHello(
  kind: 'fastify' | 'express' | 'http' | 'floor',
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess }> {
  const script =
    kind === 'floor' ? [join(__dirname, 'floor-server.mjs')] : [join(__dirname, 'hello-server.mjs'), kind];
  const child = spawn(process.execPath, script, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const port = await new Promise<number>((done, fail) => {
    child.stdout?.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim())));
    child.once('exit', (code) => fail(new Error(`hello-server ${kind} exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function dbSize(databaseUrl: string | null): Promise<number> {
  if (!databaseUrl) return NaN;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('checkpoint').catch(() => undefined);
    const result = await client.query<{ size: string }>(
      'select pg_database_size(current_database()) as size',
    );
    return Number(result.rows[0].size);
  } finally {
    await client.end();
  }
}

/** Realistic trades (77-digit token ids, condition ids) for run `runId`. */
function tradeMaker(runId: number, seed: number): () => Record<string, unknown> {
  const rng = new Rng(seed);
  const world = new MarketWorld(seed, Math.floor(Date.now() / 1000));
  let cycle = 0;
  return () => {
    cycle++;
    const info = world.windowAt(rng.pick(ASSETS), rng.pick(WINDOWS), Math.floor(Date.now() / 1000));
    const outcome = rng.chance(0.5) ? 'Up' : 'Down';
    return tradeBody({
      runId,
      cycle,
      asset: info.asset,
      windowDuration: info.window,
      side: 'buy',
      outcome,
      price: rng.int(5, 95) / 100,
      size: rng.int(2, 40) / 2,
      strategy: rng.chance(0.9) ? 'MM' : 'hedge',
      conditionId: info.conditionId,
      tokenId: outcome === 'Up' ? info.tokenIdUp : info.tokenIdDown,
    }) as unknown as Record<string, unknown>;
  };
}

async function startRun(api: Api, key = api.botKey): Promise<number> {
  const response = await fetch(`${api.url}/api/bot/run/start`, {
    method: 'POST',
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ configId: 1, mode: 'dry_run', startingBankroll: 500 }),
  });
  const body = (await response.json()) as { runId?: number };
  if (typeof body.runId !== 'number')
    throw new Error(`run/start failed: ${response.status} ${JSON.stringify(body)}`);
  return body.runId;
}

async function seedBatches(api: Api, runId: number, trades: number, seed: number): Promise<LoadResult> {
  const make = tradeMaker(runId, seed);
  const batches = Math.ceil(trades / P.batchSize);
  return fixedCount(
    {
      url: api.url,
      method: 'POST',
      path: '/api/bot/trade/batch',
      headers: { 'X-Api-Key': api.botKey },
      body: () => ({ trades: Array.from({ length: P.batchSize }, make) }),
    },
    batches,
    P.batchConcurrency,
  );
}

/**
 * What the database alone takes: the batch run's trades inserted by bare pg with the statement the
 * API uses (one jsonb_to_recordset INSERT per batch, same table, indexes and triggers), as many
 * connections as the batch run has requests in flight.
 */
async function batchFloorRun(
  databaseUrl: string,
  runId: number,
): Promise<{ tradesPerSec: number; histogram: Histogram }> {
  log(
    `floor of the batch: bare pg, ${P.batches} × ${P.batchSize}-row INSERT, ${P.batchConcurrency} connections...`,
  );
  const make = tradeMaker(runId, 3);
  const batches = Array.from({ length: P.batches }, () =>
    JSON.stringify(
      Array.from({ length: P.batchSize }, () => {
        const t = make() as unknown as TradeBody;
        return {
          run_id: t.runId,
          bot_id: null,
          cycle: t.cycle,
          asset: t.asset,
          window_duration: t.windowDuration,
          side: t.side,
          outcome: t.outcome,
          price: String(t.price),
          size: String(t.size),
          strategy: t.strategy,
          condition_id: t.conditionId ?? null,
          token_id: t.tokenId ?? null,
          extra: {},
        };
      }),
    ),
  );
  const histogram = new Histogram();
  const clients = await Promise.all(
    Array.from({ length: P.batchConcurrency }, async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  const t0 = performance.now();
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (let rows = batches.pop(); rows !== undefined; rows = batches.pop()) {
          const b0 = performance.now();
          await client.query(
            `insert into trades (run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id, extra)
             select run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id, coalesce(extra, '{}')
               from jsonb_to_recordset($1::jsonb) as x(run_id bigint, bot_id bigint, cycle bigint, asset text, window_duration text, side text,
                    outcome text, price numeric, size numeric, strategy text, condition_id text, token_id text, extra jsonb)
             returning id`,
            [rows],
          );
          histogram.record(performance.now() - b0);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  return { tradesPerSec: (P.batches * P.batchSize) / ((performance.now() - t0) / 1000), histogram };
}

async function stopHundredThousand(api: Api, databaseUrl: string | null): Promise<void> {
  const external = join(__dirname, 'stop-100k.ts');
  if (existsSync(external)) {
    const mod = (await import(external)) as {
      stop100k?: (
        url: string,
        key: string,
        o: { trades?: number },
      ) => Promise<{
        trades: number;
        seedSeconds: number;
        stopMs: number;
        status: number;
        overallScore: number | null;
        withinBotTimeout: boolean;
      }>;
      formatStop100k?: (r: unknown) => string;
    };
    if (typeof mod.stop100k === 'function') {
      log(
        `stop of a ${int(P.stopTrades)}-trade run (tools/bench/stop-100k.ts: seeding by batch, then run/stop)...`,
      );
      const r = await mod.stop100k(api.url, api.botKey, { trades: P.stopTrades });
      if (typeof mod.formatStop100k === 'function') notes.push(`stop-100k.ts: ${mod.formatStop100k(r)}`);
      rows.push({
        name: `POST /run/stop of a ${int(r.trades)}-trade run (tools/bench/stop-100k.ts)`,
        throughput: '-',
        p50: `${ms(r.stopMs)} (one call)`,
        p99: '-',
        target: '< 10 s, well under',
        result: met(
          r.withinBotTimeout,
          `${r.status !== 200 ? `HTTP ${r.status}; ` : ''}${((r.stopMs - 10_000) / 1000).toFixed(1)} s over`,
        ),
      });
      return;
    }
    notes.push('tools/bench/stop-100k.ts exports no stop100k function; the built-in measurement was used.');
  }
  log(`stop of a run with ${int(P.stopTrades)} trades: seeding by batch...`);
  const runId = await startRun(api);
  const before = await dbSize(databaseUrl);
  const seeded = await seedBatches(api, runId, P.stopTrades, 99);
  const after = await dbSize(databaseUrl);
  const perMillion = ((after - before) / P.stopTrades) * 1_000_000;
  // A few metric points, as a real run would have.
  for (let i = 0; i < 5; i++) {
    await fetch(`${api.url}/api/bot/run/update`, {
      method: 'POST',
      headers: { 'X-Api-Key': api.botKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        runId,
        totalOrders: P.stopTrades,
        totalFills: i * 1000,
        totalPnl: i * 1.5,
        walletBalance: 500 + i,
      }),
    });
  }
  const t0 = performance.now();
  const response = await fetch(`${api.url}/api/bot/run/stop`, {
    method: 'POST',
    headers: { 'X-Api-Key': api.botKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ runId, status: 'completed', totalPnl: 12.5, totalOrders: P.stopTrades }),
  });
  const body = (await response.json()) as { analysis?: { overallScore?: number } };
  const stopMs = performance.now() - t0;
  if (!response.ok)
    notes.push(`run/stop of the 100k run answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
  rows.push({
    name: `POST /run/stop of a ${int(P.stopTrades)}-trade run`,
    throughput: '-',
    p50: `${ms(stopMs)} (one call)`,
    p99: '-',
    target: '< 10 s, well under',
    result: met(stopMs < 10_000 && response.ok, `${((stopMs - 10_000) / 1000).toFixed(1)} s over`),
  });
  rows.push({
    name: `database size per million trades (from the ${int(P.stopTrades)}-trade seed, ${int(seeded.perSec * P.batchSize)} trades/s)`,
    throughput: '-',
    p50: '-',
    p99: '-',
    target: 'measured',
    result: Number.isFinite(perMillion)
      ? `${int(perMillion / 1024 / 1024)} MB / million trades (tables + indexes)`
      : 'not measured (give --database-url)',
  });
}

function addFleetRows(label: string, r: FleetResult, targetP99: number, memTarget: boolean): void {
  const { summary } = r;
  const worst = [...summary.endpoints].sort((a, b) => b.p99 - a.p99)[0];
  const stops = summary.endpoints.find((e) => e.endpoint === 'POST /run/stop');
  const misses = [
    worst && worst.p99 >= targetP99 ? `${worst.endpoint} p99 ${ms(worst.p99)} ms` : '',
    summary.failures ? `${int(summary.failures)} failed` : '',
    !stops ? 'no run/stop in the window' : '',
  ].filter(Boolean);
  rows.push({
    name:
      `${label}: all bot endpoints (${int(summary.runsStarted)} runs started, ${int(summary.restarts)} stopped and restarted in the window, ` +
      `${int(summary.requests)} requests, ${(summary.requestsPerSec / summary.bots).toFixed(2)} req/s per bot, ${int(summary.failures)} failed)`,
    throughput: `${summary.requestsPerSec.toFixed(0)} req/s${summary.steadyRequestsPerSec === null ? '' : ` (${summary.steadyRequestsPerSec.toFixed(0)} once all started)`}`,
    p50: '-',
    p99: worst ? `${ms(worst.p99)} (worst: ${worst.endpoint})` : '-',
    target: `no failure; p99 < ${targetP99} ms on every endpoint, run/stop included`,
    result: worst ? met(misses.length === 0, misses.join('; ')) : 'not met: no requests',
  });
  for (const e of summary.endpoints) {
    rows.push({
      name: `  ${label}: ${e.endpoint} (${int(e.count)})`,
      throughput: `${e.perSec.toFixed(1)} req/s`,
      p50: ms(e.p50),
      p99: ms(e.p99),
      target: `p99 < ${targetP99} ms, no failure`,
      result: met(
        e.p99 < targetP99 && e.failures === 0,
        [
          e.p99 >= targetP99 ? `${ms(e.p99 - targetP99)} ms over` : '',
          e.failures ? `${e.failures} failed` : '',
        ]
          .filter(Boolean)
          .join(', '),
      ),
    });
  }
  rows.push({
    name: `  ${label}: API resident memory (peak VmRSS)`,
    throughput: '-',
    p50: '-',
    p99: '-',
    target: memTarget ? `< ${T.rssMb} MB` : 'measured',
    result: !Number.isFinite(r.apiPeakRssMb)
      ? 'not measured (give --api-pid)'
      : memTarget
        ? `${int(r.apiPeakRssMb)} MB, ${met(r.apiPeakRssMb < T.rssMb, `${int(r.apiPeakRssMb - T.rssMb)} MB over`)}`
        : `${int(r.apiPeakRssMb)} MB`,
  });
  const td = summary.teardown;
  if (td) {
    const tdStop = td.endpoints.find((e) => e.endpoint === 'POST /run/stop');
    rows.push({
      name: `  ${label}: after the window, the remaining runs stopped over ${int(td.realSeconds)} s (${int(td.requests)} requests)`,
      throughput: `${(td.requests / Math.max(td.realSeconds, 0.001)).toFixed(0)} req/s`,
      p50: tdStop ? ms(tdStop.p50) : '-',
      p99: tdStop ? `${ms(tdStop.p99)} (run/stop)` : '-',
      target: 'info (a stop wave, not real cadence)',
      result: td.failures ? `${int(td.failures)} failed (see the notes)` : 'no failure',
    });
    if (td.failures) notes.push(`${label}, final stops: errors ${JSON.stringify(td.errors)}`);
  }
  generatorRows.push(`${label}: own process, ${generatorText(r.generator)}`);
  const state = generatorSaturated(r.generator);
  if (state) saturated.push(`${label}: ${state}`);
  if (summary.failures > 0) notes.push(`${label}: errors ${JSON.stringify(summary.errors)}`);
}

const generatorText = (g: GeneratorLoad) =>
  `CPU ${g.cpuPercent.toFixed(0)} % of a core, event-loop delay p99 ${ms(g.eventLoopP99Ms)} ms (max ${ms(g.eventLoopMaxMs)})`;
/**
 * The generator, not the server, sets the pace when it uses most of a core (saturated) or when its
 * timers run late (starved of CPU by the other processes): its latencies then include its own delay.
 */
const generatorSaturated = (g: GeneratorLoad): string | null =>
  g.cpuPercent > 85
    ? `saturated (CPU ${g.cpuPercent.toFixed(0)} %)`
    : g.eventLoopP99Ms > 20
      ? `starved of CPU (CPU ${g.cpuPercent.toFixed(0)} %, timers late by ${ms(g.eventLoopP99Ms)} ms at p99)`
      : null;
const generatorRows: string[] = [];
const saturated: string[] = [];

/** The closed loops run in the bench process: past ~85 % of a core it, not the server, sets the pace. */
function closedLoopGenerator(label: string, r: LoadResult): void {
  const cpu = r.generatorCpu ?? NaN;
  generatorRows.push(`${label} closed loop: bench process CPU ${cpu.toFixed(0)} % of a core`);
  if (cpu > 85) saturated.push(`${label} closed loop: saturated (CPU ${cpu.toFixed(0)} %)`);
}

async function fleet(
  api: Api,
  keys: string[],
  bots: number,
  speed: number,
  seconds: number,
  ramp: number,
  restartShare: number,
): Promise<FleetResult> {
  // Every bench run sees the same market phase: virtual time starts 45 s before a 15-minute boundary,
  // so the 5- and 15-minute windows of every bot roll over (a burst of new orders) during the run.
  const origin = Math.ceil(Date.now() / 1000 / 900) * 900 - 45;
  return runFleet(
    {
      url: api.url,
      keys,
      bots,
      speed,
      durationSec: seconds,
      rampSec: ramp,
      restartShare,
      seed: 2026,
      origin,
    },
    api.pid,
  );
}

/**
 * Before a measured phase: waits until the API answers again, one request at a time (5 consecutive
 * 2xx under 50 ms, at most 60 s), so one phase's backlog is not measured in the next.
 */
async function settle(api: Api, before: string): Promise<void> {
  const t0 = performance.now();
  const r = await recoveryProbe(
    { url: api.url, method: 'GET', path: '/api/bot/status', headers: { 'X-Api-Key': api.botKey } },
    t0,
    5,
    50,
    60,
  );
  const waited = (performance.now() - t0) / 1000;
  if (r.recoveredMs === null)
    notes.push(
      `Before ${before}: the API was still not answering quickly after 60 s (the previous phase's backlog); measured anyway.`,
    );
  else if (waited > 2) log(`waited ${waited.toFixed(1)} s for the API to settle before ${before}`);
}

/** `n` bot keys made through the admin API (one per simulated bot or connection). */
async function createBotKeys(api: Api, n: number, label: string): Promise<string[]> {
  const secrets: string[] = new Array<string>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        const response = await fetch(`${api.url}/api/v1/api-keys`, {
          method: 'POST',
          headers: { 'X-Api-Key': api.adminKey, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            name: `bench ${label} ${i + 1} (${new Date().toISOString().slice(0, 16)})`,
            scope: 'bot',
          }),
        });
        const body = (await response.json()) as { secret?: string; apiKey?: { id: number } };
        if (!response.ok || !body.secret || !body.apiKey)
          throw new Error(`creating a bench bot key failed: ${response.status} ${JSON.stringify(body)}`);
        secrets[i] = body.secret;
        api.createdKeyIds.push(body.apiKey.id);
      }
    }),
  );
  return secrets;
}

/**
 * Overload: POST /trade open loop at `overloadFactor` × the closed loop's throughput for a while,
 * in-flight bounded; then, from the moment the overload stops, one request at a time until
 * `recoveryStreak` consecutive 2xx answer under `recoveryUnderMs`.
 */
async function overloadRows(
  api: Api,
  capacity: number,
  connections: { headers: Record<string, string>; body: () => string }[],
): Promise<void> {
  const rate = Math.round(capacity * P.overloadFactor);
  log(
    `overload: POST /api/bot/trade open loop at ${int(rate)} req/s (${P.overloadFactor}× ${int(capacity)}) for ${P.overloadSeconds} s, then recovery...`,
  );
  let peak = api.pid ? rssMb(api.pid) : NaN;
  const sampler = setInterval(() => {
    if (api.pid) peak = Math.max(Number.isFinite(peak) ? peak : 0, rssMb(api.pid));
  }, 200);
  let i = 0;
  const targets: Target[] = connections.map((c) => ({
    url: api.url,
    method: 'POST',
    path: '/api/bot/trade',
    headers: c.headers,
    body: c.body,
  }));
  // Meanwhile one bot polls its config, one request at a time: it must be served while writes are shed.
  const configPoll = closedLoop(
    { url: api.url, method: 'GET', path: '/api/bot/config', headers: connections[0].headers },
    1,
    P.overloadSeconds,
    0,
  );
  // The bench's 1,024 connections are open before the overload starts, as a fleet's bots are: Node
  // (libuv) accepts one new connection per turn of the event loop, so a storm of new connections
  // during an overload waits in the accept queue (README, "Bounded under overload").
  const r = await boundedOpenLoop(
    () => targets[i++ % targets.length],
    rate,
    P.overloadSeconds,
    P.overloadMaxInFlight,
    P.overloadMaxInFlight,
    '/health',
  );
  const config = await configPoll;
  const recovery = await recoveryProbe(
    targets[0],
    r.endedAt,
    P.recoveryStreak,
    P.recoveryUnderMs,
    P.recoveryMaxSeconds,
  );
  await r.drained;
  clearInterval(sampler);
  if (api.pid) peak = Math.max(Number.isFinite(peak) ? peak : 0, rssMb(api.pid));
  const answered = r.served.count + r.shed + r.failed;
  const pct = (n: number) => `${((n / Math.max(answered, 1)) * 100).toFixed(1)} %`;
  const servedP99 = r.served.percentile(0.99);
  const failures = Object.entries(r.failures)
    .sort((a, b) => b[1] - a[1])
    .map(([label, n]) => `${label}: ${int(n)}`)
    .join(', ');
  rows.push({
    name:
      `overload: POST /api/bot/trade open loop at ${int(rate)} req/s (${P.overloadFactor}× the closed loop) for ${P.overloadSeconds} s, ` +
      `≤ ${P.overloadMaxInFlight} in flight on as many keep-alive connections opened before; sent ${int(r.sentPerSec)} req/s`,
    throughput: `${int(r.served.count / r.seconds)} req/s served (2xx)`,
    p50: ms(r.served.percentile(0.5)),
    p99: `${ms(servedP99)} (2xx)`,
    target: `what is not served is shed with 503 + Retry-After (no other failure); served p99 < ${T.tradeP99} ms`,
    result:
      `${met(r.failed === 0 && servedP99 < T.tradeP99, [r.failed ? `${int(r.failed)} other failures (${pct(r.failed)})` : '', servedP99 >= T.tradeP99 ? `served p99 ${ms(servedP99 - T.tradeP99)} ms over` : ''].filter(Boolean).join('; '))}; ` +
      `shed ${pct(r.shed)} (503 + Retry-After, p50 ${ms(r.shedLatency.percentile(0.5))} ms, p99 ${ms(r.shedLatency.percentile(0.99))} ms), served ${pct(r.served.count)} ` +
      `(info: served p99 ${ms(r.servedSteady.percentile(0.99))} ms for the requests sent after the first second)${failures ? `; failures: ${failures}` : ''}`,
  });
  const configP99 = config.histogram.percentile(0.99);
  rows.push({
    name: `  overload: GET /api/bot/config polled meanwhile, one at a time (${int(config.count)} polls)`,
    throughput: `${int(config.perSec)} req/s`,
    p50: ms(config.histogram.percentile(0.5)),
    p99: ms(configP99),
    target: `served while writes are shed: all 2xx, p99 < ${T.tradeP99} ms`,
    result: met(
      config.errors === 0 && configP99 < T.tradeP99,
      [
        config.errors
          ? `${int(config.errors)} of ${int(config.count)} failed (${JSON.stringify(config.statuses)})`
          : '',
        configP99 >= T.tradeP99 ? `p99 ${ms(configP99 - T.tradeP99)} ms over` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ),
  });
  rows.push({
    name: '  overload: API resident memory (peak VmRSS)',
    throughput: '-',
    p50: '-',
    p99: '-',
    target: `< ${T.rssMb} MB`,
    result: Number.isFinite(peak)
      ? `${int(peak)} MB, ${met(peak < T.rssMb, `${int(peak - T.rssMb)} MB over`)}`
      : 'not measured (give --api-pid)',
  });
  rows.push({
    name: `  overload: time to recover (from the end of the overload to the first of ${P.recoveryStreak} consecutive 2xx under ${P.recoveryUnderMs} ms, one at a time)`,
    throughput: '-',
    p50: recovery.recoveredMs === null ? '-' : `${ms(recovery.recoveredMs)} (one measure)`,
    p99: '-',
    target: 'recovers by itself',
    result:
      recovery.recoveredMs === null
        ? `not met: not recovered within ${P.recoveryMaxSeconds} s (${recovery.probes} probes; first 2xx ${recovery.firstSuccessMs === null ? 'never' : `after ${ms(recovery.firstSuccessMs)} ms`})`
        : `met: ${(recovery.recoveredMs / 1000).toFixed(2)} s (first 2xx after ${ms(recovery.firstSuccessMs ?? NaN)} ms)`,
  });
  // Requests refused by the in-flight bound were due on time: the generator kept the pace if they and the sent ones add up.
  const duePerSec = r.due / r.seconds;
  generatorRows.push(
    `overload: bench process CPU ${r.generatorCpu.toFixed(0)} % of a core, issued ${int(duePerSec)} of ${int(rate)} req/s asked ` +
      `(${int(r.sentPerSec)} sent, the rest refused by the in-flight bound), peak ${int(r.peakInFlight)} in flight`,
  );
  if (duePerSec < rate * 0.9) saturated.push(`overload: issued ${int(duePerSec)} of ${int(rate)} req/s`);
}

function pythonClientRow(): void {
  const client = join(ROOT, 'clients/python/polymaker_client.py');
  if (!existsSync(client)) {
    notes.push('clients/python/polymaker_client.py is missing: the client latency row was skipped.');
    return;
  }
  const dir = mkdtempSync('/tmp/polymaker-bench-py-');
  const script = `
import json, os, sys, time
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'clients/python'))})
import polymaker_client as pc
env = dict(os.environ)
cc = pc.PolyMakerClient(env, install_signal_handler=False)
run_id = cc.start_run(1, "dry_run", 500.0)
samples = []
for i in range(${P.pythonCalls}):
    t0 = time.perf_counter_ns()
    cc.log_trade(run_id, i, "BTC", "15m", "buy", "Up", 0.52, 10.0, "0xabc", "71321045679252212594626385532706912750332728571942532289631379312455583992563")
    samples.append(time.perf_counter_ns() - t0)
samples.sort()
q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))] / 1e6
t0 = time.perf_counter()
cc.close(0.2) if hasattr(cc, "close") else None
print(json.dumps({"n": len(samples), "p50": q(0.5), "p99": q(0.99), "max": samples[-1] / 1e6, "runId": run_id, "pending": cc.pending_count() if hasattr(cc, "pending_count") else None}))
sys.stdout.flush()
os._exit(0)
`;
  runPython(script, dir);
}

function runPython(script: string, dir: string): void {
  // The port is free (nobody listens): every delivery attempt is refused, as with a server that is down.
  const result = spawnSync('python3', ['-c', script], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      POLYMAKER_URL: `http://127.0.0.1:${closedPort}`,
      POLYMAKER_API_KEY: 'bench-bot-key-0123456789',
      POLYMAKER_SPOOL_PATH: join(dir, 'spool.sqlite3'),
      POLYMAKER_FLUSH_TIMEOUT: '0.2',
    },
  });
  rmSync(dir, { recursive: true, force: true });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const r = JSON.parse(line) as { n: number; p50: number; p99: number; max: number };
    rows.push({
      name: `Python client: log_trade() while the server is down (${int(r.n)} calls)`,
      throughput: '-',
      p50: ms(r.p50),
      p99: ms(r.p99),
      target: 'p99 < 1 ms',
      result: met(r.p99 < 1, `${ms(r.p99 - 1)} ms over`),
    });
  } catch {
    notes.push(
      `Python client latency could not be measured: ${(result.stderr || result.stdout || String(result.error)).slice(-500)}`,
    );
  }
}

let closedPort = 0;
let apiExit: string | null = null;
let stoppingApi = false;

/** The server under test: our own process, or a running one given with --url (see docs). */
interface Api {
  url: string;
  botKey: string;
  adminKey: string;
  /** Keys the bench made through the admin API (revoked at the end against a running server). */
  createdKeyIds: number[];
  pid: number | null;
  stop(): Promise<unknown>;
  output?: () => string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const inline = process.argv.find((a) => a.startsWith(`${name}=`));
  return inline ? inline.slice(name.length + 1) : undefined;
}

/** `--url U --admin-key K [--api-pid P] [--database-url D]`: bench a Command Center that is already running. */
async function externalApi(url: string): Promise<Api> {
  const adminKey = arg('--admin-key') ?? process.env['ADMIN_API_KEY'];
  if (!adminKey) throw new Error('--url needs --admin-key (or ADMIN_API_KEY) to create bench bot keys');
  const pid = arg('--api-pid');
  const api: Api = {
    url,
    botKey: '',
    adminKey,
    createdKeyIds: [],
    pid: pid ? Number(pid) : null,
    stop: async () => {
      const ids = [...api.createdKeyIds];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let id = ids.pop(); id !== undefined; id = ids.pop()) {
            await fetch(`${url}/api/v1/api-keys/${id}/revoke`, {
              method: 'POST',
              headers: { 'X-Api-Key': adminKey, 'Content-Type': 'application/json' },
              body: '{}',
            }).catch(() => undefined);
          }
        }),
      );
    },
  };
  [api.botKey] = await createBotKeys(api, 1, 'main');
  notes.push(
    `Measured against a running server (${url}${pid ? `, pid ${pid}` : ''}); the bench bot keys it made are revoked afterwards. Its rate limit may be what gets measured.`,
  );
  return api;
}

function fastifyVersion(): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/fastify/package.json'), 'utf8')) as { version: string }
  ).version;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  if (!arg('--url')) await ensureBuild();
  closedPort = await freePort();
  let pg: TestPostgres | null = null;
  let api: Api | null = null;
  const hellos: ChildProcess[] = [];
  const externalUrl = arg('--url');
  try {
    let databaseUrl: string | null;
    if (externalUrl) {
      databaseUrl = arg('--database-url') ?? null;
      api = await externalApi(externalUrl.replace(/\/$/, ''));
    } else {
      log('starting embedded PostgreSQL and the API...');
      pg = await startTestPostgres();
      databaseUrl = await pg.createDatabase('bench');
      // Each connection and simulated bot has a key of its own; the per-key rate limit is raised as
      // well, so the load is measured, not limited.
      const started = await startApiProcess({
        databaseUrl,
        env: { RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'warn' },
      });
      started.process.once('exit', (code, signal) => {
        if (stoppingApi) return;
        apiExit = `the API process (pid ${started.process.pid}) exited during the bench: code ${code}, signal ${signal}`;
        log(apiExit);
      });
      api = {
        url: started.url,
        botKey: started.botKey,
        adminKey: started.adminKey,
        createdKeyIds: [],
        pid: started.process.pid ?? null,
        stop: () => started.stop(),
        output: () => started.output(),
      };
    }
    const bot = { 'X-Api-Key': api.botKey };

    log(`hello-world baselines (${P.connections} connections, ${P.closedSeconds} s each)...`);
    const fastify = await startHello('fastify');
    hellos.push(fastify.child);
    const helloFastify = await closedLoop(
      { url: fastify.url, method: 'GET', path: '/hello' },
      P.connections,
      P.closedSeconds,
    );
    fastify.child.kill('SIGTERM');
    const expressHello = await startHello('express');
    hellos.push(expressHello.child);
    const helloExpress = await closedLoop(
      { url: expressHello.url, method: 'GET', path: '/hello' },
      P.connections,
      P.closedSeconds,
    );
    expressHello.child.kill('SIGTERM');
    const http = await startHello('http');
    hellos.push(http.child);
    const helloHttp = await closedLoop(
      { url: http.url, method: 'GET', path: '/hello' },
      P.connections,
      P.closedSeconds,
    );
    http.child.kill('SIGTERM');
    closedLoopGenerator('Fastify hello', helloFastify);
    closedLoopGenerator('node:http hello', helloHttp);
    addLoadRow(
      `bare Fastify ${fastifyVersion()} hello-world, ${P.connections} conn.`,
      helloFastify,
      'info',
      '-',
    );
    addLoadRow(
      `bare Express 5 hello-world, ${P.connections} conn. (the ceiling of Nest on Express)`,
      helloExpress,
      'info',
      '-',
    );
    addLoadRow(
      `bare node:http hello-world, ${P.connections} conn.`,
      helloHttp,
      'baseline of GET /config',
      '-',
    );

    log(`${P.connections} bench bot keys, one run each...`);
    const connKeys = await createBotKeys(api, P.connections, 'conn');
    const connRuns = await Promise.all(connKeys.map((key) => startRun(api as Api, key)));
    const perConnection = connKeys.map((key) => ({ headers: { 'X-Api-Key': key } }));
    const tradeConnections = connKeys.map((key, i) => ({
      headers: { 'X-Api-Key': key },
      body: bodyRing(tradeMaker(connRuns[i], 100 + i)),
    }));

    log('GET /api/bot/config...');
    const config = await closedLoop(
      { url: api.url, method: 'GET', path: '/api/bot/config', headers: bot },
      P.connections,
      P.closedSeconds,
      1,
      perConnection,
    );
    closedLoopGenerator('GET /config', config);
    const ratio = config.perSec / helloHttp.perSec;
    const configP99 = config.histogram.percentile(0.99);
    addLoadRow(
      `GET /api/bot/config, ${P.connections} conn. (one bot key each)`,
      config,
      `≥ ${T.configVsHello}× node:http hello (${int(helloHttp.perSec * T.configVsHello)} req/s); p99 < 5 ms`,
      `${met(ratio >= T.configVsHello && configP99 < 5, [ratio < T.configVsHello ? `${int(helloHttp.perSec * T.configVsHello - config.perSec)} req/s short` : '', configP99 >= 5 ? `p99 ${ms(configP99 - 5)} ms over` : ''].filter(Boolean).join('; '))} ` +
        `(${ratio.toFixed(2)}× node:http hello; info: ${(config.perSec / helloFastify.perSec).toFixed(2)}× Fastify hello)`,
    );

    // The floor: the same trades, the same table, the same database, one INSERT per request.
    let floor: LoadResult | null = null;
    if (databaseUrl) {
      log(
        `floor: bare node:http + pg, one INSERT ... RETURNING id per POST (${P.connections} connections)...`,
      );
      const floorServer = await startHello('floor', { DATABASE_URL: databaseUrl });
      hellos.push(floorServer.child);
      floor = await closedLoop(
        { url: floorServer.url, method: 'POST', path: '/api/bot/trade' },
        P.connections,
        P.closedSeconds,
        1,
        tradeConnections,
      );
      floorServer.child.kill('SIGTERM');
      addLoadRow(
        `floor: bare node:http + pg, one INSERT ... RETURNING id per request into trades, ${P.connections} conn.`,
        floor,
        'baseline of POST /trade',
        '-',
      );
      closedLoopGenerator('floor', floor);
    } else {
      notes.push('The floor (bare node:http + pg) needs the database: give --database-url.');
    }

    log(`POST /api/bot/trade closed loop (${P.connections} connections, ${P.connections} runs)...`);
    const trade = await closedLoop(
      { url: api.url, method: 'POST', path: '/api/bot/trade' },
      P.connections,
      P.closedSeconds,
      1,
      tradeConnections,
    );
    const tradeP99 = trade.histogram.percentile(0.99);
    const vsFloor = floor ? trade.perSec / floor.perSec : NaN;
    addLoadRow(
      `POST /api/bot/trade, ${P.connections} conn. (${P.connections} runs, one bot key each)`,
      trade,
      floor
        ? `≥ ${T.tradeVsFloor}× floor (${int(floor.perSec * T.tradeVsFloor)} req/s); p99 < ${T.tradeP99} ms`
        : `p99 < ${T.tradeP99} ms`,
      `${met(
        (!floor || vsFloor >= T.tradeVsFloor) && tradeP99 < T.tradeP99 && trade.errors === 0,
        [
          floor && vsFloor < T.tradeVsFloor
            ? `${int(floor.perSec * T.tradeVsFloor - trade.perSec)} req/s short`
            : '',
          tradeP99 >= T.tradeP99 ? `p99 ${ms(tradeP99 - T.tradeP99)} ms over` : '',
          trade.errors ? `${trade.errors} failed` : '',
        ]
          .filter(Boolean)
          .join('; '),
      )}${floor ? ` (${vsFloor.toFixed(2)}× floor)` : ''}`,
    );
    closedLoopGenerator('POST /trade', trade);

    // Capacity: what the closed loop got answered with 2xx.
    await settle(api, 'the overload');
    await overloadRows(api, Math.max(50, (trade.count - trade.errors) / trade.seconds), tradeConnections);

    await settle(api, 'the batch run');
    log(
      `POST /api/bot/trade/batch (${P.batches} × ${P.batchSize} trades, ${P.batchConcurrency} in flight)...`,
    );
    const batchRun = await startRun(api);
    const sizeBefore = await dbSize(databaseUrl);
    const batch = await seedBatches(api, batchRun, P.batches * P.batchSize, 2);
    const sizeAfter = await dbSize(databaseUrl);
    const tradesPerSec = batch.perSec * P.batchSize;
    const batchFloor = databaseUrl ? await batchFloorRun(databaseUrl, batchRun) : null;
    rows.push({
      name: `POST /api/bot/trade/batch, ${P.batchSize}-trade batches, ${P.batchConcurrency} in flight`,
      throughput: `${int(tradesPerSec)} trades/s`,
      p50: `${ms(batch.histogram.percentile(0.5))} / batch`,
      p99: `${ms(batch.histogram.percentile(0.99))} / batch`,
      target: `≥ ${int(T.batchTradesPerSec)} trades/s`,
      result:
        met(
          tradesPerSec >= T.batchTradesPerSec && batch.errors === 0,
          `${int(T.batchTradesPerSec - tradesPerSec)} trades/s short${batch.errors ? `, ${batch.errors} failed` : ''}`,
        ) +
        (batchFloor
          ? ` (${(tradesPerSec / batchFloor.tradesPerSec).toFixed(2)}× the database floor below)`
          : ''),
    });
    if (batchFloor) {
      rows.push({
        name: `  floor of the batch: the same ${P.batchSize}-row INSERT statement sent by bare pg, ${P.batchConcurrency} connections (no HTTP, no validation)`,
        throughput: `${int(batchFloor.tradesPerSec)} trades/s`,
        p50: `${ms(batchFloor.histogram.percentile(0.5))} / batch`,
        p99: `${ms(batchFloor.histogram.percentile(0.99))} / batch`,
        target: 'info: what PostgreSQL takes on this machine',
        result: '-',
      });
    }
    if (batch.errors) notes.push(`batch: ${batch.errors} failed: ${batch.lastBody}`);
    const batchPerMillion = ((sizeAfter - sizeBefore) / (P.batches * P.batchSize)) * 1e6;

    await stopHundredThousand(api, databaseUrl);
    if (!rows.some((r) => r.name.startsWith('database size'))) {
      rows.push({
        name: `database size per million trades (pg_database_size around the ${int(P.batches * P.batchSize)}-trade batch run, realistic trades)`,
        throughput: '-',
        p50: '-',
        p99: '-',
        target: 'measured',
        result: Number.isFinite(batchPerMillion)
          ? `${int(batchPerMillion / 1024 / 1024)} MB / million trades (tables + indexes)`
          : 'not measured (give --database-url)',
      });
    }

    log(`${int(P.fleetBots)} bot keys for the fleet...`);
    const fleetKeys = await createBotKeys(api, P.fleetBots, 'fleet');
    log(
      `fleet: ${int(P.fleetBots)} bots at ${P.fleetSpeed}× cadence for ${P.fleetSeconds} s (starts spread over ${P.fleetRamp} s, ` +
        `${P.fleetRestartShare * 100} % of the runs stop and restart in the window; generator in its own process)...`,
    );
    await settle(api, 'the fleet');
    const real = await fleet(
      api,
      fleetKeys,
      P.fleetBots,
      P.fleetSpeed,
      P.fleetSeconds,
      P.fleetRamp,
      P.fleetRestartShare,
    );
    addFleetRows(
      `${int(P.fleetBots)} bots, ${P.fleetSpeed === 1 ? 'real cadence' : `${P.fleetSpeed}× cadence`}, ${P.fleetSeconds} s (starts over ${P.fleetRamp} s)`,
      real,
      T.fleetP99,
      true,
    );

    log(`simulator: ${P.fastBots} bots at ${P.fastSpeed}× cadence for ${P.fastSeconds} s...`);
    await settle(api, `the ${P.fastBots}-bot run`);
    const fast = await fleet(
      api,
      fleetKeys.slice(0, P.fastBots),
      P.fastBots,
      P.fastSpeed,
      P.fastSeconds,
      2,
      P.fastRestartShare,
    );
    addFleetRows(`${P.fastBots} bots, ${P.fastSpeed}× cadence, ${P.fastSeconds} s`, fast, T.fleetP99, false);

    log('Python client call latency with the server down...');
    pythonClientRow();

    const verdictSeconds = QUICK ? 120 : T.experimentSeconds;
    log(`an experiment at the demo's settings (${verdictSeconds} s, its own database and API)...`);
    const verdict = await measureVerdict(
      { speed: 30, runLengthSec: 1200, seconds: verdictSeconds, edge: 0.1, seed: 2026 },
      log,
    );
    const toldIn = verdict.realSecondsToVerdict;
    rows.push({
      name: `experiment at the demo's settings: 6 bots at x30, runs of 20 simulated min; v2 fills 0.1 cheaper (simEdge) on 2 bots, against the baseline on 2, for ${verdictSeconds} s`,
      throughput: '-',
      p50: '-',
      p99: '-',
      target: `told apart within ${T.experimentSeconds} s`,
      result:
        toldIn !== null && toldIn <= T.experimentSeconds
          ? `met: told apart after ${toldIn.toFixed(0)} s (${verdict.hoursToVerdict?.toFixed(2)} bot-hours under the two versions); at the end: "${verdict.verdict}"`
          : `not met: ${toldIn === null ? `not told apart in ${verdictSeconds} s` : `told apart after ${toldIn.toFixed(0)} s`}; at the end: "${verdict.verdict}"`,
    });
    rows.push({
      name: `the same experiment's second comparison: an identical copy of the baseline on the 2 other bots, for ${verdictSeconds} s`,
      throughput: '-',
      p50: '-',
      p99: '-',
      target: 'never told apart (read every 5 s)',
      result: `${met(!verdict.nullEverTold, 'told apart at least once')}; at the end: "${verdict.nullVerdict}" (segments ${verdict.segments.join(' / ')})`,
    });
    rows.push({
      name: 'load generator (not the server): its own CPU and timer delay',
      throughput: '-',
      p50: '-',
      p99: '-',
      target: 'not the bottleneck',
      result: saturated.length
        ? `not met: ${saturated.join('; ')} (those rows measure the generator too)`
        : 'met: not saturated',
    });
    notes.push(`Load generator: ${generatorRows.join('; ')}.`);
  } finally {
    for (const child of hellos) if (child.exitCode === null) child.kill('SIGTERM');
    if (api?.output) {
      writeArtifact('bench-api.log', api.output());
    }
    stoppingApi = true;
    await api?.stop();
    await pg?.stop();
  }

  const cpu = cpus();
  const header = [
    `## Benchmark (${QUICK ? 'quick' : 'full'} run, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${int(totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}; ` +
      `load generator, API process and embedded PostgreSQL share these cores. Latencies in ms.`,
    '',
    '| measurement | throughput | p50 ms | p99 ms | target | result |',
    '|---|---:|---:|---:|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.throughput} | ${r.p50} | ${r.p99} | ${r.target} | ${r.result} |`),
  ];
  if (notes.length) header.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  header.push('', `Bench took ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
  const text = `${header.join('\n')}\n`;
  writeArtifact('bench.md', text);
  process.stdout.write(`\n${text}\nWritten to artifacts/bench.md\n`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(
      `bench failed: ${error.stack ?? error.message}\n${apiExit ? `${apiExit} (see artifacts/bench-api.log)\n` : ''}`,
    );
    process.exit(1);
  },
);
