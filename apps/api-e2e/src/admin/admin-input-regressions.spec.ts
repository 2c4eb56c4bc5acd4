import { Json, startTestApi, TestApi } from '../support/api';

/**
 * The exact admin inputs that were 500s (nothing written) or a cut CSV stream, each now a 400 that
 * names the parameter and its rule; and the CSV formula guard that let `-1+cmd|...` through.
 */
describe('admin API: hostile query and path parameters (regressions)', () => {
  let t: TestApi;
  let runId: number;

  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  beforeAll(async () => {
    t = await startTestApi('admin_input');
    runId = (
      await t.bot('POST', '/api/bot/run/start', { configId: 1, mode: 'dry_run', startingBankroll: 100 })
    ).body['runId'] as number;
    const trades = [
      { strategy: "-1+cmd|' /C calc'!A0", outcome: 'Up' },
      { strategy: '-2.5', outcome: '=HYPERLINK("http://evil.example")' },
      { strategy: 'MM', outcome: '-12' },
    ].map((extra, i) => ({
      runId,
      cycle: i,
      asset: 'BTC',
      windowDuration: '15m',
      side: 'buy',
      price: 0.5,
      size: 1 + i,
      ...extra,
    }));
    expect((await t.bot('POST', '/api/bot/trade/batch', { trades })).status).toBe(201);
  });
  afterAll(() => t?.stop());

  it.each([
    ['/api/v1/trades?asset=%00', 'asset', /NUL/],
    ['/api/v1/trades?asset=B%00TC', 'asset', /NUL/],
    [`/api/v1/trades?sort=price&cursor=${cursorOf(['abc', 1])}`, 'cursor', /sort "price"/],
    [`/api/v1/trades?sort=cycle&cursor=${cursorOf(['1e400', 1])}`, 'cursor', /cursor/],
    [
      `/api/v1/trades?cursor=${Buffer.from('[null,99999999999999999999]').toString('base64url')}`,
      'cursor',
      /cursor/,
    ],
    ['/api/v1/trades?cursor=not*base64', 'cursor', /cursor/],
    ['/api/v1/trades?runId=99999999999999999999', 'runId', /whole number from 1/],
    ['/api/v1/trades?runId=1e3', 'runId', /plain digits/],
    ['/api/v1/trades?from=2026-02-30', 'from', /ISO 8601/],
    ['/api/v1/trades?to=2026-01-01%20(hello)', 'to', /ISO 8601/],
    ['/api/v1/trades?asset=a&asset=b', 'asset', /given once/],
    ['/api/v1/trades?sort=pnl', 'sort', /sort/],
    ['/api/v1/runs?offset=1e20', 'offset', /from 0 to 10000000/],
    ['/api/v1/runs?limit=99999999999999999999', 'limit', /from 1 to 500/],
    ['/api/v1/runs?to=0000-01-01', 'to', /0001-01-01 and 9999-12-31/],
    ['/api/v1/runs?from=10000-01-01', 'from', /ISO 8601/],
    ['/api/v1/runs/99999999999999999999', 'id', /Path parameter "id"/],
    ['/api/v1/runs/1e3', 'id', /plain digits/],
    ['/api/v1/runs/-1/metrics', 'id', /Path parameter "id"/],
    ['/api/v1/runs/1/metrics?limit=1e3', 'limit', /plain digits/],
    ['/api/v1/analyses/99999999999999999999', 'id', /Path parameter "id"/],
    ['/api/v1/configs/99999999999999999999', 'id', /Path parameter "id"/],
    ['/api/v1/configs/diff?from=1e300&to=1', 'from', /config version/],
    ['/api/v1/notifications/0x10', 'id', /Path parameter "id"/],
    ['/api/v1/analyses?runId=99999999999999999999', 'runId', /whole number/],
    ['/api/v1/analyses/compare?configIds=1,1e400', 'configIds', /configIds/],
    ['/api/v1/outbox?topic=%00', 'topic', /NUL/],
    ['/api/v1/wallet/series?apiKeyId=99999999999999999999', 'apiKeyId', /whole number/],
    ['/api/v1/notification-deliveries?notificationId=99999999999999999999', 'notificationId', /whole number/],
    ['/api/v1/markets?includeExpired=maybe', 'includeExpired', /true or false/],
  ])('GET %s is a 400 naming %s', async (path, field, rule) => {
    const response = await t.admin('GET', path);
    expect(response.status).toBe(400);
    expect(response.body['message']).toMatch(rule);
    expect(response.body['details']).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('answers the scheduler job "constructor" with a 400, not a lookup by key', async () => {
    const response = await t.admin('POST', '/api/v1/scheduler/jobs/constructor/run');
    expect(response.status).toBe(400);
    expect(response.body['details']).toEqual([expect.objectContaining({ field: 'name' })]);
  });

  it('refuses a bad CSV export before the 200 and its first byte', async () => {
    for (const query of [
      'asset=%00',
      'from=0000-01-01',
      'runId=99999999999999999999',
      'sort=price&order=sideways',
    ]) {
      const response = await fetch(`${t.api.url}/api/v1/trades/export.csv?${query}`, {
        headers: { 'X-Api-Key': t.api.adminKey },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await response.json()) as Json)['statusCode']).toBe(400);
    }
  });

  it('still pages with valid cursors for every sort, and a valid date filter', async () => {
    for (const sort of ['id', 'price', 'size', 'cycle']) {
      const first = await t.admin<{ items: Json[]; nextCursor: string }>(
        'GET',
        `/api/v1/trades?sort=${sort}&limit=2`,
      );
      expect(first.status).toBe(200);
      const next = await t.admin<{ items: Json[] }>(
        'GET',
        `/api/v1/trades?sort=${sort}&limit=2&cursor=${first.body.nextCursor}`,
      );
      expect(next.status).toBe(200);
      expect(next.body.items).toHaveLength(1);
    }
    const since = await t.admin<{ items: Json[] }>(
      'GET',
      '/api/v1/trades?from=2026-01-01&to=9999-12-31T23:59:59Z',
    );
    expect(since.body.items).toHaveLength(3);
  });

  it('exports formula-looking text with the guard; only exact numbers stay as they are', async () => {
    const response = await fetch(`${t.api.url}/api/v1/trades/export.csv?runId=${runId}`, {
      headers: { 'X-Api-Key': t.api.adminKey },
    });
    expect(response.status).toBe(200);
    const csv = await response.text();
    expect(csv).toContain(",'-1+cmd|' /C calc'!A0,");
    expect(csv).not.toMatch(/(^|,)-1\+cmd/m);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(csv).toMatch(/(^|,)-2\.5(,|$)/m);
    expect(csv).toMatch(/(^|,)-12(,|$)/m);
  });
});
