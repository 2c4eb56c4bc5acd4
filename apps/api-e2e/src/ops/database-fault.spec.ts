import { ApiProcess, startApiProcess } from '@polymaker/testing';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { SseClient, waitUntil } from './wire';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** One request with a liveness bound: a hang fails the test instead of waiting forever. */
async function call(
  api: ApiProcess,
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key) headers['X-Api-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

function postmaster(dataDir: string): { pid: number; port: number } {
  const lines = readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** Holds a TCP port and resets every connection to it: PostgreSQL cannot come back on it while held. */
async function holdPort(port: number): Promise<Server> {
  for (;;) {
    const server = createServer((socket) => socket.resetAndDestroy());
    const bound = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => done(true));
    });
    if (bound) return server;
    await new Promise((done) => setTimeout(done, 5));
  }
}

/**
 * The API started without DATABASE_URL runs its own embedded PostgreSQL and supervises it. Killing that
 * PostgreSQL (kill -9) under bot traffic: requests get 503 with Retry-After (not 500, not a hang), /ready says
 * not-ready without internals, the supervisor restarts PostgreSQL on the same data and port, and the same API
 * process serves bot writes again, with every accepted write kept.
 */
describe('database loss: the embedded PostgreSQL is killed under bot traffic', () => {
  let dir: string;
  let api: ApiProcess;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/polymaker-db-fault-');
    chmodSync(dir, 0o755);
    api = await startApiProcess({
      databaseUrl: null,
      env: { DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' },
    });
  });
  afterAll(async () => {
    await api?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, restarts it, and recovers without an API restart or a lost write', async () => {
    const bot = (method: string, path: string, body?: unknown) => call(api, method, path, api.botKey, body);
    const runId = (await bot('POST', '/api/bot/run/start', { mode: 'dry_run' })).body['runId'] as number;
    expect(runId).toBeGreaterThan(0);
    const apiPid = api.process.pid;
    const live = await SseClient.open(api.url, api.adminKey);
    await waitUntil('the stream position', () => live.lastId);

    // bot traffic: trades one after another, each answered within the liveness bound
    const accepted: { tradeId: number; cycle: number }[] = [];
    const statuses: number[] = [];
    let cycle = 0;
    let traffic = true;
    const loop = (async () => {
      while (traffic) {
        cycle += 1;
        const trade = {
          runId,
          cycle,
          asset: 'BTC',
          windowDuration: '5m',
          side: 'buy',
          outcome: 'Up',
          price: '0.5',
          size: '2',
          strategy: 'MM',
        };
        const answer = await bot('POST', '/api/bot/trade', trade);
        statuses.push(answer.status);
        if (answer.status === 201)
          accepted.push({ tradeId: answer.body['tradeId'] as number, cycle: trade.cycle });
        else await new Promise((done) => setTimeout(done, 50));
      }
    })();
    await waitUntil('some accepted trades', () => accepted.length >= 20);

    // The bots' config poll: its snapshot is older than its one-second refresh when the database goes.
    const configBefore = await bot('GET', '/api/bot/config');
    expect(configBefore.status).toBe(200);
    await new Promise((done) => setTimeout(done, 1200));

    const { pid, port } = postmaster(join(dir, 'data'));
    process.kill(pid, 'SIGKILL');
    const squatter = await holdPort(port); // keeps PostgreSQL down until released
    try {
      // The refresh cannot reach the database: the poll gets the last snapshot meanwhile, not a 503.
      const configDuring = await bot('GET', '/api/bot/config');
      expect(configDuring.status).toBe(200);
      expect(configDuring.body).toEqual(configBefore.body);

      await waitUntil(
        'bot traffic to meet the outage',
        () => statuses.slice(-3).every((status) => status === 503) && statuses.length > 3,
      );

      const write = await bot('POST', '/api/bot/trade', {
        runId,
        cycle: 999_999,
        asset: 'BTC',
        windowDuration: '5m',
        side: 'buy',
        outcome: 'Up',
        price: '0.5',
        size: '1',
        strategy: 'MM',
      });
      expect(write.status).toBe(503);
      expect(write.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/database is unreachable.*Retry/),
        requestId: expect.any(String),
      });
      expect(Number(write.headers.get('retry-after'))).toBeGreaterThan(0);

      const admin = await call(api, 'GET', '/api/v1/runs', api.adminKey);
      expect(admin.status).toBe(503);
      expect(admin.body['statusCode']).toBe(503);
      expect(Number(admin.headers.get('retry-after'))).toBeGreaterThan(0);

      const ready = await call(api, 'GET', '/ready', null);
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', message: 'database unreachable' });
      expect(ready.text).not.toMatch(/127\.0\.0\.1|ECONN|:\d{4,5}/);
      expect((await call(api, 'GET', '/health', null)).status).toBe(200);
      // the supervisor tries, fails while the port is taken, and keeps trying with backoff
      await waitUntil('a failed restart attempt', () =>
        api.output().includes('embedded PostgreSQL did not restart yet; trying again'),
      );
    } finally {
      squatter.close();
    }

    // the supervisor brings PostgreSQL back on the same port; the same API process recovers
    await waitUntil(
      '/ready again',
      async () => (await call(api, 'GET', '/ready', null)).status === 200,
      60_000,
    );
    const served = accepted.length;
    await waitUntil('bot writes accepted again', () => accepted.length >= served + 5, 60_000);
    traffic = false;
    await loop;
    expect(api.process.pid).toBe(apiPid);
    expect(api.process.exitCode).toBeNull();
    expect(postmaster(join(dir, 'data')).port).toBe(port);
    expect(postmaster(join(dir, 'data')).pid).not.toBe(pid);
    expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]); // never a 500

    // every write the API accepted is stored
    const db = new Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/polymaker` });
    await db.connect();
    try {
      const rows = (
        await db.query<{ id: string; cycle: string }>('select id, cycle from trades where run_id = $1', [
          runId,
        ])
      ).rows;
      const stored = new Map(rows.map((row) => [Number(row.id), Number(row.cycle)]));
      expect(accepted.filter(({ tradeId, cycle: sent }) => stored.get(tradeId) !== sent)).toEqual([]);
    } finally {
      await db.end();
    }

    // what came back, in the log: the exit, the failed attempt while the port was taken, the restart; the live
    // fan-out's LISTEN connection and the outbox worker recovered; the stream told its client to refetch
    const log = api.output();
    expect(log).toContain('embedded PostgreSQL exited unexpectedly; restarting it');
    expect(log).toContain('embedded PostgreSQL did not restart yet; trying again');
    expect(log).toContain('embedded PostgreSQL restarted');
    await waitUntil(
      'the live event connection to be restored',
      () => api.output().includes('live event connection restored'),
      60_000,
    );
    await waitUntil('the reset on the live stream', () =>
      live.events.some((event) => event.name === 'stream.reset'),
    );
    expect(live.ended).toBe(false);
    await bot('POST', '/api/bot/run/update', { runId, totalPnl: '1.25' });
    await waitUntil('a live event after the recovery', () =>
      live.events.some((event) => event.name === 'run.updated'),
    );
    await live.close();
  }, 180_000);
});
