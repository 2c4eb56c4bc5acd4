import { startTestApi, TestApi } from '../support/api';
import { openRaw, parseRawResponse, SseClient, waitUntil } from './wire';

/**
 * Slow and stalled clients cannot hold a connection: the request (headers and body) must arrive within
 * REQUEST_TIMEOUT_MS, else 408 in the error body shape and the connection is closed. A normal upload and
 * the long-lived live stream are not affected.
 */
describe('slow clients', () => {
  let t: TestApi;
  const body = JSON.stringify({ mode: 'dry_run' });
  const head = (length: number) =>
    `POST /api/bot/run/start HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: ${t.api.botKey}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
  const runCount = async () => (await t.admin<{ total: number }>('GET', '/api/v1/runs')).body.total;

  beforeAll(async () => {
    t = await startTestApi('ops_slow', {
      REQUEST_TIMEOUT_MS: '2000',
      HEADERS_TIMEOUT_MS: '1000',
      KEEP_ALIVE_TIMEOUT_MS: '1500',
    });
  });
  afterAll(() => t?.stop());

  const expectTimeoutAnswer = (text: string) => {
    const response = parseRawResponse(text);
    expect(response.status).toBe(408);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['connection']).toBe('close');
    expect(response.body).toEqual({
      statusCode: 408,
      error: 'Request Timeout',
      message: expect.stringContaining('REQUEST_TIMEOUT_MS'),
      requestId: expect.any(String),
    });
  };

  it('answers a request whose body never comes with 408 JSON and closes the connection', async () => {
    const before = await runCount();
    const exchange = await openRaw(t.api.port, head(Buffer.byteLength(body)));
    await waitUntil('the server to close the stalled connection', () => exchange.isClosed(), 30_000);
    expectTimeoutAnswer(exchange.received());
    expect(await runCount()).toBe(before);
  });

  it('answers a body sent at one byte a second with 408 JSON and closes the connection', async () => {
    const before = await runCount();
    const exchange = await openRaw(t.api.port, head(Buffer.byteLength(body)));
    let sent = 0;
    const drip = setInterval(() => {
      if (exchange.isClosed() || sent >= body.length - 1) return; // never the last byte
      exchange.socket.write(body[sent]);
      sent += 1;
    }, 1000);
    try {
      await waitUntil('the server to close the dripping connection', () => exchange.isClosed(), 30_000);
    } finally {
      clearInterval(drip);
    }
    expect(sent).toBeGreaterThan(0);
    expectTimeoutAnswer(exchange.received());
    expect(await runCount()).toBe(before);
  });

  it('answers headers that never finish with 408 JSON and closes the connection', async () => {
    const exchange = await openRaw(t.api.port, `GET /api/bot/config HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    await waitUntil('the server to close the connection', () => exchange.isClosed(), 30_000);
    expectTimeoutAnswer(exchange.received());
  });

  it('closes a connection that never sends a byte', async () => {
    const exchange = await openRaw(t.api.port, '');
    await waitUntil('the server to close the silent connection', () => exchange.isClosed(), 30_000);
  });

  it('still takes a normal upload, and a body sent in a few quick parts', async () => {
    const runId = (await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' })).body
      .runId;
    const trades = Array.from({ length: 3000 }, (_, i) => ({
      runId,
      cycle: i,
      asset: 'BTC',
      windowDuration: '5m',
      side: 'buy',
      outcome: 'Up',
      price: '0.51',
      size: '10',
      strategy: 'MM',
    }));
    const upload = await t.bot<{ tradeIds: number[] }>('POST', '/api/bot/trade/batch', { trades });
    expect(upload.status).toBe(201);
    expect(upload.body.tradeIds).toHaveLength(3000);

    const exchange = await openRaw(t.api.port, head(Buffer.byteLength(body)));
    for (const part of [body.slice(0, 5), body.slice(5, 10), body.slice(10)]) {
      await new Promise((done) => setTimeout(done, 100));
      exchange.socket.write(part);
    }
    await waitUntil('the answer', () => exchange.received().includes('"runId"'), 30_000);
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 201/);
    exchange.socket.destroy();
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const exchange = await openRaw(t.api.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitUntil('the health answer', () => exchange.received().includes('"status":"ok"'));
    expect(exchange.isClosed()).toBe(false);
    await waitUntil('the server to close the idle connection', () => exchange.isClosed(), 30_000);
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(exchange.received()).not.toContain('408');
  });

  it('does not cut the live stream, which outlives every timeout', async () => {
    const stream = await SseClient.open(t.api.url, t.api.adminKey);
    try {
      expect(stream.status).toBe(200);
      await new Promise((done) => setTimeout(done, 4000)); // past REQUEST_TIMEOUT_MS and KEEP_ALIVE_TIMEOUT_MS
      expect(stream.ended).toBe(false);
      const runId = (await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' })).body
        .runId;
      await waitUntil('the run.started event', () =>
        stream.events.some(
          (event) => event.name === 'run.started' && (event.data as { runId: number }).runId === runId,
        ),
      );
    } finally {
      await stream.close();
    }
  });
});
