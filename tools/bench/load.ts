import { Agent, request } from 'node:http';
import { Histogram } from '../bot-simulator/src/stats';

const REQUEST_TIMEOUT_MS = 10_000;

export interface Target {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A fixed body, or a function making one per request (a string is sent as it is: pre-serialised JSON). */
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
  /** CPU the load generator (this process) used meanwhile, in % of one core. */
  generatorCpu?: number;
}

export interface Answer {
  status: number;
  text: string;
  /** The answer carried a Retry-After header. */
  retryAfter: boolean;
}

export function send(agent: Agent, target: Target, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer> {
  const url = new URL(target.path, target.url);
  const raw = typeof target.body === 'function' ? (target.body as () => unknown)() : target.body;
  const payload = raw === undefined ? undefined : typeof raw === 'string' ? raw : JSON.stringify(raw);
  const headers: Record<string, string | number> = { ...target.headers };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: target.method,
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const retryAfter = res.headers['retry-after'] !== undefined;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), retryAfter }),
        );
        res.on('error', () => resolve({ status: 0, text: '', retryAfter: false }));
      },
    );
    // The bot's client gives up after 10 s (POLYMAKER_TIMEOUT); so does the bench, to stay bounded.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs / 1000} s`)));
    req.on('error', (error) => resolve({ status: 0, text: error.message, retryAfter: false }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** `make` called `n` times up front, serialised: a generator that costs a lookup per request. */
export function bodyRing(make: () => unknown, n = 512): () => string {
  const ring = Array.from({ length: n }, () => JSON.stringify(make()));
  let i = 0;
  return () => ring[i++ % n];
}

/** Closed loop: `connections` keep-alive connections, each sending its next request when the last answered. */
export async function closedLoop(
  target: Target,
  connections: number,
  seconds: number,
  warmupSeconds = 1,
  /** Per connection: extra headers (e.g. one API key each) and its own body (e.g. trades of its own run). */
  perConnection?: { headers?: Record<string, string>; body?: Target['body'] }[],
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const run = async (duration: number, record: boolean): Promise<LoadResult> => {
    const histogram = new Histogram();
    const statuses: Record<string, number> = {};
    let errors = 0;
    const end = performance.now() + duration * 1000;
    const started = performance.now();
    let lastBody: string | undefined;
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: connections }, async (_, connection) => {
        const mine = perConnection?.length ? perConnection[connection % perConnection.length] : undefined;
        const own: Target = mine
          ? {
              ...target,
              headers: { ...target.headers, ...mine.headers },
              body: mine.body === undefined ? target.body : mine.body,
            }
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
    const cpu = process.cpuUsage(cpu0);
    const generatorCpu = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
    return {
      count: histogram.count,
      errors,
      seconds: elapsed,
      perSec: histogram.count / elapsed,
      histogram,
      statuses,
      lastBody,
      generatorCpu,
    };
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
  return {
    count: histogram.count,
    errors,
    seconds: elapsed,
    perSec: histogram.count / elapsed,
    histogram,
    statuses,
    lastBody,
  };
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
  return {
    count: histogram.count,
    errors,
    seconds: elapsed,
    perSec: histogram.count / elapsed,
    histogram,
    statuses,
    lastBody,
  };
}

export interface OverloadResult {
  /** The rate asked for, and the rate the requests actually left at. */
  offeredPerSec: number;
  sentPerSec: number;
  seconds: number;
  /** Requests due in the window (sent, or refused by the in-flight bound). */
  due: number;
  /** 2xx answers; latency from the moment the request was handed to the HTTP agent. */
  served: Histogram;
  /** The same, for requests sent after the first second (the burst at the start left out). */
  servedSteady: Histogram;
  /** 503 answers carrying Retry-After (the server shedding load as designed). */
  shed: number;
  shedLatency: Histogram;
  /** Everything else, by label: other statuses, client timeouts, connection errors, not sent. */
  failures: Record<string, number>;
  failed: number;
  peakInFlight: number;
  generatorCpu: number;
  /** performance.now() when the last request was due: the end of the overload. */
  endedAt: number;
  /** Resolves once every request sent has been answered (or timed out). */
  drained: Promise<void>;
}

/**
 * Open loop with a bounded number of requests in flight: `next()` gives each request, which leaves
 * at `ratePerSec` whatever the server does. A request due while `maxInFlight` are unanswered is not
 * sent and counts as a failure ("not sent"), so a server that queues cannot make the generator's
 * memory explode. Returns when the last request is due; `drained` waits for the answers.
 */
export async function boundedOpenLoop(
  next: () => Target,
  ratePerSec: number,
  seconds: number,
  maxInFlight: number,
  sockets = 512,
  /** Opens every socket first with one GET of this path each (a fleet whose bots are connected already). */
  warmPath?: string,
): Promise<OverloadResult> {
  // Idle sockets are kept (the default keeps 256): a bot keeps its keep-alive connection.
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  if (warmPath) {
    const { url } = next();
    await Promise.all(
      Array.from({ length: sockets }, () => send(agent, { url, method: 'GET', path: warmPath })),
    );
  }
  const served = new Histogram();
  const servedSteady = new Histogram();
  const shedLatency = new Histogram();
  const failures: Record<string, number> = {};
  const result: OverloadResult = {
    offeredPerSec: ratePerSec,
    sentPerSec: 0,
    seconds,
    due: 0,
    served,
    servedSteady,
    shed: 0,
    shedLatency,
    failures,
    failed: 0,
    peakInFlight: 0,
    generatorCpu: 0,
    endedAt: 0,
    drained: Promise.resolve(),
  };
  const fail = (label: string) => {
    failures[label] = (failures[label] ?? 0) + 1;
    result.failed++;
  };
  const total = Math.round(ratePerSec * seconds);
  const interval = 1000 / ratePerSec;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  let sent = 0;
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    result.due++;
    if (pending.size >= maxInFlight) {
      fail(`not sent (${maxInFlight} in flight)`);
      continue;
    }
    sent++;
    const t0 = performance.now();
    const request: Promise<void> = send(agent, next()).then(({ status, text, retryAfter }) => {
      pending.delete(request);
      const ms = performance.now() - t0;
      if (status >= 200 && status < 300) {
        served.record(ms);
        if (t0 - started >= 1000) servedSteady.record(ms);
      } else if (status === 503 && retryAfter) {
        result.shed++;
        shedLatency.record(ms);
      } else
        fail(
          status === 0
            ? text.startsWith('timeout')
              ? 'client timeout (10 s)'
              : text.slice(0, 60) || 'connection error'
            : `${status}${status === 503 ? ' without Retry-After' : ''}`,
        );
    });
    pending.add(request);
    if (pending.size > result.peakInFlight) result.peakInFlight = pending.size;
  }
  result.endedAt = performance.now();
  const elapsed = (result.endedAt - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  result.seconds = elapsed;
  result.sentPerSec = sent / elapsed;
  result.generatorCpu = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
  result.drained = Promise.all([...pending]).then(() => agent.destroy());
  return result;
}

export interface Recovery {
  /** ms from `since` to the first request of the first run of `streak` fast 2xx; null: not within the limit. */
  recoveredMs: number | null;
  /** ms from `since` to the first 2xx at all. */
  firstSuccessMs: number | null;
  probes: number;
}

/**
 * After an overload: one request at a time (the next when the last answered) until `streak`
 * consecutive answers are 2xx within `underMs`, or `maxSeconds` pass.
 */
export async function recoveryProbe(
  target: Target,
  since: number,
  streak: number,
  underMs: number,
  maxSeconds: number,
): Promise<Recovery> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const result: Recovery = { recoveredMs: null, firstSuccessMs: null, probes: 0 };
  let run = 0;
  let runStart = 0;
  const limit = since + maxSeconds * 1000;
  while (performance.now() < limit) {
    const t0 = performance.now();
    const { status } = await send(agent, target);
    const ms = performance.now() - t0;
    result.probes++;
    const ok = status >= 200 && status < 300;
    if (ok && result.firstSuccessMs === null) result.firstSuccessMs = t0 - since;
    if (ok && ms < underMs) {
      if (run === 0) runStart = t0;
      run++;
      if (run >= streak) {
        result.recoveredMs = Math.max(0, runStart - since);
        break;
      }
    } else {
      run = 0;
      // A refused request answers at once: do not spin on a server that sheds.
      if (!ok) await new Promise((r) => setTimeout(r, 10));
    }
  }
  agent.destroy();
  return result;
}
