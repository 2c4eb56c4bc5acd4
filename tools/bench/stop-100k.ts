/**
 * The 100,000-trade stop: seeds a run with `trades` orders through POST /api/bot/trade/batch
 * (the bot's own call), fills a share of them, then times POST /api/bot/run/stop, whose answer
 * carries the score from the run's aggregates (the full analysis follows as an outbox job). The bot gives up after 10 s (POLYMAKER_TIMEOUT).
 *
 * As a function: `await stop100k(url, botKey)` against a running API.
 * As a script:   `node --import tsx tools/bench/stop-100k.ts [--trades 100000]` starts its own
 *                PostgreSQL and the built API (`npx nx build api` first) and prints one line.
 */
import { startApiProcess } from '../testing/api-process';
import { startTestPostgres } from '../testing/test-postgres';

export interface Stop100kResult {
  trades: number;
  seedSeconds: number;
  stopMs: number;
  status: number;
  overallScore: number | null;
  suggestionStatus: string | null;
  withinBotTimeout: boolean;
}

async function post(
  url: string,
  key: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': key },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function stop100k(
  url: string,
  botKey: string,
  options: { trades?: number; batchSize?: number; fillEvery?: number } = {},
): Promise<Stop100kResult> {
  const total = options.trades ?? 100_000;
  const batchSize = options.batchSize ?? 5_000;
  const fillEvery = options.fillEvery ?? 3;
  const config = await fetch(`${url}/api/bot/config`, { headers: { 'X-Api-Key': botKey } }).then(
    (r) => r.json() as Promise<{ id?: number }>,
  );
  const started = await post(url, botKey, '/api/bot/run/start', {
    configId: config.id,
    mode: 'dry_run',
    startingBankroll: 5000,
  });
  if (started.status !== 201)
    throw new Error(`run/start answered ${started.status}: ${JSON.stringify(started.body)}`);
  const runId = started.body['runId'] as number;
  const assets = ['BTC', 'ETH', 'SOL', 'XRP'];
  const seedStart = performance.now();
  for (let offset = 0; offset < total; offset += batchSize) {
    const trades = Array.from({ length: Math.min(batchSize, total - offset) }, (_, i) => {
      const n = offset + i;
      return {
        runId,
        cycle: Math.floor(n / 8),
        asset: assets[n % 4],
        windowDuration: n % 2 ? '5m' : '15m',
        side: n % 2 ? 'buy' : 'sell',
        outcome: n % 3 ? 'Up' : 'Down',
        price: (0.3 + (n % 40) / 100).toFixed(2),
        size: String(5 + (n % 10)),
        strategy: n % 5 ? 'MM' : 'ARB',
        status: n % fillEvery === 0 ? 'filled' : 'placed',
      };
    });
    const batch = await post(url, botKey, '/api/bot/trade/batch', { trades });
    if (batch.status !== 201)
      throw new Error(`trade/batch answered ${batch.status}: ${JSON.stringify(batch.body).slice(0, 300)}`);
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  await post(url, botKey, '/api/bot/run/update', {
    runId,
    totalOrders: total,
    totalFills: Math.ceil(total / fillEvery),
    totalPnl: '123.45',
    maxDrawdown: '40',
  });
  const stopStart = performance.now();
  const stop = await post(url, botKey, '/api/bot/run/stop', { runId, status: 'completed' });
  const stopMs = performance.now() - stopStart;
  const analysis = stop.body['analysis'] as
    { overallScore?: number; suggestions?: { status?: string } } | undefined;
  return {
    trades: total,
    seedSeconds,
    stopMs,
    status: stop.status,
    overallScore: analysis?.overallScore ?? null,
    suggestionStatus: analysis?.suggestions?.status ?? null,
    withinBotTimeout: stop.status === 200 && stopMs < 10_000,
  };
}

export function formatStop100k(result: Stop100kResult): string {
  return (
    `run/stop with ${result.trades.toLocaleString('en-US')} trades: ${result.stopMs.toFixed(0)} ms ` +
    `(HTTP ${result.status}, overallScore ${result.overallScore ?? '-'}, suggestions ${result.suggestionStatus ?? '-'}; ` +
    `seeded in ${result.seedSeconds.toFixed(1)} s) ${result.withinBotTimeout ? 'within' : 'NOT within'} the bot's 10 s timeout`
  );
}

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--trades');
  const trades = flag >= 0 ? Number(process.argv[flag + 1]) : 100_000;
  const postgres = await startTestPostgres();
  const databaseUrl = await postgres.createDatabase('bench_stop');
  const api = await startApiProcess({
    databaseUrl,
    env: { RATE_LIMIT_PER_MINUTE: '100000000', BODY_LIMIT_BYTES: String(64 * 1024 * 1024) },
  });
  try {
    process.stdout.write(`${formatStop100k(await stop100k(api.url, api.botKey, { trades }))}\n`);
  } finally {
    await api.stop('SIGTERM');
    await postgres.stop();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`stop-100k failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
