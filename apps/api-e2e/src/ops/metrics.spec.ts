import { request } from '@polymaker/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApi, TestApi } from '../support/api';

type Json = Record<string, unknown>;

const METRICS_KEY = 'metrics-scrape-key-0123456789abcdef';

/** One sample of the Prometheus text format: `name{label="value",...} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (0.0.4): comments skipped, label values unescaped. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const pairs = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    for (let pair = pairs.exec(match[3] ?? ''); pair; pair = pairs.exec(match[3] ?? '')) {
      labels[pair[1]] = pair[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const raw = match[4];
    samples.push({
      name: match[1],
      labels,
      value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw),
    });
  }
  return { samples, types };
}

/** The samples of `name` whose labels include `labels`. */
function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}
function one(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = find(samples, name, labels);
  if (found.length !== 1)
    throw new Error(`expected one sample of ${name} ${JSON.stringify(labels)}, found ${found.length}`);
  return found[0].value;
}
const sum = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  find(samples, name, labels).reduce((total, s) => total + s.value, 0);

/**
 * GET /metrics after a real bot session: the figures Prometheus and the committed Grafana dashboard
 * read (request counts and latency histograms per route template, errors by status, shed writes,
 * the durable queue, running runs, bots seen, the pools, the event loop and RSS), only for the
 * metrics key, and a 404 where metrics are off.
 */
describe('metrics: GET /metrics in the Prometheus text format', () => {
  let t: TestApi;
  let runId: number;

  const scrape = (authorization = `Bearer ${METRICS_KEY}`) =>
    request(t.api.url, 'GET', '/metrics', { headers: authorization ? { Authorization: authorization } : {} });
  /** Scrapes until `ready` holds (the database figures are cached for two seconds), at most 15 s. */
  const scrapeUntil = async (ready: (samples: Sample[]) => boolean): Promise<Sample[]> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const response = await scrape();
      expect(response.status).toBe(200);
      const { samples } = parseExposition(response.text);
      if (ready(samples) || Date.now() > deadline) return samples;
      await new Promise((done) => setTimeout(done, 250));
    }
  };

  beforeAll(async () => {
    // The worker polls once a minute, so the stop's analysis job is still owed when scraped; one
    // bot write at a time, so a burst is shed and counted.
    t = await startTestApi('ops_metrics', {
      METRICS_KEY,
      OUTBOX_POLL_MS: '60000',
      OVERLOAD_MAX_IN_FLIGHT: '1',
      OVERLOAD_TARGET_LAG_MS: '0',
      OVERLOAD_MAX_LAG_MS: '0',
    });
  });
  afterAll(() => t?.stop());

  const trade = (strategy: string, price = 0.5) => ({
    runId,
    cycle: 1,
    asset: 'BTC',
    windowDuration: '15m',
    side: 'buy',
    outcome: 'Up',
    price,
    size: 1,
    strategy,
  });

  it('counts a bot session per route template and status, with its latency histogram, and shows the run and the bot', async () => {
    expect((await t.bot('GET', '/api/bot/config')).status).toBe(200);
    const started = await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' });
    expect(started.status).toBe(201);
    runId = started.body.runId;
    for (const strategy of ['a', 'b', 'c'])
      expect((await t.bot('POST', '/api/bot/trade', trade(strategy))).status).toBe(201);
    expect((await t.bot('POST', '/api/bot/trade', trade('bad', 1.5))).status).toBe(400);
    expect(
      (await t.bot('POST', '/api/bot/run/update', { runId, cycle: 3, totalPnl: '1.25', totalFills: 2 }))
        .status,
    ).toBeLessThan(300);
    expect((await t.admin('GET', `/api/v1/runs/${runId}`)).status).toBe(200);
    expect((await t.raw('GET', '/api/v1/no-such-page-4242')).status).toBe(404);

    const samples = await scrapeUntil(
      (s) =>
        find(s, 'polymaker_runs_active').some((x) => x.value === 1) &&
        find(s, 'polymaker_bots_seen').some((x) => x.value === 1),
    );
    const tradeRoute = { method: 'POST', route: '/api/bot/trade' };
    expect(one(samples, 'http_requests_total', { ...tradeRoute, status: '201' })).toBe(3);
    expect(one(samples, 'http_requests_total', { ...tradeRoute, status: '400' })).toBe(1);
    expect(
      one(samples, 'http_requests_total', { method: 'GET', route: '/api/v1/runs/:id', status: '200' }),
    ).toBe(1);
    // an unknown path is counted under a template, never its URL: `unmatched`, or the admin app's
    // catch-all `/*` (which answers API paths with the 404) when the admin app is built and served
    expect(
      sum(samples, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) +
        sum(samples, 'http_requests_total', { method: 'GET', route: '/*', status: '404' }),
    ).toBe(1);
    // the histogram: cumulative buckets up to +Inf, which holds every one of the three successes
    const buckets = find(samples, 'http_request_duration_seconds_bucket', {
      ...tradeRoute,
      status_class: '2xx',
    }).sort(
      (a, b) =>
        Number(a.labels['le'] === '+Inf' ? Infinity : a.labels['le']) -
        Number(b.labels['le'] === '+Inf' ? Infinity : b.labels['le']),
    );
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets[buckets.length - 1].labels['le']).toBe('+Inf');
    expect(buckets[buckets.length - 1].value).toBe(3);
    for (let i = 1; i < buckets.length; i += 1)
      expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    expect(one(samples, 'http_request_duration_seconds_count', { ...tradeRoute, status_class: '2xx' })).toBe(
      3,
    );
    expect(
      one(samples, 'http_request_duration_seconds_sum', { ...tradeRoute, status_class: '2xx' }),
    ).toBeGreaterThan(0);
    expect(one(samples, 'http_request_duration_seconds_count', { ...tradeRoute, status_class: '4xx' })).toBe(
      1,
    );
    // never a raw URL in a label: no run id, no unknown path
    const routes = new Set(samples.map((s) => s.labels['route']).filter(Boolean));
    for (const route of routes) expect(route).not.toMatch(/\/\d+|no-such-page/);

    expect(one(samples, 'polymaker_runs_active')).toBe(1);
    expect(one(samples, 'polymaker_bots_seen')).toBe(1);
    expect(one(samples, 'polymaker_ingest_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(one(samples, 'polymaker_metrics_database_up')).toBe(1);
    expect(one(samples, 'polymaker_requests_shed_total', { reason: 'in_flight' })).toBe(0);
    expect(one(samples, 'polymaker_db_pool_max_connections', { pool: 'main' })).toBeGreaterThan(0);
    expect(find(samples, 'polymaker_db_pool_connections', { pool: 'main', state: 'idle' })).toHaveLength(1);
    expect(one(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(one(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(find(samples, 'nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
  });

  it('shows the stop: no run active, the analysis job owed by the durable queue', async () => {
    const stopped = await t.bot('POST', '/api/bot/run/stop', { runId, status: 'completed' });
    expect(stopped.status).toBeLessThan(300);
    const samples = await scrapeUntil((s) => find(s, 'polymaker_runs_active').some((x) => x.value === 0));
    expect(one(samples, 'polymaker_runs_active')).toBe(0);
    expect(one(samples, 'polymaker_outbox_jobs_pending', { topic: 'analysis.run' })).toBe(1);
    expect(one(samples, 'polymaker_outbox_jobs_due', { topic: 'analysis.run' })).toBe(1);
    expect(one(samples, 'polymaker_outbox_oldest_due_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(one(samples, 'polymaker_notifications_owed', { channel: 'email' })).toBe(0);
    expect(
      one(samples, 'http_requests_total', {
        method: 'POST',
        route: '/api/bot/run/stop',
        status: String(stopped.status),
      }),
    ).toBe(1);
  });

  it('counts every shed write by reason, as the bots saw them', async () => {
    const second = await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' });
    runId = second.body.runId;
    let shed = 0;
    let stored = 0;
    for (let burst = 0; burst < 5 && shed === 0; burst += 1) {
      const statuses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          t.bot<Json>('POST', '/api/bot/trade', trade(`burst-${burst}-${i}`)).then((r) => r.status),
        ),
      );
      shed += statuses.filter((status) => status === 503).length;
      stored += statuses.filter((status) => status === 201).length;
    }
    expect(shed).toBeGreaterThan(0);
    const samples = parseExposition((await scrape()).text).samples;
    expect(sum(samples, 'polymaker_requests_shed_total')).toBe(shed);
    expect(one(samples, 'polymaker_requests_shed_total', { reason: 'in_flight' })).toBe(shed);
    expect(
      one(samples, 'http_requests_total', { method: 'POST', route: '/api/bot/trade', status: '503' }),
    ).toBe(shed);
    expect(
      one(samples, 'http_requests_total', { method: 'POST', route: '/api/bot/trade', status: '201' }),
    ).toBe(3 + stored);
  });

  it('exports every metric the committed Grafana dashboard queries', async () => {
    const { types } = parseExposition((await scrape()).text);
    const dashboard = JSON.parse(
      readFileSync(join(__dirname, '../../../../docker/grafana/dashboards/polymaker.json'), 'utf8'),
    ) as {
      panels: { targets: { expr: string }[] }[];
    };
    const queried = new Set(
      dashboard.panels
        .flatMap((p) => p.targets)
        .flatMap((t) =>
          [...t.expr.matchAll(/\b((?:http|polymaker|nodejs|process)_[a-z0-9_]+)\b/g)].map((m) => m[1]),
        ),
    );
    expect(queried.size).toBeGreaterThan(15);
    for (const name of queried) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      expect({ name, exported: types.has(name) || types.get(base) === 'histogram' }).toEqual({
        name,
        exported: true,
      });
    }
  });

  it('refuses a scrape without the metrics key (API keys included) with a 401 JSON that leaks nothing', async () => {
    const refused = [
      await scrape(''),
      await scrape('Bearer not-the-metrics-key-0123456789'),
      await scrape(`Bearer ${t.api.adminKey}`),
      await scrape(`Bearer ${METRICS_KEY}x`),
      await scrape(`Bearer ${METRICS_KEY.slice(0, -1)}`),
      await scrape(`Bearer ${METRICS_KEY} ${METRICS_KEY}`),
      await scrape(`Bearer ${'k'.repeat(6000)}`),
      await scrape(`Basic ${Buffer.from(`x:${METRICS_KEY}`).toString('base64')}`),
      await request(t.api.url, 'GET', '/metrics', { key: t.api.adminKey }),
      await request(t.api.url, 'GET', `/metrics?key=${METRICS_KEY}`),
    ];
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.body).toEqual(
        expect.objectContaining({ statusCode: 401, message: expect.stringContaining('METRICS_KEY') }),
      );
      expect(response.text).not.toMatch(/http_requests_total|polymaker_|process_/);
    }
    // the metrics key is not an API key either
    expect((await request(t.api.url, 'GET', '/api/bot/config', { key: METRICS_KEY })).status).toBe(401);
    expect((await request(t.api.url, 'GET', '/api/v1/me', { key: METRICS_KEY })).status).toBe(401);
    // not in the API's spec, and the key never in the log
    const spec = await request<{ paths: Json }>(t.api.url, 'GET', '/docs-json');
    expect(Object.keys(spec.body.paths)).not.toContain('/metrics');
    expect(t.api.output()).not.toContain(METRICS_KEY);
  });

  it('is a 404 JSON where metrics are off (no METRICS_KEY, or METRICS_ENABLED=false)', async () => {
    const offEnvs: Record<string, string>[] = [{}, { METRICS_KEY, METRICS_ENABLED: 'false' }];
    for (const env of offEnvs) {
      const off = await startTestApi('ops_metrics_off', env);
      try {
        const response = await request(off.api.url, 'GET', '/metrics', {
          headers: { Authorization: `Bearer ${METRICS_KEY}` },
        });
        expect(response.status).toBe(404);
        expect(response.body).toEqual(
          expect.objectContaining({ statusCode: 404, message: expect.stringContaining('METRICS_KEY') }),
        );
        expect(response.text).not.toMatch(/http_requests_total|polymaker_/);
      } finally {
        await off.stop();
      }
    }
  });
});
