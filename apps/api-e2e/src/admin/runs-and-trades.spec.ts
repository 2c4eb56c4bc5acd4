import { Json, startTestApi, TestApi } from '../support/api';

describe('runs, trades and markets for the admin', () => {
  let t: TestApi;
  const runs: number[] = [];

  beforeAll(async () => {
    t = await startTestApi('reads');
    for (const mode of ['dry_run', 'live', 'dry_run']) {
      runs.push(
        (await t.bot('POST', '/api/bot/run/start', { configId: 1, mode, startingBankroll: 100 })).body[
          'runId'
        ] as number,
      );
    }
    const assets = ['BTC', 'ETH', 'SOL', 'XRP'];
    const trades = Array.from({ length: 250 }, (_, i) => ({
      runId: runs[i % 2],
      cycle: i,
      asset: assets[i % 4],
      windowDuration: i % 3 === 0 ? '5m' : '15m',
      side: i % 2 ? 'sell' : 'buy',
      outcome: i % 5 === 0 ? 'Down' : 'Up',
      price: ((i % 90) + 5) / 100,
      size: (i % 7) + 1,
      strategy: 'MM',
      tokenId: `tok-${i % 10}`,
    }));
    const batch = await t.bot('POST', '/api/bot/trade/batch', { trades });
    expect(batch.body['count']).toBe(250);
    await t.bot('POST', '/api/bot/run/stop', { runId: runs[2], status: 'stopped' });
  });
  afterAll(() => t?.stop());

  it('lists runs with filters and paging', async () => {
    const all = (await t.admin<{ items: Json[]; total: number }>('GET', '/api/v1/runs')).body;
    expect(all.total).toBe(3);
    expect(all.items.map((run) => run['id'])).toEqual([...runs].reverse());
    expect((await t.admin('GET', '/api/v1/runs?mode=live')).body['total']).toBe(1);
    expect((await t.admin('GET', '/api/v1/runs?status=stopped')).body['total']).toBe(1);
    expect((await t.admin('GET', '/api/v1/runs?configId=1&status=running')).body['total']).toBe(2);
    const page = (await t.admin<{ items: Json[]; total: number }>('GET', '/api/v1/runs?limit=2&offset=2'))
      .body;
    expect(page).toMatchObject({ total: 3, items: [expect.objectContaining({ id: runs[0] })] });
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await t.admin('GET', `/api/v1/runs?from=${encodeURIComponent(future)}`)).body['total']).toBe(0);
    const bad = await t.admin('GET', '/api/v1/runs?status=sleeping&limit=9999');
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/status/);
    expect((await t.admin('GET', '/api/v1/runs/424242')).status).toBe(404);
  });

  it('filters trades and pages through all of them with a cursor, without repeats or gaps', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query = `/api/v1/trades?limit=40${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: Json[]; nextCursor: string | null } = (
        await t.admin<{ items: Json[]; nextCursor: string | null }>('GET', query)
      ).body;
      seen.push(...page.items.map((trade) => trade['id'] as number));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);

    const filtered = (
      await t.admin<{ items: Json[] }>(
        'GET',
        `/api/v1/trades?runId=${runs[0]}&asset=BTC&window=5m&side=buy&outcome=Up&limit=1000`,
      )
    ).body.items;
    expect(filtered.length).toBeGreaterThan(0);
    expect(
      filtered.every(
        (trade) =>
          trade['runId'] === runs[0] &&
          trade['asset'] === 'BTC' &&
          trade['windowDuration'] === '5m' &&
          trade['side'] === 'buy' &&
          trade['outcome'] === 'Up',
      ),
    ).toBe(true);

    const byPrice: number[] = [];
    cursor = null;
    do {
      const query = `/api/v1/trades?sort=price&order=asc&limit=33${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: Json[]; nextCursor: string | null } = (
        await t.admin<{ items: Json[]; nextCursor: string | null }>('GET', query)
      ).body;
      byPrice.push(...page.items.map((trade) => Number(trade['price'])));
      cursor = page.nextCursor;
    } while (cursor);
    expect(byPrice).toHaveLength(250);
    expect([...byPrice].sort((a, b) => a - b)).toEqual(byPrice);

    expect((await t.admin('GET', '/api/v1/trades?cursor=garbage')).status).toBe(400);
    expect((await t.admin('GET', '/api/v1/trades?status=filled')).body['items']).toEqual([]);
  });

  it('exports the current filter as CSV', async () => {
    const response = await t.raw('GET', `/api/v1/trades/export.csv?runId=${runs[1]}&asset=ETH`, {
      key: t.api.adminKey,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = response.text.trim().split('\n');
    expect(lines[0].split(',').slice(0, 6)).toEqual([
      'id',
      'runId',
      'createdAt',
      'cycle',
      'asset',
      'windowDuration',
    ]);
    const rows = lines.slice(1).map((line) => line.split(','));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row[1] === String(runs[1]) && row[4] === 'ETH')).toBe(true);
  });

  it('shows the watchlist with trade counts per market', async () => {
    const expires = Math.floor(Date.now() / 1000) + 900;
    await t.bot('POST', '/api/bot/markets/report', {
      markets: [
        { tokenId: 'tok-1', tokenIdDown: 'tok-2', asset: 'ETH', window: '15m', expiresAt: String(expires) },
      ],
    });
    const [market] = (await t.admin<{ items: Json[] }>('GET', '/api/v1/markets')).body.items;
    expect(market).toMatchObject({
      tokenId: 'tok-1',
      asset: 'ETH',
      tradeCount: 50,
      lastTradeAt: expect.any(String),
    });
  });
});
