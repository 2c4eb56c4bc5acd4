/**
 * `npm run bench [-- --quick]`: measures the Command Center on this machine and prints one markdown
 * table (also written to artifacts/bench.md). It starts its own embedded PostgreSQL and the
 * production build of the API, plus bare hello-world servers as same-run baselines.
 * A benchmark, not a test: nothing here fails the build when a target is missed.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { API_MAIN, freePort, startApiProcess } from '../testing/api-process';
import { startTestPostgres, TestPostgres } from '../testing/test-postgres';
import { Rng } from '../bot-simulator/src/rng';
import { MarketWorld, ASSETS, WINDOWS } from '../bot-simulator/src/market';
import { runSimulation, SimulationSummary } from '../bot-simulator/src/simulation';
import { REAL_CADENCE } from '../bot-simulator/src/bot';
import { tradeBody } from '../bot-simulator/src/wire';
import { closedLoop, fixedCount, LoadResult, openLoop } from './load';

const ROOT = resolve(__dirname, '../..');
const QUICK = process.argv.includes('--quick');
const P = {
  connections: 32,
  closedSeconds: QUICK ? 3 : 10,
  tradeRate: 200,
  tradeSeconds: QUICK ? 5 : 15,
  batches: QUICK ? 10 : 30,
  batchSize: 1000,
  batchConcurrency: 2,
  stopTrades: 100_000,
  simBots: 500,
  simSeconds: QUICK ? 20 : 60,
  simStagger: QUICK ? 5 : 10,
  fastBots: QUICK ? 20 : 50,
  fastSpeed: 100,
  fastSeconds: QUICK ? 10 : 30,
  pythonCalls: 10_000,
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
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : '-');
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const met = (ok: boolean, miss: string) => (ok ? 'met' : `not met: ${miss}`);

function addLoadRow(name: string, r: LoadResult, target: string, result: string, unit = 'req/s'): void {
  rows.push({ name, throughput: `${int(r.perSec)} ${unit}`, p50: ms(r.histogram.percentile(0.5)), p99: ms(r.histogram.percentile(0.99)), target, result });
  if (r.errors > 0) notes.push(`${name}: ${r.errors} non-2xx answers (${JSON.stringify(r.statuses)}), e.g. ${r.lastBody ?? ''}`);
}

async function ensureBuild(): Promise<void> {
  const { apiBuildIsStale } = (await import(join(ROOT, 'tools/scripts/api-build.mjs'))) as { apiBuildIsStale: (root: string) => boolean };
  if (!apiBuildIsStale(ROOT) && !process.argv.includes('--build')) {
    log('dist/apps/api is newer than the API sources; using it (--build forces a build)');
    return;
  }
  log('building the API (production; the Nx cache makes this quick)...');
  const build = spawnSync('npx', ['nx', 'build', 'api'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (build.status !== 0) {
    if (!existsSync(API_MAIN)) throw new Error(`nx build api failed:\n${build.stderr}`);
    log('nx build api failed; benchmarking the previous build in dist/apps/api');
    notes.push('`nx build api` failed at bench time; the previous build in dist/apps/api was measured.');
  }
}

async function startHello(kind: 'fastify' | 'http'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, 'hello-server.mjs'), kind], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((done, fail) => {
    child.stdout?.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim())));
    child.once('exit', (code) => fail(new Error(`hello-server ${kind} exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function dbSize(databaseUrl: string | null): Promise<number> {
  if (!databaseUrl) return NaN;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('checkpoint').catch(() => undefined);
    const result = await client.query<{ size: string }>('select pg_database_size(current_database()) as size');
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

async function startRun(api: Api): Promise<number> {
  const response = await fetch(`${api.url}/api/bot/run/start`, {
    method: 'POST',
    headers: { 'X-Api-Key': api.botKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ configId: 1, mode: 'dry_run', startingBankroll: 500 }),
  });
  const body = (await response.json()) as { runId?: number };
  if (typeof body.runId !== 'number') throw new Error(`run/start failed: ${response.status} ${JSON.stringify(body)}`);
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

async function stopHundredThousand(api: Api, databaseUrl: string | null): Promise<void> {
  const external = join(__dirname, 'stop-100k.ts');
  if (existsSync(external)) {
    const mod = (await import(external)) as {
      stop100k?: (url: string, key: string, o: { trades?: number }) => Promise<{ trades: number; seedSeconds: number; stopMs: number; status: number; overallScore: number | null; withinBotTimeout: boolean }>;
      formatStop100k?: (r: unknown) => string;
    };
    if (typeof mod.stop100k === 'function') {
      log(`stop of a ${int(P.stopTrades)}-trade run (tools/bench/stop-100k.ts: seeding by batch, then run/stop)...`);
      const r = await mod.stop100k(api.url, api.botKey, { trades: P.stopTrades });
      if (typeof mod.formatStop100k === 'function') notes.push(`stop-100k.ts: ${mod.formatStop100k(r)}`);
      rows.push({
        name: `POST /run/stop of a ${int(r.trades)}-trade run (tools/bench/stop-100k.ts)`,
        throughput: '-',
        p50: `${ms(r.stopMs)} (one call)`,
        p99: '-',
        target: '< 10 s, well under',
        result: met(r.withinBotTimeout, `${r.status !== 200 ? `HTTP ${r.status}; ` : ''}${((r.stopMs - 10_000) / 1000).toFixed(1)} s over`),
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
      body: JSON.stringify({ runId, totalOrders: P.stopTrades, totalFills: i * 1000, totalPnl: i * 1.5, walletBalance: 500 + i }),
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
  if (!response.ok) notes.push(`run/stop of the 100k run answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`);
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
    result: Number.isFinite(perMillion) ? `${int(perMillion / 1024 / 1024)} MB / million trades (tables + indexes)` : 'not measured (give --database-url)',
  });
}

function addSimRows(label: string, summary: SimulationSummary, peakRss: number, memTarget: boolean): void {
  const worst = [...summary.endpoints].sort((a, b) => b.p99 - a.p99)[0];
  rows.push({
    name: `${label}: all bot endpoints (${summary.runsStarted} runs, ${int(summary.requests)} requests)`,
    throughput: `${summary.requestsPerSec.toFixed(0)} req/s`,
    p50: '-',
    p99: worst ? `${ms(worst.p99)} (worst: ${worst.endpoint})` : '-',
    target: 'p99 < 50 ms on every endpoint',
    result: met(!!worst && worst.p99 < 50 && summary.failures === 0, worst ? `${worst.endpoint} p99 ${ms(worst.p99)} ms${summary.failures ? `, ${summary.failures} failed` : ''}` : 'no requests'),
  });
  for (const e of summary.endpoints) {
    rows.push({
      name: `  ${label}: ${e.endpoint}`,
      throughput: `${e.perSec.toFixed(1)} req/s`,
      p50: ms(e.p50),
      p99: ms(e.p99),
      target: 'p99 < 50 ms',
      result: met(e.p99 < 50 && e.failures === 0, `${e.p99 >= 50 ? `${ms(e.p99 - 50)} ms over` : ''}${e.failures ? ` ${e.failures} failed` : ''}`),
    });
  }
  rows.push({
    name: `${label}: API resident memory (peak VmRSS)`,
    throughput: '-',
    p50: '-',
    p99: '-',
    target: memTarget ? '< 300 MB' : 'measured',
    result: !Number.isFinite(peakRss)
      ? 'not measured (give --api-pid)'
      : memTarget
        ? `${int(peakRss)} MB, ${met(peakRss < 300, `${int(peakRss - 300)} MB over`)}`
        : `${int(peakRss)} MB`,
  });
  if (summary.failures > 0) notes.push(`${label}: errors ${JSON.stringify(summary.errors)}`);
}

async function simulate(api: Api, bots: number, speed: number, seconds: number, stagger: number): Promise<{ summary: SimulationSummary; peakRss: number }> {
  let peakRss = api.pid ? rssMb(api.pid) : NaN;
  const summary = await runSimulation({
    url: api.url,
    apiKey: api.botKey,
    apiKeys: api.botKeys,
    bots,
    speed,
    durationSec: seconds,
    staggerSec: stagger,
    seed: 2026,
    cadence: REAL_CADENCE,
    progress: 'none',
    onTick: () => {
      if (api.pid) peakRss = Math.max(peakRss || 0, rssMb(api.pid));
    },
  });
  if (api.pid) peakRss = Math.max(peakRss || 0, rssMb(api.pid));
  return { summary, peakRss };
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
    notes.push(`Python client latency could not be measured: ${(result.stderr || result.stdout || String(result.error)).slice(-500)}`);
  }
}

let closedPort = 0;
let apiExit: string | null = null;
let stoppingApi = false;

/** The server under test: our own process, or a running one given with --url (see docs). */
interface Api {
  url: string;
  botKey: string;
  /** Bot keys to spread load over (one per connection / bot, round robin). */
  botKeys: string[];
  adminKey: string;
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
  const created: { id: number; secret: string }[] = [];
  // Several keys so the per-key rate limit of a normally configured server is not what gets measured.
  for (let i = 0; i < 16; i++) {
    const response = await fetch(`${url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'X-Api-Key': adminKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `bench ${i + 1} (${new Date().toISOString().slice(0, 16)})`, scope: 'bot' }),
    });
    const body = (await response.json()) as { secret?: string; apiKey?: { id: number } };
    if (!response.ok || !body.secret || !body.apiKey) throw new Error(`creating a bench bot key failed: ${response.status} ${JSON.stringify(body)}`);
    created.push({ id: body.apiKey.id, secret: body.secret });
  }
  const pid = arg('--api-pid');
  notes.push(`Measured against a running server (${url}${pid ? `, pid ${pid}` : ''}); load spread over ${created.length} bench bot keys, revoked afterwards.`);
  return {
    url,
    botKey: created[0].secret,
    botKeys: created.map((c) => c.secret),
    adminKey,
    pid: pid ? Number(pid) : null,
    stop: async () => {
      for (const key of created) {
        await fetch(`${url}/api/v1/api-keys/${key.id}/revoke`, { method: 'POST', headers: { 'X-Api-Key': adminKey, 'Content-Type': 'application/json' }, body: '{}' }).catch(() => undefined);
      }
    },
  };
}

function fastifyVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules/fastify/package.json'), 'utf8')) as { version: string }).version;
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
      // One key for every simulated bot: the per-key rate limit is raised so the load is measured, not limited.
      const started = await startApiProcess({ databaseUrl, env: { RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'warn' } });
      started.process.once('exit', (code, signal) => {
        if (stoppingApi) return;
        apiExit = `the API process (pid ${started.process.pid}) exited during the bench: code ${code}, signal ${signal}`;
        log(apiExit);
      });
      api = { url: started.url, botKey: started.botKey, botKeys: [started.botKey], adminKey: started.adminKey, pid: started.process.pid ?? null, stop: () => started.stop(), output: () => started.output() };
    }
    const bot = { 'X-Api-Key': api.botKey };
    const perConnection = api.botKeys.map((key) => ({ 'X-Api-Key': key }));

    log(`hello-world baselines (${P.connections} connections, ${P.closedSeconds} s each)...`);
    const fastify = await startHello('fastify');
    hellos.push(fastify.child);
    const helloFastify = await closedLoop({ url: fastify.url, method: 'GET', path: '/hello' }, P.connections, P.closedSeconds);
    fastify.child.kill('SIGTERM');
    const expressHello = await startHello('express');
    hellos.push(expressHello.child);
    const helloExpress = await closedLoop({ url: expressHello.url, method: 'GET', path: '/hello' }, P.connections, P.closedSeconds);
    expressHello.child.kill('SIGTERM');
    const http = await startHello('http');
    hellos.push(http.child);
    const helloHttp = await closedLoop({ url: http.url, method: 'GET', path: '/hello' }, P.connections, P.closedSeconds);
    http.child.kill('SIGTERM');
    addLoadRow(`bare Fastify ${fastifyVersion()} hello-world, ${P.connections} conn.`, helloFastify, 'baseline', '-');
    addLoadRow(`bare Express 5 hello-world, ${P.connections} conn. (the ceiling of Nest on Express)`, helloExpress, 'baseline', '-');
    addLoadRow(`bare node:http hello-world, ${P.connections} conn.`, helloHttp, 'baseline', '-');

    log('GET /api/bot/config...');
    const config = await closedLoop({ url: api.url, method: 'GET', path: '/api/bot/config', headers: bot }, P.connections, P.closedSeconds, 1, perConnection);
    const ratio = config.perSec / helloFastify.perSec;
    const configP99 = config.histogram.percentile(0.99);
    addLoadRow(
      `GET /api/bot/config, ${P.connections} conn.`,
      config,
      `p99 < 5 ms; ≥ 50% of Fastify hello (${int(helloFastify.perSec / 2)} req/s)`,
      configP99 < 5 && ratio >= 0.5
        ? `met (${(ratio * 100).toFixed(0)}% of hello)`
        : `not met: ${[configP99 >= 5 ? `p99 ${ms(configP99 - 5)} ms over` : '', ratio < 0.5 ? `${(ratio * 100).toFixed(0)}% of hello (${int(helloFastify.perSec / 2 - config.perSec)} req/s short)` : ''].filter(Boolean).join('; ')}`,
    );

    log(`POST /api/bot/trade at ${P.tradeRate} req/s (open loop, ${P.tradeSeconds} s)...`);
    const tradeRun = await startRun(api);
    const trade = await openLoop(
      { url: api.url, method: 'POST', path: '/api/bot/trade', headers: bot, body: tradeMaker(tradeRun, 1) },
      P.tradeRate,
      P.tradeSeconds,
    );
    const tradeP99 = trade.histogram.percentile(0.99);
    addLoadRow(`POST /api/bot/trade, open loop at ${P.tradeRate} req/s`, trade, 'p99 < 20 ms', met(tradeP99 < 20, `p99 ${ms(tradeP99 - 20)} ms over`));

    log(`POST /api/bot/trade/batch (${P.batches} × ${P.batchSize} trades, ${P.batchConcurrency} in flight)...`);
    const batchRun = await startRun(api);
    const sizeBefore = await dbSize(databaseUrl);
    const batch = await seedBatches(api, batchRun, P.batches * P.batchSize, 2);
    const sizeAfter = await dbSize(databaseUrl);
    const tradesPerSec = batch.perSec * P.batchSize;
    rows.push({
      name: `POST /api/bot/trade/batch, ${P.batchSize}-trade batches, ${P.batchConcurrency} in flight`,
      throughput: `${int(tradesPerSec)} trades/s`,
      p50: `${ms(batch.histogram.percentile(0.5))} / batch`,
      p99: `${ms(batch.histogram.percentile(0.99))} / batch`,
      target: '≥ 20,000 trades/s',
      result: met(tradesPerSec >= 20_000, `${int(20_000 - tradesPerSec)} trades/s short`),
    });
    if (batch.errors) notes.push(`batch: ${batch.errors} failed: ${batch.lastBody}`);
    const batchPerMillion = ((sizeAfter - sizeBefore) / (P.batches * P.batchSize)) * 1e6;

    await stopHundredThousand(api, databaseUrl);
    if (!rows.some((r) => r.name.startsWith('database size'))) {
      rows.push({ name: `database size per million trades (pg_database_size around the ${int(P.batches * P.batchSize)}-trade batch run, realistic trades)`, throughput: '-', p50: '-', p99: '-', target: 'measured', result: Number.isFinite(batchPerMillion) ? `${int(batchPerMillion / 1024 / 1024)} MB / million trades (tables + indexes)` : 'not measured (give --database-url)' });
    }

    log(`simulator: ${P.simBots} bots at real cadence for ${P.simSeconds} s (starts spread over ${P.simStagger} s)...`);
    const real = await simulate(api, P.simBots, 1, P.simSeconds, P.simStagger);
    addSimRows(`${P.simBots} bots, real cadence, ${P.simSeconds} s`, real.summary, real.peakRss, true);

    log(`simulator: ${P.fastBots} bots at ${P.fastSpeed}× cadence for ${P.fastSeconds} s...`);
    const fast = await simulate(api, P.fastBots, P.fastSpeed, P.fastSeconds, 2);
    addSimRows(`${P.fastBots} bots, ${P.fastSpeed}× cadence, ${P.fastSeconds} s`, fast.summary, fast.peakRss, false);

    log('Python client call latency with the server down...');
    pythonClientRow();
  } finally {
    for (const child of hellos) if (child.exitCode === null) child.kill('SIGTERM');
    if (api?.output) {
      mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
      writeFileSync(join(ROOT, 'artifacts/bench-api.log'), api.output());
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
  mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'artifacts/bench.md'), text);
  process.stdout.write(`\n${text}\nWritten to artifacts/bench.md\n`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n${apiExit ? `${apiExit} (see artifacts/bench-api.log)\n` : ''}`);
    process.exit(1);
  },
);
