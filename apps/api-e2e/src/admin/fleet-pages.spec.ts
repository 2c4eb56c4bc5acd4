import { request } from '@polymaker/testing';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * The fleet pages' reads through the real API on a real PostgreSQL: trades and analyses filtered by
 * bot (a filter shows that bot's rows and nothing else; a bad botId is a 400), the trade filters'
 * choices, and the watchlist: expired markets hidden until asked for, the soonest-expiring live
 * market first, and a search that is case-insensitive, treats % and _ as plain text and pages.
 */
describe('fleet pages: trades and analyses by bot, the watchlist search', () => {
  let t: TestApi;
  let botA = 0;
  let botB = 0;
  let keyB = '';
  const runA: number[] = [];
  let runB = 0;
  const asB = <T = Json>(method: string, path: string, body?: unknown) =>
    request<T>(t.api.url, method, path, { key: keyB, body });

  beforeAll(async () => {
    t = await startTestApi('fleetpages');
    const created = await t.admin<{ secret: string; apiKey: Json }>('POST', '/api/v1/api-keys', {
      name: 'bot-b',
      scope: 'bot',
    });
    keyB = created.body.secret;
    botB = created.body.apiKey['botId'] as number;
    runA.push((await t.bot('POST', '/api/bot/run/start', { mode: 'dry_run' })).body['runId'] as number);
    runA.push((await t.bot('POST', '/api/bot/run/start', { mode: 'dry_run' })).body['runId'] as number);
    runB = (await asB('POST', '/api/bot/run/start', { mode: 'dry_run' })).body['runId'] as number;
    const trade = (runId: number, i: number, asset: string, strategy: string) => ({
      runId,
      cycle: i,
      asset,
      windowDuration: i % 2 ? '5m' : '15m',
      side: 'buy',
      outcome: 'Up',
      price: '0.5',
      size: '1',
      strategy,
    });
    const a = [...runA.flatMap((runId) => [0, 1, 2].map((i) => trade(runId, i, 'BTC', 'MM')))];
    expect((await t.bot('POST', '/api/bot/trade/batch', { trades: a })).status).toBeLessThan(300);
    expect(
      (
        await asB('POST', '/api/bot/trade/batch', {
          trades: [0, 1, 2, 3].map((i) => trade(runB, i, 'ETH', 'hedge')),
        })
      ).status,
    ).toBeLessThan(300);
    botA = (await t.admin<{ items: Json[] }>('GET', '/api/v1/bots')).body.items.find(
      (b) => b['botId'] !== botB,
    )?.['botId'] as number;
    expect(botA).toBeGreaterThan(0);
  });
  afterAll(() => t?.stop());

  it("lists one bot's trades with botId, and nothing of another bot's", async () => {
    const all = (await t.admin<{ items: Json[] }>('GET', '/api/v1/trades?limit=1000')).body.items;
    expect(all).toHaveLength(10);
    const ofA = (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?botId=${botA}`)).body.items;
    expect(ofA).toHaveLength(6);
    expect(
      ofA.every(
        (trade) =>
          trade['botId'] === botA && runA.includes(trade['runId'] as number) && trade['asset'] === 'BTC',
      ),
    ).toBe(true);
    const ofB = (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?botId=${botB}`)).body.items;
    expect(ofB.map((trade) => trade['botId'])).toEqual([botB, botB, botB, botB]);
    expect(ofB.every((trade) => trade['runId'] === runB && trade['asset'] === 'ETH')).toBe(true);
    // combined with the other filters, and keyset paging within one bot
    expect(
      (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?botId=${botB}&asset=BTC`)).body.items,
    ).toEqual([]);
    expect(
      (await t.admin<{ items: Json[] }>('GET', `/api/v1/trades?botId=${botA}&runId=${runB}`)).body.items,
    ).toEqual([]);
    const first = (
      await t.admin<{ items: Json[]; nextCursor: string }>('GET', `/api/v1/trades?botId=${botA}&limit=4`)
    ).body;
    const second = (
      await t.admin<{ items: Json[]; nextCursor: string | null }>(
        'GET',
        `/api/v1/trades?botId=${botA}&limit=4&cursor=${first.nextCursor}`,
      )
    ).body;
    expect([...first.items, ...second.items].map((trade) => trade['id'])).toEqual(
      ofA.map((trade) => trade['id']),
    );
    expect(second.nextCursor).toBeNull();
    // a bot with no trades (or no such bot): an empty page, not an error
    const none = await t.admin<{ items: Json[] }>('GET', '/api/v1/trades?botId=987654');
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
  });

  it('exports one bot’s trades as CSV, botId in the last column', async () => {
    const response = await t.raw('GET', `/api/v1/trades/export.csv?botId=${botB}`, { key: t.api.adminKey });
    expect(response.status).toBe(200);
    const [header, ...rows] = response.text
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    expect(header[header.length - 1]).toBe('botId');
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row[row.length - 1] === String(botB) && row[1] === String(runB))).toBe(true);
  });

  it('refuses a botId that is not a positive whole number with a 400 naming it, on the list and the export', async () => {
    for (const value of [
      '0',
      '-1',
      'abc',
      '1e3',
      '0x10',
      '1.5',
      '99999999999999999999',
      '',
      `${botA}&botId=${botB}`,
    ]) {
      for (const path of ['/api/v1/trades', '/api/v1/trades/export.csv', '/api/v1/analyses']) {
        const response = await t.admin('GET', `${path}?botId=${value}`);
        expect({ path, value, status: response.status }).toEqual({ path, value, status: 400 });
        expect(response.body['message']).toMatch(/botId/);
      }
    }
  });

  it('offers the trade filters’ values from bounded reads', async () => {
    const facets = (
      await t.admin<{ assets: string[]; windows: string[]; strategies: string[]; truncated: boolean }>(
        'GET',
        '/api/v1/trades/facets',
      )
    ).body;
    expect(facets).toEqual({
      assets: ['BTC', 'ETH'],
      windows: ['15m', '5m'],
      strategies: ['MM', 'hedge'],
      truncated: false,
    });
  });

  it("lists one bot's analyses, each with its run's bot", async () => {
    expect(
      (await asB('POST', '/api/bot/run/stop', { runId: runB, status: 'completed' })).status,
    ).toBeLessThan(300);
    expect(
      (await t.bot('POST', '/api/bot/run/stop', { runId: runA[0], status: 'completed' })).status,
    ).toBeLessThan(300);
    const all = (await t.admin<{ items: Json[]; total: number }>('GET', '/api/v1/analyses')).body;
    expect(all.total).toBe(2);
    const ofB = (await t.admin<{ items: Json[]; total: number }>('GET', `/api/v1/analyses?botId=${botB}`))
      .body;
    expect(ofB.total).toBe(1);
    expect(ofB.items[0]).toMatchObject({ runId: runB, botId: botB });
    const ofA = (await t.admin<{ items: Json[]; total: number }>('GET', `/api/v1/analyses?botId=${botA}`))
      .body;
    expect(ofA.items.map((analysis) => [analysis['runId'], analysis['botId']])).toEqual([[runA[0], botA]]);
    // an on-demand analysis carries the bot too
    const made = await t.admin('POST', `/api/v1/runs/${runA[1]}/analyses`);
    expect(made.status).toBe(201);
    expect(made.body['botId']).toBe(botA);
    expect((await t.admin<{ total: number }>('GET', `/api/v1/analyses?botId=${botA}`)).body.total).toBe(2);
    const compared = (
      await t.admin<{ groups: { runs: Json[] }[] }>('GET', `/api/v1/analyses/compare?botId=${botB}`)
    ).body.groups;
    expect(compared.flatMap((group) => group.runs.map((run) => run['runId']))).toEqual([runB]);
  });

  describe('the watchlist', () => {
    const now = Math.floor(Date.now() / 1000);
    const markets = [
      {
        tokenId: 'w-later',
        asset: 'ETH',
        window: '5m',
        windowId: 'eth-updown-5m-2000',
        expiresAt: String(now + 3600),
      },
      {
        tokenId: 'w-gone-long',
        asset: 'BTC',
        window: '15m',
        windowId: 'btc-updown-15m-0500',
        expiresAt: String(now - 7200),
      },
      { tokenId: 'w-none', asset: 'SOL', window: '15m', windowId: 'sol_updown%15m' },
      {
        tokenId: 'w-soon',
        asset: 'BTC',
        window: '15m',
        windowId: 'btc-updown-15m-1000',
        expiresAt: String(now + 600),
      },
      // just expired and still being reported: the owner saw these first with "Show expired" off
      {
        tokenId: 'w-gone-now',
        asset: 'XRP',
        window: '5m',
        windowId: 'xrp-updown-5m-0900',
        expiresAt: String(now - 60),
      },
    ];
    type Page = { items: Json[]; total: number; nextCursor: string | null; assets: string[] };
    const list = async (query: string) => {
      const response = await t.admin<Page>('GET', `/api/v1/markets?${query}`);
      expect(response.status).toBe(200);
      return { ...response.body, tokens: response.body.items.map((m) => m['tokenId']) };
    };

    beforeAll(async () => {
      expect((await t.bot('POST', '/api/bot/markets/report', { markets })).status).toBeLessThan(300);
      expect((await t.bot('POST', '/api/bot/markets/report', { markets })).status).toBeLessThan(300);
    });

    it('hides expired markets by default and lists the soonest-expiring live market first', async () => {
      const shown = await list('');
      expect(shown.tokens).toEqual(['w-soon', 'w-later', 'w-none']);
      expect(shown.total).toBe(3);
      expect(shown.assets).toEqual(['BTC', 'ETH', 'SOL']);
      const everything = await list('includeExpired=true');
      expect(everything.tokens).toEqual(['w-soon', 'w-later', 'w-none', 'w-gone-now', 'w-gone-long']);
      expect(everything.total).toBe(5);
      expect(everything.items.slice(3).every((m) => (m['secondsToExpiry'] as number) < 0)).toBe(true);
    });

    it('pages in that order, every market once', async () => {
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page & { tokens: unknown[] } = await list(
          `includeExpired=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.total).toBe(5);
        seen.push(...page.tokens);
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(['w-soon', 'w-later', 'w-none', 'w-gone-now', 'w-gone-long']);
    });

    it('searches asset and slug, case-insensitive, with % and _ as plain characters', async () => {
      expect((await list('search=btc')).tokens).toEqual(['w-soon']);
      expect((await list('search=btc&includeExpired=true')).tokens).toEqual(['w-soon', 'w-gone-long']);
      expect((await list('search=UPDOWN-5M')).tokens).toEqual(['w-later']);
      expect((await list('search=Eth')).tokens).toEqual(['w-later']);
      // unescaped, % and _ would match every market
      expect((await list(`search=${encodeURIComponent('%')}`)).tokens).toEqual(['w-none']);
      expect((await list('search=_updown')).tokens).toEqual(['w-none']);
      expect((await list('search=-updown-')).tokens).toEqual(['w-soon', 'w-later']);
      const none = await list('search=doge');
      expect(none).toMatchObject({ items: [], total: 0, nextCursor: null });
      expect(none.assets).toEqual(['BTC', 'ETH', 'SOL']);
      // with the asset filter and paging
      expect((await list('asset=BTC&includeExpired=true')).tokens).toEqual(['w-soon', 'w-gone-long']);
      const first = await list('search=updown-&includeExpired=true&limit=1');
      expect(first).toMatchObject({ total: 4, tokens: ['w-soon'] });
      const second = await list(`search=updown-&includeExpired=true&limit=3&cursor=${first.nextCursor}`);
      expect(second.tokens).toEqual(['w-later', 'w-gone-now', 'w-gone-long']);
      expect(second.nextCursor).toBeNull();
    });

    it('refuses a search longer than 100 characters, with NUL, or given twice, with a 400 naming it', async () => {
      expect((await list(`search=${'a'.repeat(100)}`)).tokens).toEqual([]);
      for (const query of [
        `search=${'a'.repeat(101)}`,
        'search=a%00b',
        'search=a&search=b',
        `asset=${'A'.repeat(41)}`,
      ]) {
        const response = await t.admin('GET', `/api/v1/markets?${query}`);
        expect({ query, status: response.status }).toEqual({ query, status: 400 });
        expect(response.body['message']).toMatch(/search|asset/);
      }
    });
  });
});
