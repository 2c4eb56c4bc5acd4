import { Agent, request } from 'node:http';
import { Histogram } from '../bot-simulator/src/stats';

const REQUEST_TIMEOUT_MS = 10_000;

export interface Target {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A fixed body, or a function making one per request. */
  body?: unknown | (() => unknown);
}

export interface LoadResult {
  count: number;
  errors: number;
  seconds: number;
  perSec: number;
  histogram: Histogram;
  statuses: Record<string, number>;
  lastBody?: string;
}

function send(agent: Agent, target: Target): Promise<{ status: number; text: string }> {
  const url = new URL(target.path, target.url);
  const raw = typeof target.body === 'function' ? (target.body as () => unknown)() : target.body;
  const payload = raw === undefined ? undefined : JSON.stringify(raw);
  const headers: Record<string, string | number> = { ...target.headers };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: target.method, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: 0, text: '' }));
      },
    );
    // The bot's client gives up after 10 s (POLYMAKER_TIMEOUT); so does the bench, to stay bounded.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`timeout after ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => resolve({ status: 0, text: error.message }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Closed loop: `connections` keep-alive connections, each sending its next request when the last answered. */
export async function closedLoop(
  target: Target,
  connections: number,
  seconds: number,
  warmupSeconds = 1,
  /** Extra headers per connection (e.g. one API key each). */
  perConnection?: Record<string, string>[],
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const run = async (duration: number, record: boolean): Promise<LoadResult> => {
    const histogram = new Histogram();
    const statuses: Record<string, number> = {};
    let errors = 0;
    const end = performance.now() + duration * 1000;
    const started = performance.now();
    let lastBody: string | undefined;
    await Promise.all(
      Array.from({ length: connections }, async (_, connection) => {
        const own = perConnection?.length
          ? { ...target, headers: { ...target.headers, ...perConnection[connection % perConnection.length] } }
          : target;
        while (performance.now() < end) {
          const t0 = performance.now();
          const { status, text } = await send(agent, own);
          if (!record) continue;
          histogram.record(performance.now() - t0);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status < 200 || status >= 300) {
            errors++;
            lastBody = text.slice(0, 300);
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return { count: histogram.count, errors, seconds: elapsed, perSec: histogram.count / elapsed, histogram, statuses, lastBody };
  };
  if (warmupSeconds > 0) await run(warmupSeconds, false);
  const result = await run(seconds, true);
  agent.destroy();
  return result;
}

/**
 * Open loop: requests leave at a fixed rate whatever the server does; latency counts from the
 * moment a request was due, so a stalled server shows up in the percentiles (no coordinated omission).
 */
export async function openLoop(target: Target, ratePerSec: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const histogram = new Histogram();
  const statuses: Record<string, number> = {};
  let errors = 0;
  let lastBody: string | undefined;
  const total = Math.round(ratePerSec * seconds);
  const interval = 1000 / ratePerSec;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      send(agent, target).then(({ status, text }) => {
        histogram.record(performance.now() - due);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status < 200 || status >= 300) {
          errors++;
          lastBody = text.slice(0, 300);
        }
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { count: histogram.count, errors, seconds: elapsed, perSec: histogram.count / elapsed, histogram, statuses, lastBody };
}

/** `count` requests with at most `concurrency` in flight; returns per-request latency. */
export async function fixedCount(target: Target, count: number, concurrency: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const histogram = new Histogram();
  const statuses: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  let lastBody: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const t0 = performance.now();
        const { status, text } = await send(agent, target);
        histogram.record(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status < 200 || status >= 300) {
          errors++;
          lastBody = text.slice(0, 300);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { count: histogram.count, errors, seconds: elapsed, perSec: histogram.count / elapsed, histogram, statuses, lastBody };
}
