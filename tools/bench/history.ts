/**
 * `npm run bench -- --history [--history-trades N] [--history-repeats K]`: the admin API over a
 * long trade history. Seeds N trades (default 50,000,000) server-side with generate_series into a
 * fresh embedded PostgreSQL (about 0.5 GB per million trades: check `df -h` first), then measures,
 * warm (one warm-up, then the median of K calls), the admin API's pages a user opens and the bot's
 * insert path against the same closed loop on the empty database before the seed.
 * A benchmark, not a test: nothing here fails the build when a target is missed.
 */
import { cpus, totalmem } from 'node:os';
import { Client } from 'pg';
import { startApiProcess } from '../testing/api-process';
import { request } from '../testing/http-client';
import { createDatabase, startTestPostgres } from '../testing/test-postgres';
import { writeArtifact } from './artifacts';
import { createBotKey, insertLoop, startRun } from './bot-traffic';
import { LoadResult } from './load';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const N = Number(arg('--history-trades') ?? 50_000_000);
const REPEATS = Number(arg('--history-repeats') ?? 5);
/** Several thousand runs at 50M trades (one per 10,000 trades, at least 200), over ~20 bots. */
const RUNS = Math.max(200, Math.round(N / 10_000));
const BOTS = 20;
const DAYS = 365;
const CHUNK = 1_000_000;
const TARGET_MS = 100;
const INSERT_CONNECTIONS = 16;
const INSERT_SECONDS = 5;

const log = (message: string) =>
  process.stderr.write(`[history ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const int = (v: number) => Math.round(v).toLocaleString('en-US');

interface Row {
  name: string;
  figure: string;
  target: string;
  result: string;
}

async function timed(url: string, key: string, path: string): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const response = await fetch(`${url}${path}`, { headers: { 'X-Api-Key': key } });
  await response.arrayBuffer();
  return { ms: performance.now() - t0, status: response.status };
}

/** One warm-up, then the median of REPEATS calls (one at a time). */
async function warmMedian(
  url: string,
  key: string,
  path: string,
): Promise<{ median: number; max: number; status: number }> {
  const first = await timed(url, key, path);
  if (first.status !== 200) return { median: NaN, max: NaN, status: first.status };
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) times.push((await timed(url, key, path)).ms);
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1], status: 200 };
}

/**
 * The seed, all in PostgreSQL: runs of ~20 bots spread over a year (the newest still running), then
 * the trades in chunks of a million, in time order (ids grow with time, as live trades' do): each
 * trade's run is the run of its moment, 4 assets (BTC heaviest), 5m and 15m windows whose token ids
 * name the window, statuses mostly filled and cancelled, exact numeric prices, sizes and P&L. The
 * per-run aggregates are kept by the triggers as the rows go in, as in production.
 */
async function seed(client: Client, bots: { botId: number; keyId: number }[]): Promise<void> {
  // the past year's monthly partitions, as a database upgraded with a year of history has them
  await client.query(
    `do $$
     declare month timestamptz;
     begin
       for i in 1..13 loop
         month := (date_trunc('month', now() at time zone 'UTC') - make_interval(months => i)) at time zone 'UTC';
         execute format('create table if not exists %I partition of trades for values from (%L) to (%L)',
           'trades_' || to_char(month at time zone 'UTC', '"y"YYYY"m"MM'), month, ((month at time zone 'UTC') + interval '1 month') at time zone 'UTC');
       end loop;
     end $$`,
  );
  const { rows } = await client.query<{ first: string }>(
    `with made as (
     insert into runs (api_key_id, bot_id, mode, status, started_at, last_update_at, stopped_at, metrics, starting_bankroll)
     select (b->>'keyId')::bigint, (b->>'botId')::bigint, 'dry_run',
            case when r > $2 - $3 then 'running' else 'completed' end,
            now() - make_interval(days => $4) + (r - 1) * (make_interval(days => $4) / $2),
            now() - make_interval(days => $4) + r * (make_interval(days => $4) / $2),
            case when r > $2 - $3 then null else now() - make_interval(days => $4) + r * (make_interval(days => $4) / $2) end,
            '{}'::jsonb, 500
       from generate_series(1, $2) r
       cross join lateral (select value as b from jsonb_array_elements($1::jsonb) with ordinality e(value, n) where n = 1 + (r % $5)) k
     returning id)
     select min(id) as first from made`,
    [JSON.stringify(bots), RUNS, BOTS, DAYS, bots.length],
  );
  const firstRun = Number(rows[0].first);
  for (let from = 1; from <= N; from += CHUNK) {
    const to = Math.min(N, from + CHUNK - 1);
    const t0 = performance.now();
    await client.query(
      `insert into trades (run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, strategy, condition_id, token_id,
                           status, fill_price, fill_size, fill_timestamp, resolved_outcome, pnl, created_at, updated_at)
       select r.id, r.bot_id, g, x.asset, x.win, case when h % 7 = 0 then 'sell' else 'buy' end, x.outcome,
              x.price, x.size, case when h % 10 = 0 then 'hedge' else 'MM' end,
              'cond-' || x.asset || '-' || x.win || '-' || x.slot, 'tok-' || x.asset || '-' || x.win || '-' || x.slot || '-' || x.outcome,
              x.status,
              case when x.status = 'filled' then x.price end, case when x.status = 'filled' then x.size end,
              case when x.status = 'filled' then x.at + interval '2 seconds' end,
              case when x.status = 'filled' and x.resolved then case when h % 2 = 0 then x.outcome else 'other' end end,
              case when x.status = 'filled' and x.resolved then
                   case when h % 2 = 0 then round(x.size * (1 - x.price), 6) else -round(x.size * x.price, 6) end end,
              x.at, x.at
         from generate_series($1::bigint, $2::bigint) g
         cross join lateral (select abs(hashint8(g)) as h) hh
         cross join lateral (
           select a.asset, a.win, a.at, a.outcome, a.price, a.size, a.status, a.resolved,
                  floor(extract(epoch from a.at) / case a.win when '5m' then 300 else 900 end)::bigint as slot
             from (select (array['BTC','BTC','BTC','ETH','ETH','SOL','XRP'])[(1 + h % 7)::int] as asset,
                          case when (h / 7) % 3 = 0 then '15m' else '5m' end as win,
                          now() - make_interval(days => $3::int) + (g::float8 / $4::float8) * make_interval(days => $3::int) as at,
                          case when (h / 21) % 2 = 0 then 'Up' else 'Down' end as outcome,
                          round(0.05 + ((h / 42) % 9000) / 10000.0, 4) as price,
                          round(1 + ((h / 11) % 400) / 10.0, 2) as size,
                          case when (h / 13) % 100 < 55 then 'filled' when (h / 13) % 100 < 90 then 'cancelled'
                               when (h / 13) % 100 < 97 then 'placed' else 'failed' end as status,
                          (h / 17) % 10 < 8 as resolved) a
         ) x
         join runs r on r.id = $5::bigint + least($6::bigint - 1, floor((g - 1)::float8 * $7::float8 / $4::float8)::bigint)`,
      [from, to, DAYS, N, firstRun, RUNS, RUNS],
    );
    log(
      `seeded ${int(to)} / ${int(N)} trades (${((performance.now() - t0) / 1000).toFixed(1)} s for this chunk)`,
    );
  }
  // the watchlist: the markets of the last two days' windows, reported by the bots
  await client.query(
    `insert into markets (token_id, token_id_down, asset, "window", window_id, condition_id, expires_at, first_reported_at, last_reported_at, report_count, bot_id, last_api_key_id)
     select 'tok-' || a || '-' || w || '-' || s || '-Up', 'tok-' || a || '-' || w || '-' || s || '-Down', a, w, a || '-' || w || '-' || s,
            'cond-' || a || '-' || w || '-' || s, to_timestamp((s + 1) * secs), to_timestamp(s * secs), to_timestamp(s * secs), 3,
            (b->>'botId')::bigint, (b->>'keyId')::bigint
       from unnest(array['BTC','ETH','SOL','XRP']) a
       cross join (values ('5m', 300), ('15m', 900)) v(w, secs)
       cross join lateral generate_series(floor(extract(epoch from now() - interval '2 days') / secs)::bigint, floor(extract(epoch from now()) / secs)::bigint) s
       cross join lateral (select value as b from jsonb_array_elements($1::jsonb) limit 1) k
     on conflict do nothing`,
    [JSON.stringify(bots)],
  );
  log('vacuum analyze...');
  await client.query('vacuum analyze trades');
  await client.query('vacuum analyze runs');
  await client.query('vacuum analyze markets');
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const started = new Date();
  // --history-server URL: seed a database on that server instead, and keep it afterwards (to look at
  // plans, or to measure it again with --history-database); --history-seed-only stops after the seed.
  // --history-database URL: measure a database seeded before (by this or an older version: the API
  // start runs the migrations it lacks, timed), with the empty baseline on a fresh database beside it.
  const server = arg('--history-server');
  const reuse = arg('--history-database');
  const seedOnly = process.argv.includes('--history-seed-only');
  const serverOfReuse = reuse
    ? Object.assign(new URL(reuse), { pathname: '/postgres' }).toString()
    : undefined;
  const kept = server ?? serverOfReuse;
  const pg = kept
    ? { createDatabase: (prefix: string) => createDatabase(kept, prefix), stop: async () => undefined }
    : await startTestPostgres();
  const rows: Row[] = [];
  const notes: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  let trades = N;
  try {
    const emptyUrl = await pg.createDatabase('history');
    const emptyApi = await startApiProcess({
      databaseUrl: emptyUrl,
      env: { RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'warn' },
    });
    stops.push(async () => {
      await emptyApi.stop();
    });
    const bots: { secret: string; botId: number; keyId: number }[] = [];
    for (let i = 0; i < BOTS; i++)
      bots.push(await createBotKey(emptyApi.url, emptyApi.adminKey, `history bot ${i + 1}`));
    const emptyKeys = bots.slice(0, INSERT_CONNECTIONS).map((b) => b.secret);
    const emptyRuns = await Promise.all(emptyKeys.map((key) => startRun(emptyApi.url, key)));
    log(
      `insert path on the empty database: POST /api/bot/trade closed loop, ${INSERT_CONNECTIONS} conn., ${INSERT_SECONDS} s...`,
    );
    const emptyLoop = await insertLoop(emptyApi.url, emptyKeys, emptyRuns, INSERT_SECONDS);

    let databaseUrl = emptyUrl;
    let api = emptyApi;
    let loopKeys = emptyKeys;
    let loopRuns = emptyRuns;
    if (reuse) {
      await emptyApi.stop();
      stops.pop();
      databaseUrl = reuse;
      log('starting the API on the seeded database (runs the migrations it lacks)...');
      const migrateStart = performance.now();
      api = await startApiProcess({
        databaseUrl,
        env: { RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'warn' },
        readyTimeoutMs: 3 * 3600_000,
      });
      stops.push(async () => {
        await api.stop();
      });
      notes.push(
        `Measured a database seeded before; the API started on it (migrations included) in ${((performance.now() - migrateStart) / 1000).toFixed(0)} s.`,
      );
      const loopBots: string[] = [];
      for (let i = 0; i < INSERT_CONNECTIONS; i++)
        loopBots.push((await createBotKey(api.url, api.adminKey, `history loop bot ${i + 1}`)).secret);
      loopKeys = loopBots;
      loopRuns = await Promise.all(loopKeys.map((key) => startRun(api.url, key)));
    }

    const client = new Client({ connectionString: databaseUrl });
    client.on('error', (error) => log(`seed connection: ${error.message}`));
    await client.connect();
    if (!reuse) {
      const seedStart = performance.now();
      await seed(client, bots);
      notes.push(
        `Seeded ${int(N)} trades over ${DAYS} days in ${int(RUNS)} runs of ${BOTS} bots in ${((performance.now() - seedStart) / 1000).toFixed(0)} s.`,
      );
    }
    // The seed is a bulk load: its P&L waits in the journal until the pnl-fold job moves it into the
    // rollups (every 2 s, the whole journal at once); the pages are measured once it has.
    const foldStart = performance.now();
    let folded = 0;
    while (
      Number((await client.query<{ n: string }>('select count(*) as n from pnl_journal')).rows[0].n) > 0
    ) {
      const run = await request<{ ran?: boolean; result?: { folded?: number } }>(
        api.url,
        'POST',
        '/api/v1/scheduler/jobs/pnl-fold/run',
        { key: api.adminKey },
      );
      folded += run.body.result?.folded ?? 0;
      if (!run.body.ran) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    notes.push(
      `The P&L journal was folded into the rollups before the measurements (${((performance.now() - foldStart) / 1000).toFixed(1)} s, ${int(folded)} rows by this wait, the rest by the job's own ticks).`,
    );
    if (kept) notes.push(`Database kept: ${databaseUrl}`);
    trades = Number((await client.query<{ n: string }>('select count(*) as n from trades')).rows[0].n);
    const size = (
      await client.query<{ bytes: string }>('select pg_database_size(current_database()) as bytes')
    ).rows[0].bytes;
    const parts = (
      await client.query<{ n: string }>(
        "select count(*) as n from pg_inherits where inhparent = 'trades'::regclass",
      )
    ).rows[0].n;
    const sample = (
      await client.query<{ run_id: string; bot_id: string }>(
        `select run_id, bot_id from trades where run_id = (select max(id) from runs where status = 'completed' and extra = '{}') limit 1`,
      )
    ).rows[0];
    const runId = Number(sample.run_id);
    const botId = Number(sample.bot_id);
    await client.end();
    notes.push(
      `${int(trades)} trades in ${parts} partitions; database ${(Number(size) / 1e9).toFixed(1)} GB.`,
    );
    if (seedOnly) {
      process.stdout.write(`${notes.map((n) => `- ${n}`).join('\n')}\n`);
      return;
    }

    const today = new Date().toISOString().slice(0, 10);
    const yearAgo = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
    const pages: [string, string][] = [
      ['GET /api/v1/trades: the first page (100 newest)', '/api/v1/trades?limit=100'],
      ["GET /api/v1/trades: one bot's trades, every asset", `/api/v1/trades?botId=${botId}&limit=100`],
      [
        "GET /api/v1/trades: one bot's trades, a rare status (bot + failed)",
        `/api/v1/trades?botId=${botId}&status=failed&limit=100`,
      ],
      [
        'GET /api/v1/trades: a filtered page (asset + bot + status)',
        `/api/v1/trades?asset=ETH&botId=${botId}&status=filled&limit=100`,
      ],
      [
        'GET /api/v1/trades: a filtered page, a rare status (asset + bot + failed)',
        `/api/v1/trades?asset=ETH&botId=${botId}&status=failed&limit=100`,
      ],
      ["GET /api/v1/trades: one run's trades (first page)", `/api/v1/trades?runId=${runId}&limit=100`],
      ['GET /api/v1/trades: sorted by price (first page)', '/api/v1/trades?sort=price&order=desc&limit=100'],
      ['GET /api/v1/markets: the watchlist', '/api/v1/markets'],
      ['GET /api/v1/pnl/calendar: the last 35 days by day', '/api/v1/pnl/calendar'],
      [
        'GET /api/v1/pnl/calendar: a year by month, per asset',
        `/api/v1/pnl/calendar?period=month&groupBy=asset&from=${yearAgo}&to=${today}`,
      ],
      ['GET /api/v1/bots: realised P&L today / 7 days per bot', '/api/v1/bots'],
      ['GET /api/v1/runs: the runs list', '/api/v1/runs'],
      [`GET /api/v1/runs/${runId}: a run's summary`, `/api/v1/runs/${runId}`],
    ];
    for (const [name, path] of pages) {
      log(name);
      const r = await warmMedian(api.url, api.adminKey, path);
      rows.push({
        name: `${name}, warm, median of ${REPEATS}`,
        figure: r.status === 200 ? `${ms(r.median)} ms (max ${ms(r.max)})` : `HTTP ${r.status}`,
        target: `< ${TARGET_MS} ms`,
        result:
          r.status !== 200
            ? `not met: HTTP ${r.status}`
            : r.median < TARGET_MS
              ? 'met'
              : `not met: ${ms(r.median - TARGET_MS)} ms over`,
      });
    }

    log(`insert path at ${int(trades)} trades: the same closed loop...`);
    const fullLoop = await insertLoop(api.url, loopKeys, loopRuns, INSERT_SECONDS);
    const ratio = fullLoop.perSec / emptyLoop.perSec;
    const loopRow = (label: string, r: LoadResult) =>
      `${int(r.perSec)} req/s, p50 ${ms(r.histogram.percentile(0.5))} ms, p99 ${ms(r.histogram.percentile(0.99))} ms${r.errors ? `, ${r.errors} failed` : ''} (${label})`;
    rows.push({
      name: `POST /api/bot/trade closed loop, ${INSERT_CONNECTIONS} conn., ${INSERT_SECONDS} s: on the empty database before the seed`,
      figure: loopRow('empty', emptyLoop),
      target: 'baseline',
      result: '-',
    });
    rows.push({
      name: `POST /api/bot/trade closed loop, ${INSERT_CONNECTIONS} conn., ${INSERT_SECONDS} s: with ${int(trades)} trades`,
      figure: loopRow(`${ratio.toFixed(2)}× empty`, fullLoop),
      target: '≥ 0.9× the empty database',
      result:
        ratio >= 0.9 && fullLoop.errors === 0
          ? 'met'
          : `not met: ${ratio.toFixed(2)}×${fullLoop.errors ? `, ${fullLoop.errors} failed` : ''}`,
    });
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    throw error;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await pg.stop().catch(() => undefined);
  }

  const header = [
    `# History bench (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.versions.node}; ${((performance.now() - t0) / 60_000).toFixed(1)} min in all.`,
    '',
    '| measurement | figure | target | result |',
    '|---|---|---|---|',
  ];
  const text = [
    ...header,
    ...rows.map((r) => `| ${r.name} | ${r.figure} | ${r.target} | ${r.result} |`),
    '',
    'Notes:',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  process.stdout.write(text);
  writeArtifact('bench-history.md', text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
