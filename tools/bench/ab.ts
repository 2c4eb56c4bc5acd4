/**
 * `npm run bench -- --ab <checkout> [--ab-rounds R]`: the bot's write path of this build against
 * another build of the Command Center (an older checkout whose `dist/apps/api/main.js` is built), on
 * one embedded PostgreSQL, each build with its own database. Rounds alternate the order (AB, BA, …)
 * so that a machine that drifts favours neither; each round runs, per build, a closed loop of
 * POST /api/bot/trade and then one of POST /api/bot/trade/update over the trades just logged.
 * Prints the median of the rounds and their spread. A benchmark, not a test.
 */
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { ApiProcess, startApiProcess } from '../testing/api-process';
import { startTestPostgres } from '../testing/test-postgres';
import { writeArtifact } from './artifacts';
import { createBotKey, insertLoop, startRun } from './bot-traffic';
import { bodyRing, closedLoop, LoadResult } from './load';

const CONNECTIONS = 16;
const SECONDS = 5;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log = (message: string) =>
  process.stderr.write(`[ab ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

interface Side {
  label: string;
  api: ApiProcess;
  databaseUrl: string;
  keys: string[];
  runs: number[];
  insert: LoadResult[];
  update: LoadResult[];
}

async function side(label: string, databaseUrl: string, main?: string): Promise<Side> {
  const api = await startApiProcess({
    databaseUrl,
    main,
    env: { RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'warn' },
  });
  const keys: string[] = [];
  for (let i = 0; i < CONNECTIONS; i++)
    keys.push((await createBotKey(api.url, api.adminKey, `ab bot ${i}`)).secret);
  const runs = await Promise.all(keys.map((key) => startRun(api.url, key)));
  return { label, api, databaseUrl, keys, runs, insert: [], update: [] };
}

/** trade/update over each run's newest 512 trades: filled, then resolved with a P&L. */
async function updateLoop(s: Side): Promise<LoadResult> {
  const client = new Client({ connectionString: s.databaseUrl });
  await client.connect();
  const ids = await Promise.all(
    s.runs.map(async (runId) =>
      (
        await client.query<{ id: string }>(
          'select id from trades where run_id = $1 order by id desc limit 512',
          [runId],
        )
      ).rows.map((r) => Number(r.id)),
    ),
  );
  await client.end();
  return closedLoop(
    { url: s.api.url, method: 'POST', path: '/api/bot/trade/update' },
    CONNECTIONS,
    SECONDS,
    1,
    s.keys.map((key, i) => {
      let n = 0;
      return {
        headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
        body: bodyRing(() => {
          const tradeId = ids[i][n++ % ids[i].length];
          return n % 2
            ? { tradeId, status: 'filled', fillPrice: 0.5, fillSize: 2 }
            : { tradeId, pnl: (n % 7) / 10 - 0.3, resolvedOutcome: 'Up' };
        }),
      };
    }),
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

async function main(): Promise<void> {
  const other = arg('--ab');
  if (!other) throw new Error('--ab <checkout> names the other build (its dist/apps/api/main.js)');
  const otherMain = join(resolve(other), 'dist/apps/api/main.js');
  const rounds = Number(arg('--ab-rounds') ?? 5);
  const started = new Date();
  const pg = await startTestPostgres();
  const sides: Side[] = [];
  try {
    sides.push(await side('this build', await pg.createDatabase('ab_this')));
    sides.push(await side(`other (${other})`, await pg.createDatabase('ab_other'), otherMain));
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...sides].reverse() : sides) {
        log(`round ${r + 1}/${rounds}: ${s.label}`);
        s.insert.push(await insertLoop(s.api.url, s.keys, s.runs, SECONDS));
        s.update.push(await updateLoop(s));
      }
    }
  } finally {
    for (const s of sides) await s.api.stop().catch(() => undefined);
    await pg.stop();
  }
  const [mine, theirs] = sides;
  const rows: string[] = [];
  for (const [name, pick] of [
    ['POST /api/bot/trade', (s: Side) => s.insert],
    ['POST /api/bot/trade/update', (s: Side) => s.update],
  ] as const) {
    const rate = (s: Side) => pick(s).map((x) => x.perSec);
    const p99 = (s: Side) => pick(s).map((x) => x.histogram.percentile(0.99));
    const failed = (s: Side) => pick(s).reduce((n, x) => n + x.errors, 0);
    for (const s of sides)
      rows.push(
        `| ${name}, ${CONNECTIONS} conn., ${SECONDS} s × ${rounds}: ${s.label} | ${int(median(rate(s)))} req/s (rounds ${int(Math.min(...rate(s)))}–${int(Math.max(...rate(s)))}), p99 ${ms(median(p99(s)))} ms${failed(s) ? `, ${failed(s)} failed` : ''} | ${s === mine ? `${(median(rate(mine)) / median(rate(theirs))).toFixed(2)}× the other` : 'baseline'} |`,
      );
  }
  const text = [
    `# A/B bench (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.versions.node}; rounds alternate the order; medians of the rounds.`,
    '',
    '| measurement | figure | ratio |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(text);
  writeArtifact('bench-ab.md', text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
