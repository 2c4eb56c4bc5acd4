import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_MAIN } from '@polymaker/testing';
import { Json, startTestApi, TestApi } from '../support/api';

/** The log lines `pick` finds once they are written (the logger writes asynchronously). */
async function waitForLines(pick: () => Json[]): Promise<Json[]> {
  for (let i = 0; i < 50; i++) {
    const found = pick();
    if (found.some((line) => line['msg'] === 'request')) return found;
    await new Promise((done) => setTimeout(done, 100));
  }
  return pick();
}

describe('operations', () => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi('ops');
  });
  afterAll(() => t?.stop());

  it('answers /health and /ready without a key', async () => {
    expect((await t.raw('GET', '/health')).body).toMatchObject({ status: 'ok', version: expect.any(String) });
    expect((await t.raw('GET', '/ready')).body).toEqual({ status: 'ready', message: 'database reachable' });
  });

  it('sends security headers and a request id, and keeps CORS off by default', async () => {
    const response = await t.raw('GET', '/health', {
      headers: { Origin: 'https://evil.example', 'X-Request-Id': 'trace-123' },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const error = await t.raw('GET', '/api/bot/config', { headers: { 'X-Request-Id': 'trace-456' } });
    expect(error.body['requestId']).toBe('trace-456');
  });

  it('serves the API docs and a spec identical to the committed openapi/openapi.json', async () => {
    const docs = await t.raw('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
    const served = await t.raw('GET', '/docs-json');
    const committed = JSON.parse(readFileSync(join(__dirname, '../../../../openapi/openapi.json'), 'utf8'));
    expect(served.body).toEqual(committed);
    expect(Object.keys(committed.paths)).toEqual(
      expect.arrayContaining(['/api/bot/run/stop', '/api/v1/trades', '/api/v1/events']),
    );
    expect(committed.components.securitySchemes['api-key']).toEqual(
      expect.objectContaining({ in: 'header', name: 'X-Api-Key' }),
    );
  });

  it('finishes an in-flight request on SIGTERM, then exits cleanly', async () => {
    const other = await startTestApi('ops_shutdown', { LOG_LEVEL: 'info' });
    const runId = (await other.bot('POST', '/api/bot/run/start', { mode: 'dry_run' })).body[
      'runId'
    ] as number;
    const trades = Array.from({ length: 5000 }, (_, i) => ({
      runId,
      cycle: i,
      asset: 'BTC',
      windowDuration: '5m',
      side: 'buy',
      outcome: 'Up',
      price: 0.5,
      size: 1,
      strategy: 'MM',
    }));
    const inFlight = other.bot('POST', '/api/bot/trade/batch', { trades });
    await new Promise((done) => setTimeout(done, 20));
    const exited = other.api.stop('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(await exited).toBe(0);
    expect(other.api.output()).toContain('stopped cleanly');
  });
});

describe('operations with settings', () => {
  it('applies CORS_ORIGINS and the per-key rate limit', async () => {
    const t = await startTestApi('ops_cors', {
      CORS_ORIGINS: 'https://admin.example',
      RATE_LIMIT_PER_MINUTE: '5',
    });
    try {
      const preflight = await t.raw('OPTIONS', '/api/v1/runs', {
        headers: {
          Origin: 'https://admin.example',
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'x-api-key',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://admin.example');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await t.bot('GET', '/api/bot/config')).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      const limited = await t.bot('GET', '/api/bot/config');
      expect(limited.body['message']).toMatch(/Too many requests/);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await t.admin('GET', '/api/bot/config')).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('refuses to start with a bad setting and names the variable', () => {
    const result = spawnSync(process.execPath, [API_MAIN], {
      env: { ...process.env, PORT: 'http', DATABASE_URL: 'mysql://nope', BODY_LIMIT_BYTES: '-1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/PORT must be a whole number/);
    expect(result.stderr).toMatch(/DATABASE_URL must start with postgres/);
    expect(result.stderr).toMatch(/BODY_LIMIT_BYTES/);
  });
});

describe('operations: request ids in the logs', () => {
  let logged: TestApi;

  beforeAll(async () => {
    logged = await startTestApi('ops_logs', { LOG_LEVEL: 'info' });
  });
  afterAll(() => logged?.stop());

  it('logs the request id on the access line and on the lines an admin write writes', async () => {
    const created = await logged.admin<Json>('POST', '/api/v1/configs', {
      basedOnId: 1,
      values: { mmSpreadMin: '0.03' },
      note: 'log test',
    });
    expect(created.status).toBe(201);
    const activated = await logged.admin(
      'POST',
      `/api/v1/configs/${String(created.body['id'])}/activate`,
      undefined,
      { 'X-Request-Id': 'trace-write-1' },
    );
    expect(activated.status).toBeLessThan(300);
    const lines = () =>
      logged.api
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Json);
    const ofWrite = await waitForLines(() => lines().filter((line) => line['reqId'] === 'trace-write-1'));
    expect(ofWrite.map((line) => line['msg'])).toEqual(
      expect.arrayContaining(['config version activated', 'request']),
    );
    const activation = lines().find(
      (line) => line['msg'] === 'config version activated' && line['reqId'] === 'trace-write-1',
    );
    expect(activation).toMatchObject({ context: 'ConfigService', configId: created.body['id'] });
  });
});
