import { request } from '@polymaker/testing';
import { sql } from '../back-office/loopback';
import { SseClient, waitUntil } from '../ops/wire';
import { Json, startTestApi, TestApi } from '../support/api';

/** Exact sum of decimal strings, in the test's own arithmetic (BigInt at 8 places), to check the API's. */
function sum(values: string[]): string {
  const SCALE = 8;
  let total = 0n;
  for (const value of values) {
    const negative = value.startsWith('-');
    const [whole, fraction = ''] = (negative ? value.slice(1) : value).split('.');
    const digits = BigInt(whole + fraction.padEnd(SCALE, '0'));
    total += negative ? -digits : digits;
  }
  const negative = total < 0n;
  const text = (negative ? -total : total).toString().padStart(SCALE + 1, '0');
  const fraction = text.slice(-SCALE).replace(/0+$/, '');
  return `${negative ? '-' : ''}${text.slice(0, -SCALE)}${fraction ? `.${fraction}` : ''}`;
}

/**
 * The P&L calendar, per-bot P&L over time, exposure now, the versions a bot ran and its state events,
 * through the real API on a real PostgreSQL. The calendar is checked against the trades and the runs'
 * own aggregates (three ways to the same figures), in UTC and in a time zone where the day differs.
 */
describe('P&L calendar, exposure, bot history and state events', () => {
  let t: TestApi;
  const bots: { secret: string; botId: number }[] = [];
  const as = (i: number, method: string, path: string, body?: unknown) =>
    request<Json>(t.api.url, method, path, { key: bots[i].secret, body });
  const calendar = (query: string) =>
    t.admin<Json & { buckets: Json[]; totals: Json[] }>('GET', `/api/v1/pnl/calendar?${query}`);

  /** Logs a filled trade and, when `pnl` is given, resolves it; returns its id. */
  async function trade(
    i: number,
    runId: number,
    fields: {
      asset?: string;
      window?: string;
      outcome?: string;
      side?: string;
      price: string;
      size: string;
      pnl?: string;
      conditionId?: string;
      tokenId?: string;
    },
  ): Promise<number> {
    const logged = await as(i, 'POST', '/api/bot/trade', {
      runId,
      cycle: 1,
      asset: fields.asset ?? 'BTC',
      windowDuration: fields.window ?? '15m',
      side: fields.side ?? 'buy',
      outcome: fields.outcome ?? 'Up',
      price: Number(fields.price),
      size: Number(fields.size),
      strategy: 'MM',
      ...(fields.conditionId ? { conditionId: fields.conditionId } : {}),
      ...(fields.tokenId ? { tokenId: fields.tokenId } : {}),
    });
    const tradeId = logged.body['tradeId'] as number;
    const update = await as(i, 'POST', '/api/bot/trade/update', {
      tradeId,
      status: 'filled',
      fillPrice: Number(fields.price),
      fillSize: Number(fields.size),
      ...(fields.pnl !== undefined ? { pnl: Number(fields.pnl), resolvedOutcome: 'Up' } : {}),
    });
    expect([update.status, update.status === 200 ? null : update.body]).toEqual([200, null]);
    return tradeId;
  }

  const backdate = (ids: number[], at: string) =>
    sql(t.databaseUrl, 'update trades set created_at = $2::timestamptz where id = any($1::bigint[])', [
      ids,
      at,
    ]);

  let runA = 0;
  let runB = 0;
  beforeAll(async () => {
    // the database's default session time zone is not UTC (a server installed in New York): the
    // calendar's UTC days and hours must not move with it
    // the P&L journal is folded into the rollups only when a case asks (POST …/jobs/pnl-fold/run)
    t = await startTestApi('pnl', { PNL_FOLD_SECONDS: '3600' }, { timeZone: 'America/New_York' });
    for (const name of ['pnl-a', 'pnl-b']) {
      const created = await t.admin<{ secret: string; apiKey: Json }>('POST', '/api/v1/api-keys', {
        name,
        scope: 'bot',
      });
      bots.push({ secret: created.body.secret, botId: created.body.apiKey['botId'] as number });
    }
  });
  afterAll(() => t?.stop());

  it('publishes bot.state-changed live as a bot starts a run, is paused, resumed and stops', async () => {
    const stream = await SseClient.open(t.api.url, t.api.adminKey);
    try {
      await waitUntil('the stream', () => stream.lastId);
      const states = () =>
        stream.events.filter((e) => e.name === 'bot.state-changed').map((e) => e.data as Json);
      runA = (
        await as(0, 'POST', '/api/bot/run/start', { configId: 1, mode: 'dry_run', startingBankroll: 500 })
      ).body['runId'] as number;
      await waitUntil('running', () =>
        states().find((s) => s['botId'] === bots[0].botId && s['state'] === 'running'),
      );
      expect(states()[0]).toMatchObject({
        botId: bots[0].botId,
        state: 'running',
        previous: 'idle',
        runningRuns: 1,
      });

      await t.admin('POST', '/api/v1/fleet/pause', { botId: bots[0].botId });
      await waitUntil('paused', () => states().find((s) => s['state'] === 'paused'));
      await t.admin('POST', '/api/v1/fleet/resume', { botId: bots[0].botId });
      await waitUntil('running again', () => states().filter((s) => s['state'] === 'running').length === 2);
      expect(states().map((s) => [s['state'], s['previous']])).toEqual([
        ['running', 'idle'],
        ['paused', 'running'],
        ['running', 'paused'],
      ]);
      // bot B starts too; neither its start nor the trades below change bot A's state
      runB = (
        await as(1, 'POST', '/api/bot/run/start', { configId: 1, mode: 'dry_run', startingBankroll: 500 })
      ).body['runId'] as number;
      await waitUntil('bot B running', () => states().find((s) => s['botId'] === bots[1].botId));
      expect(states().filter((s) => s['botId'] === bots[0].botId)).toHaveLength(3);
    } finally {
      await stream.close();
    }
  });

  it('sums realised P&L by day, week and month, per bot, asset and window, equal to the trades and the runs’ figures', async () => {
    // bot A: today +1.5 and -0.25 on BTC 15m; 10 days ago +2.125 on ETH 1h; bot B: 40 days ago -0.5 on BTC 5m.
    // One trade at 23:30 UTC on 30 Nov: 30 Nov in UTC, 1 Dec in Berlin (UTC+1).
    await trade(0, runA, { price: '0.5', size: '10', pnl: '1.5' });
    await trade(0, runA, { price: '0.45', size: '5', pnl: '-0.25', outcome: 'Down' });
    const old = await trade(0, runA, { asset: 'ETH', window: '1h', price: '0.4', size: '5', pnl: '2.125' });
    const older = await trade(1, runB, { window: '5m', price: '0.6', size: '2', pnl: '-0.5' });
    const lateNight = await trade(1, runB, { price: '0.3', size: '1', pnl: '0.0001' });
    await trade(1, runB, { price: '0.3', size: '1' }); // filled, unresolved: no P&L anywhere
    await backdate([old], new Date(Date.now() - 10 * 86_400_000).toISOString());
    await backdate([older], new Date(Date.now() - 40 * 86_400_000).toISOString());
    // 23:30 UTC three days ago: that day in UTC, the next day in Berlin (UTC+1 or +2)
    const day = (offsetDays: number) =>
      new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    await backdate([lateNight], `${day(-3)}T23:30:00Z`);
    const range = `from=${day(-60)}&to=${day(1)}`;

    // one: the trades, as the trades API lists them
    const trades = (await t.admin<{ items: Json[] }>('GET', '/api/v1/trades?limit=1000')).body.items;
    const resolved = trades.filter((tr) => tr['pnl'] !== null);
    const byBotFromTrades = (botId: number) =>
      sum(resolved.filter((tr) => tr['botId'] === botId).map((tr) => tr['pnl'] as string));
    // two: the runs' own aggregates, as the Bots API sums them per bot
    const botsView = (await t.admin<{ items: Json[] }>('GET', '/api/v1/bots')).body.items;
    const realisedOf = (botId: number) => botsView.find((b) => b['botId'] === botId)?.['realisedPnl'];
    // three: the calendar, per bot
    const perBot = (await calendar(`period=month&groupBy=bot&${range}`)).body;
    for (const bot of bots) {
      const key = String(bot.botId);
      expect(perBot.totals.find((row) => row['key'] === key)?.['pnl']).toBe(byBotFromTrades(bot.botId));
      expect(realisedOf(bot.botId)).toBe(byBotFromTrades(bot.botId));
      expect(sum(perBot.buckets.filter((b) => b['key'] === key).map((b) => b['pnl'] as string))).toBe(
        byBotFromTrades(bot.botId),
      );
    }
    expect(perBot['total']).toBe(sum(resolved.map((tr) => tr['pnl'] as string)));
    expect(perBot['trades']).toBe(resolved.length);
    expect(byBotFromTrades(bots[0].botId)).toBe('3.375');
    expect(byBotFromTrades(bots[1].botId)).toBe('-0.4999');

    // the same total whichever way it is cut, and the buckets add up to it
    for (const cut of [
      'period=day&groupBy=asset',
      'period=week&groupBy=window',
      'period=month&groupBy=fleet',
      'period=day&groupBy=fleet',
    ]) {
      const view = (await calendar(`${cut}&${range}`)).body;
      expect([cut, view['total']]).toEqual([cut, perBot['total']]);
      expect([cut, sum(view.buckets.map((b) => b['pnl'] as string))]).toEqual([cut, perBot['total']]);
      expect([cut, sum(view.totals.map((row) => row['pnl'] as string))]).toEqual([cut, perBot['total']]);
    }
    const assets = (await calendar(`period=day&groupBy=asset&${range}`)).body.totals;
    expect(assets.find((row) => row['key'] === 'ETH')?.['pnl']).toBe('2.125');

    // time zones: the late-night trade moves to the next day in Berlin
    const pair = `from=${day(-3)}&to=${day(-2)}`;
    const utc = (await calendar(`period=day&groupBy=bot&${pair}`)).body;
    const berlin = (await calendar(`period=day&groupBy=bot&${pair}&timeZone=Europe/Berlin`)).body;
    const cell = (view: { buckets: Json[] }, d: string) =>
      view.buckets.find((b) => b['start'] === d && b['key'] === String(bots[1].botId))?.['pnl'];
    expect(cell(utc, day(-3))).toBe('0.0001');
    expect(cell(berlin, day(-2))).toBe('0.0001');
    expect(cell(berlin, day(-3))).toBeUndefined();
    expect(berlin['timeZone']).toBe('Europe/Berlin');

    // weeks start on Monday (ISO weeks), months on the 1st
    const week = (await calendar(`period=week&${range}`)).body;
    for (const bucket of week.buckets)
      expect(new Date(`${bucket['start'] as string}T00:00:00Z`).getUTCDay()).toBe(1);
    const month = (await calendar(`period=month&${range}`)).body;
    for (const bucket of month.buckets) expect((bucket['start'] as string).endsWith('-01')).toBe(true);
    // a range without any resolved trade is 0, not missing
    expect((await calendar('period=month&from=2001-01-01&to=2001-12-31')).body).toMatchObject({
      total: '0',
      trades: 0,
      buckets: [],
      totals: [],
    });
    // a bot filter gives that bot's figures only
    expect((await calendar(`period=month&botId=${bots[1].botId}&${range}`)).body['total']).toBe('-0.4999');
  });

  it('shows per bot the realised P&L of today and the last 7 days, and unrealised while a run is open', async () => {
    await as(0, 'POST', '/api/bot/run/update', { runId: runA, totalPnl: 4.5, walletBalance: 480 });
    const view = (await t.admin<{ items: Json[] }>('GET', '/api/v1/bots')).body.items.find(
      (b) => b['botId'] === bots[0].botId,
    ) as Json;
    expect(view).toMatchObject({
      realisedPnl: '3.375',
      realisedPnl7d: '1.25',
      reportedPnl: '4.5',
      unrealisedPnl: '1.125',
    });
    expect(view['lastMetrics']).toMatchObject({
      runId: runA,
      values: { totalPnl: '4.5', walletBalance: '480' },
    });
    // today counts from 00:00 UTC: both of today's trades unless the test runs just after midnight
    expect(['1.25', '0']).toContain(view['realisedPnlToday']);
  });

  it('refuses a bad calendar query with a 400 naming the field', async () => {
    const bad: [string, RegExp][] = [
      ['timeZone=Mars/Olympus', /Unknown time zone/],
      ['timeZone=UTC;drop', /IANA/],
      ['from=2026-02-30', /not a calendar date/],
      ['from=2026-12-02&to=2026-12-01', /after/],
      ['period=day&from=2024-01-01&to=2026-01-01', /at most 400 days/],
      ['period=year', /period/],
      ['groupBy=strategy', /groupBy/],
      ['botId=0', /botId/],
    ];
    for (const [query, message] of bad) {
      const answer = await calendar(query);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.body['message']).toMatch(message);
    }
    expect((await request(t.api.url, 'GET', '/api/v1/pnl/calendar')).status).toBe(401);
  });

  it('shows exposure per bot and window: Up/Down size and cost, the one-sided part, time to expiry, at-risk flags', async () => {
    const soon = Math.floor(Date.now() / 1000) + 60;
    const later = Math.floor(Date.now() / 1000) + 3600;
    await as(0, 'POST', '/api/bot/markets/report', {
      markets: [
        {
          tokenId: 'up-soon',
          tokenIdDown: 'down-soon',
          asset: 'SOL',
          window: '5m',
          windowId: 'sol-5m-soon',
          conditionId: '0xsoon',
          expiresAt: String(soon),
        },
        {
          tokenId: 'up-later',
          tokenIdDown: 'down-later',
          asset: 'XRP',
          window: '1h',
          windowId: 'xrp-1h-later',
          conditionId: '0xlater',
          expiresAt: String(later),
        },
      ],
    });
    await trade(0, runA, {
      asset: 'SOL',
      window: '5m',
      price: '0.5',
      size: '10',
      conditionId: '0xsoon',
      tokenId: 'up-soon',
    });
    await trade(0, runA, {
      asset: 'SOL',
      window: '5m',
      price: '0.45',
      size: '6',
      outcome: 'Down',
      conditionId: '0xsoon',
      tokenId: 'down-soon',
    });
    await trade(0, runA, {
      asset: 'SOL',
      window: '5m',
      price: '0.55',
      size: '1',
      side: 'sell',
      conditionId: '0xsoon',
      tokenId: 'up-soon',
    });
    await trade(0, runA, {
      asset: 'XRP',
      window: '1h',
      price: '0.5',
      size: '3',
      conditionId: '0xlater',
      tokenId: 'up-later',
    });
    await trade(0, runA, {
      asset: 'XRP',
      window: '1h',
      price: '0.5',
      size: '3',
      outcome: 'Down',
      conditionId: '0xlater',
      tokenId: 'down-later',
    });
    await trade(0, runA, {
      asset: 'XRP',
      window: '1h',
      price: '0.5',
      size: '100',
      pnl: '5',
      conditionId: '0xlater',
      tokenId: 'up-later',
    }); // resolved: not exposure

    const items = (await t.admin<{ items: Json[] }>('GET', `/api/v1/fleet/exposure?botId=${bots[0].botId}`))
      .body.items;
    const sol = items.find((e) => e['conditionId'] === '0xsoon') as Json;
    const xrp = items.find((e) => e['conditionId'] === '0xlater') as Json;
    expect(sol).toMatchObject({
      botName: 'pnl-a',
      asset: 'SOL',
      up: { size: '9', cost: '4.45' },
      down: { size: '6', cost: '2.7' },
      hedged: '6',
      oneSided: '3',
      oneSidedOutcome: 'Up',
      atRisk: true,
    });
    expect(sol['secondsToExpiry'] as number).toBeLessThanOrEqual(60);
    expect(xrp).toMatchObject({
      up: { size: '3' },
      down: { size: '3' },
      oneSided: '0',
      oneSidedOutcome: null,
      atRisk: false,
    });
    expect(items.indexOf(sol)).toBeLessThan(items.indexOf(xrp)); // soonest expiry first
    expect((await t.admin('GET', '/api/v1/fleet/exposure?botId=abc')).status).toBe(400);
  });

  it('lists a bot’s own alerts: notifications name the bot they are about', async () => {
    expect(
      (
        await as(1, 'POST', '/api/bot/run/stop', {
          runId: runB,
          status: 'error',
          errorMessage: 'exchange down',
        })
      ).status,
    ).toBe(200);
    const mine = await waitUntil('bot B’s error alert', async () => {
      const items = (await t.admin<{ items: Json[] }>('GET', `/api/v1/notifications?botId=${bots[1].botId}`))
        .body.items;
      return items.some((n) => n['kind'] === 'run-error') ? items : null;
    });
    expect(mine.every((n) => n['botId'] === bots[1].botId)).toBe(true);
    const others = (await t.admin<{ items: Json[] }>('GET', `/api/v1/notifications?botId=${bots[0].botId}`))
      .body.items;
    expect(others.some((n) => n['kind'] === 'run-error')).toBe(false);
    expect((await t.admin('GET', '/api/v1/notifications?botId=-1')).status).toBe(400);
  });

  it('lists the versions a bot was served and when, from its polls', async () => {
    const spansOf = async () =>
      (await t.admin<{ items: Json[] }>('GET', `/api/v1/bots/${bots[0].botId}/config-spans`)).body.items;
    await as(0, 'GET', '/api/bot/config');
    // polls are written once a second (the latest of each bot): the bots poll every ~10 s
    await waitUntil('the first span', async () => (await spansOf()).length === 1);
    const v2 = (
      await t.admin('POST', '/api/v1/configs', {
        basedOnId: 1,
        values: { mmSpreadMin: '0.02' },
        note: 'wider',
      })
    ).body['id'] as number;
    await t.admin('POST', '/api/v1/fleet/assignments', { botId: bots[0].botId, configId: v2 });
    await as(0, 'GET', '/api/bot/config');
    await as(0, 'GET', '/api/bot/config');
    const spans = await waitUntil('two spans', async () => {
      const items = await spansOf();
      return items.length === 2 ? items : null;
    });
    expect(spans.map((s) => [s['configId'], s['paused']])).toEqual([
      [v2, false],
      [1, false],
    ]);
    expect(spans[0]['note']).toBe('wider');
    expect(Date.parse(spans[0]['from'] as string)).toBeGreaterThanOrEqual(
      Date.parse(spans[1]['lastSeenAt'] as string),
    );
    expect((await t.admin('GET', '/api/v1/bots/999999/config-spans')).status).toBe(404);
  });

  it('reads the calendar from hourly and daily sums that stay equal to the trades: half-hour zones, DST, corrected, moved and deleted trades', async () => {
    // the calendar straight from the trades (the query it used before the hourly sums), as the oracle
    const fromTrades = async (period: string, zone: string, from: string, to: string) =>
      (
        await sql<{ start: string; key: string; pnl: string; trades: string }>(
          t.databaseUrl,
          `select to_char(date_trunc($1, t.created_at at time zone $2), 'YYYY-MM-DD') as start,
                  coalesce(t.bot_id::text, '') as key, sum(t.pnl)::text as pnl, count(*)::text as trades
             from trades t
            where t.pnl is not null and t.created_at >= ($3::date::timestamp at time zone $2)
              and t.created_at < (($4::date + 1)::timestamp at time zone $2)
            group by 1, 2 order by 1, 2`,
          [period, zone, from, to],
        )
      ).map((r) => ({ start: r.start, key: r.key, pnl: sum([r.pnl]), trades: Number(r.trades) }));
    const zones = [
      'UTC',
      'Asia/Kolkata', // +5:30
      'Asia/Kathmandu', // +5:45
      'America/St_Johns', // -3:30 / -2:30
      'Australia/Lord_Howe', // +10:30 / +11 (a half-hour DST shift)
      'Europe/Berlin',
    ];
    const day = (offsetDays: number) =>
      new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const check = async (label: string) => {
      for (const period of ['day', 'week', 'month'])
        for (const zone of zones) {
          const [from, to] = period === 'day' ? [day(-20), day(1)] : [day(-200), day(1)];
          const view = (await calendar(`period=${period}&groupBy=bot&from=${from}&to=${to}&timeZone=${zone}`))
            .body;
          const got = view.buckets.map((b) => ({
            start: b['start'],
            key: b['key'],
            pnl: b['pnl'],
            trades: b['trades'],
          }));
          expect([label, period, zone, got]).toEqual([
            label,
            period,
            zone,
            await fromTrades(period, zone, from, to),
          ]);
        }
      // the same once the journal is folded into the rollups, which are then exactly the trades summed
      // by hour and day (nothing left over, nothing missing) with the journal empty
      const pending = await sql<{ n: string }>(t.databaseUrl, 'select count(*)::text as n from pnl_journal');
      expect([label, 'journal rows read above', Number(pending[0].n) > 0]).toEqual([
        label,
        'journal rows read above',
        true,
      ]);
      const fold = await t.admin<{ ran: boolean; result: { folded: number } }>(
        'POST',
        '/api/v1/scheduler/jobs/pnl-fold/run',
      );
      expect([label, fold.status, fold.body.ran, fold.body.result.folded]).toEqual([
        label,
        200,
        true,
        Number(pending[0].n),
      ]);
      expect([label, await sql(t.databaseUrl, 'select * from pnl_journal')]).toEqual([label, []]);
      const folded = (
        await calendar(`period=month&groupBy=bot&from=${day(-200)}&to=${day(1)}&timeZone=Asia/Kolkata`)
      ).body.buckets.map((b) => ({ start: b['start'], key: b['key'], pnl: b['pnl'], trades: b['trades'] }));
      expect([label, 'folded', folded]).toEqual([
        label,
        'folded',
        await fromTrades('month', 'Asia/Kolkata', day(-200), day(1)),
      ]);
      for (const [unit, table] of [
        ['hour', 'pnl_hourly'],
        ['day', 'pnl_daily'],
      ]) {
        const drift = await sql(
          t.databaseUrl,
          `with fresh as (
             select date_trunc('${unit}', created_at, 'UTC') as at, coalesce(bot_id, 0) as bot_id, asset, window_duration,
                    sum(pnl) as pnl, count(*) as trades, count(*) filter (where pnl > 0) as wins, count(*) filter (where pnl < 0) as losses
               from trades where pnl is not null group by 1, 2, 3, 4),
           kept as (select ${unit} as at, bot_id, asset, window_duration, pnl, trades, wins, losses from ${table} where trades <> 0)
           (select 'missing' as side, * from fresh except select 'missing', * from kept)
           union all (select 'extra', * from kept except select 'extra', * from fresh)`,
        );
        expect([label, table, drift]).toEqual([label, table, []]);
      }
    };

    const created = await t.admin<{ secret: string; apiKey: Json }>('POST', '/api/v1/api-keys', {
      name: 'pnl-hours',
      scope: 'bot',
    });
    bots.push({ secret: created.body.secret, botId: created.body.apiKey['botId'] as number });
    const i = bots.length - 1;
    const run = (await as(i, 'POST', '/api/bot/run/start', { mode: 'dry_run', startingBankroll: 100 })).body[
      'runId'
    ] as number;
    // trades on either side of the half-hour and quarter-hour midnights, a few days back
    const times = [
      `${day(-2)}T18:10:00Z`, // Kathmandu: before its midnight (18:15 UTC)
      `${day(-2)}T18:20:00Z`, // Kathmandu: after; Kolkata: before its midnight (18:30 UTC)
      `${day(-2)}T18:40:00Z`, // Kolkata: after
      `${day(-5)}T02:45:00Z`, // St John's: midnight at 02:30 or 03:30 UTC
      `${day(-5)}T13:15:00Z`, // Lord Howe: midnight at 13:00 or 13:30 UTC
      `${day(-9)}T23:59:59Z`,
      `${day(-9)}T00:00:00Z`,
    ];
    const ids: number[] = [];
    for (const [n, at] of times.entries()) {
      const id = await trade(i, run, {
        asset: n % 2 ? 'ETH' : 'BTC',
        price: '0.5',
        size: String(n + 1),
        pnl: n % 3 === 0 ? `-0.${n + 1}25` : `1.0${n}`,
      });
      await backdate([id], at);
      ids.push(id);
    }
    await check('logged');

    // a P&L corrected by the bot, a trade moved to another hour and month, one deleted
    const corrected = await as(i, 'POST', '/api/bot/trade/update', { tradeId: ids[1], pnl: -2.5 });
    expect(corrected.status).toBe(200);
    await backdate([ids[2]], new Date(Date.now() - 70 * 86_400_000).toISOString());
    await sql(t.databaseUrl, 'delete from trades where id = $1', [ids[3]]);
    await check('changed');

    // the Bots page's today / 7 days, from the same hourly sums, equal to the bot's trades since then;
    // two trades 2 minutes either side of 7 days ago (in the hour read from the trades, mostly)
    for (const [offset, pnl] of [
      [2 * 60_000, '0.5'],
      [-2 * 60_000, '4'],
    ] as const) {
      const id = await trade(i, run, { price: '0.5', size: '1', pnl });
      await backdate([id], new Date(Date.now() - 7 * 86_400_000 + offset).toISOString());
    }
    const botId = bots[i].botId;
    const [expected] = await sql<{ week: string | null; today: string | null }>(
      t.databaseUrl,
      `select sum(pnl) filter (where created_at >= now() - interval '7 days')::text as week,
              sum(pnl) filter (where created_at >= date_trunc('day', now(), 'UTC'))::text as today
         from trades where bot_id = $1 and pnl is not null`,
      [botId],
    );
    const view = (await t.admin<{ items: Json[] }>('GET', '/api/v1/bots')).body.items.find(
      (b) => b['botId'] === botId,
    ) as Json;
    expect(expected.week).not.toBeNull();
    expect([view['realisedPnl7d'], view['realisedPnlToday']]).toEqual([
      sum([expected.week ?? '0']),
      sum([expected.today ?? '0']),
    ]);
  });
});
