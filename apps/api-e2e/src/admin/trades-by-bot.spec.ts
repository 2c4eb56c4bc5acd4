import { request } from '@polymaker/testing';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * One bot's trades page (`GET /api/v1/trades?botId=`) on a real PostgreSQL. It is read per asset of
 * the bot and merged by id (no `(bot_id, id)` index: `(bot_id, asset, id)` serves it), so what a user
 * sees must be exactly the bot's rows of the unfiltered page: every field, newest first or oldest
 * first, page after page, with the other filters, and the same for a bot with too many assets for the
 * merge (read the plain way).
 */
describe('trades page: one bot, every asset, merged by id', () => {
  let t: TestApi;
  let botC = 0;
  let botD = 0;
  let all: Json[] = [];

  const page = async (query: string) => {
    const response = await t.admin<{ items: Json[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/trades?${query}`,
    );
    expect([response.status, response.status === 200 ? null : response.body]).toEqual([200, null]);
    return response.body;
  };
  /** Every page of a query, followed by its cursors. */
  const pages = async (query: string) => {
    const items: Json[] = [];
    let cursor: string | null = null;
    let count = 0;
    do {
      const body = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...body.items);
      cursor = body.nextCursor;
      count += 1;
    } while (cursor && count < 100);
    return { items, count };
  };
  const ofBot = (botId: number) => all.filter((trade) => trade['botId'] === botId);

  beforeAll(async () => {
    t = await startTestApi('tradesbybot');
    const keyOf = async (name: string) => {
      const created = await t.admin<{ secret: string; apiKey: Json }>('POST', '/api/v1/api-keys', {
        name,
        scope: 'bot',
      });
      return { key: created.body.secret, botId: created.body.apiKey['botId'] as number };
    };
    const c = await keyOf('bot-c');
    const d = await keyOf('bot-d');
    botC = c.botId;
    botD = d.botId;
    const as = (key: string, method: string, path: string, body?: unknown) =>
      request<Json>(t.api.url, method, path, { key, body });
    const runOf = async (key: string) =>
      (await as(key, 'POST', '/api/bot/run/start', { mode: 'dry_run' })).body['runId'] as number;
    const trade = (runId: number, i: number, asset: string) => ({
      runId,
      cycle: i,
      asset,
      windowDuration: i % 2 ? '5m' : '15m',
      side: i % 3 ? 'buy' : 'sell',
      outcome: 'Up',
      price: `0.${(i % 9) + 1}`,
      size: `${i + 1}`,
      strategy: 'MM',
    });
    // bot C: three assets in no regular order, in two runs; the default bot trades BTC between them
    const pattern = [
      'BTC',
      'BTC',
      'ETH',
      'SOL',
      'BTC',
      'ETH',
      'ETH',
      'SOL',
      'SOL',
      'BTC',
      'ETH',
      'BTC',
      'SOL',
    ];
    const runsOfC = [await runOf(c.key), await runOf(c.key)];
    const other = await runOf(t.api.botKey);
    const idsOfC: number[] = [];
    for (const [i, asset] of pattern.entries()) {
      const logged = await as(c.key, 'POST', '/api/bot/trade', trade(runsOfC[i % 2], i, asset));
      expect(logged.status).toBe(201);
      idsOfC.push(logged.body['tradeId'] as number);
      if (i % 4 === 0)
        expect((await t.bot('POST', '/api/bot/trade', trade(other, i, 'BTC'))).status).toBe(201);
    }
    // fills with microseconds (kept as text), a failure, a resolved P&L
    for (const [n, tradeId] of idsOfC.entries()) {
      const update =
        n % 3 === 0
          ? {
              tradeId,
              status: 'filled',
              fillPrice: 0.51,
              fillSize: 2,
              fillTimestamp: `2026-11-24T07:16:50.90589${n % 10}Z`,
            }
          : n % 5 === 1
            ? { tradeId, status: 'failed' }
            : n === 2
              ? { tradeId, status: 'filled', fillPrice: 0.5, fillSize: 1, resolvedOutcome: 'Up', pnl: 0.5 }
              : null;
      if (update) expect((await as(c.key, 'POST', '/api/bot/trade/update', update)).status).toBe(200);
    }
    // bot D: more assets than the merge takes (64): its page is read the plain way
    const runOfD = await runOf(d.key);
    const batch = Array.from({ length: 70 }, (_, i) => trade(runOfD, i, `A${(i * 37) % 67}`));
    expect((await as(d.key, 'POST', '/api/bot/trade/batch', { trades: batch })).status).toBeLessThan(300);
    all = (await page('limit=1000')).items;
  });
  afterAll(() => t?.stop());

  it("shows exactly the bot's rows of the unfiltered page, every field, newest first", async () => {
    expect(ofBot(botC)).toHaveLength(13);
    expect(new Set(ofBot(botC).map((trade) => trade['asset']))).toEqual(new Set(['BTC', 'ETH', 'SOL']));
    expect((await page(`botId=${botC}`)).items).toEqual(ofBot(botC));
    // a fill's microseconds survive this read as they do the plain one
    expect(ofBot(botC).some((trade) => String(trade['fillTimestamp']).includes('.90589'))).toBe(true);
  });

  it('pages by id across the assets, either order, to the last page', async () => {
    const newest = await pages(`botId=${botC}&limit=4`);
    expect(newest.items).toEqual(ofBot(botC));
    expect(newest.count).toBe(4);
    const oldest = await pages(`botId=${botC}&limit=5&order=asc`);
    expect(oldest.items).toEqual([...ofBot(botC)].reverse());
    expect(oldest.count).toBe(3);
  });

  it('applies the other filters within the merge', async () => {
    const cases: [string, (trade: Json) => boolean][] = [
      ['status=filled', (trade) => trade['status'] === 'filled'],
      ['status=failed', (trade) => trade['status'] === 'failed'],
      ['window=5m&side=buy', (trade) => trade['windowDuration'] === '5m' && trade['side'] === 'buy'],
      ['strategy=MM&outcome=Up', () => true],
      ['strategy=other', () => false],
      ['from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', () => true],
      ['from=2100-01-01T00:00:00Z', () => false],
    ];
    for (const [filter, keep] of cases) {
      const expected = ofBot(botC).filter(keep);
      expect({ filter, items: (await pages(`botId=${botC}&${filter}&limit=3`)).items }).toEqual({
        filter,
        items: expected,
      });
    }
    expect(ofBot(botC).filter((trade) => trade['status'] === 'failed').length).toBeGreaterThan(0);
    // by run or by asset as before; sorted by price, the plain way
    const run = ofBot(botC)[0]['runId'] as number;
    expect((await page(`botId=${botC}&runId=${run}`)).items).toEqual(
      ofBot(botC).filter((trade) => trade['runId'] === run),
    );
    expect((await page(`botId=${botC}&asset=SOL`)).items).toEqual(
      ofBot(botC).filter((trade) => trade['asset'] === 'SOL'),
    );
    const byPrice = (await pages(`botId=${botC}&sort=price&limit=4`)).items;
    expect(byPrice.map((trade) => trade['id'])).toEqual(
      [...ofBot(botC)]
        .sort((a, b) => Number(b['price']) - Number(a['price']) || (b['id'] as number) - (a['id'] as number))
        .map((trade) => trade['id']),
    );
  });

  it('reads a bot with more assets than the merge takes the plain way, the same rows', async () => {
    expect(new Set(ofBot(botD).map((trade) => trade['asset'])).size).toBeGreaterThan(64);
    expect((await pages(`botId=${botD}&limit=30`)).items).toEqual(ofBot(botD));
    expect((await pages(`botId=${botD}&limit=30&order=asc`)).items).toEqual([...ofBot(botD)].reverse());
  });

  it('exports the bot’s trades as CSV in the page’s order', async () => {
    const response = await t.raw('GET', `/api/v1/trades/export.csv?botId=${botC}`, { key: t.api.adminKey });
    expect(response.status).toBe(200);
    const [header, ...rows] = response.text.trim().split('\n');
    expect(header.split(',')[0]).toBe('id');
    expect(rows.map((row) => Number(row.split(',')[0]))).toEqual(ofBot(botC).map((trade) => trade['id']));
  });
});
