import { sql } from '../back-office/loopback';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * Single trades and trade updates of concurrent requests are written together (group commit): what
 * a bot sees must not change. Each request gets the id of its own trade, each update lands on its
 * own trade with only the fields it sent, two updates of one trade at the same moment both apply in
 * order, another bot's trade is a 404 for that request alone, and the run's totals count every trade.
 */
describe('group commit of single trades and updates', () => {
  let t: TestApi;
  let keyB: string;

  beforeAll(async () => {
    // 300 requests at once is past the overload guard's bounds on purpose: here it must not shed them
    t = await startTestApi('bot_group_commit', {
      OVERLOAD_MAX_IN_FLIGHT: '0',
      OVERLOAD_MAX_LAG_MS: '0',
      OVERLOAD_MAX_POOL_WAITING: '0',
    });
    const created = await t.admin('POST', '/api/v1/api-keys', { name: 'bot B', scope: 'bot' });
    keyB = created.body['secret'] as string;
  });
  afterAll(() => t?.stop());

  const trade = (runId: number, cycle: number) => ({
    runId,
    cycle,
    asset: cycle % 2 ? 'BTC' : 'ETH',
    windowDuration: '15m',
    side: 'BUY',
    outcome: 'Up',
    price: `0.${String(cycle).padStart(4, '0')}1`, // distinct per trade, no trailing zero (prices are kept normalised)
    size: cycle,
    strategy: 'MM',
  });

  it('gives each of 300 concurrent trades its own id, with its own fields, and counts them all', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map(
        async () => (await t.bot('POST', '/api/bot/run/start', { mode: 'paper' })).body['runId'] as number,
      ),
    );
    const sent = Array.from({ length: 300 }, (_, i) => trade(runs[i % 3], i + 1));
    const answers = await Promise.all(sent.map((body) => t.bot('POST', '/api/bot/trade', body)));
    expect(answers.map((a) => a.status)).toEqual(sent.map(() => 201));
    const ids = answers.map((a) => a.body['tradeId'] as number);
    expect(new Set(ids).size).toBe(300);
    const rows = await sql<{ id: string; run_id: string; cycle: string; price: string; size: string }>(
      t.databaseUrl,
      'select id, run_id, cycle, price::text as price, size::text as size from trades where id = any($1::bigint[])',
      [ids],
    );
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    sent.forEach((body, i) => {
      const row = byId.get(ids[i]);
      expect(row).toBeDefined();
      expect({
        runId: Number(row?.run_id),
        cycle: Number(row?.cycle),
        price: row?.price,
        size: Number(row?.size),
      }).toEqual({
        runId: body.runId,
        cycle: body.cycle,
        price: body.price,
        size: body.size,
      });
    });
    for (const runId of runs) {
      const [stats] = await sql<{ trades: string }>(
        t.databaseUrl,
        'select trades from run_trade_stats where run_id = $1',
        [runId],
      );
      expect(Number(stats.trades)).toBe(100);
    }
  });

  it('applies concurrent updates each to its own trade, both of two to one trade, and 404s only the foreign one', async () => {
    const runId = (await t.bot('POST', '/api/bot/run/start', { mode: 'paper' })).body['runId'] as number;
    const ids = await Promise.all(
      Array.from(
        { length: 40 },
        async (_, i) =>
          (await t.bot('POST', '/api/bot/trade', trade(runId, 1000 + i))).body['tradeId'] as number,
      ),
    );
    const updates: { body: Json; as?: string }[] = ids.map((tradeId, i) =>
      i === 1
        ? { body: { tradeId, status: 'filled', fillPrice: '0.6', fillSize: 2 } }
        : i % 2 === 0
          ? { body: { tradeId, status: 'filled', fillPrice: '0.5', fillSize: 3, pnl: `${i}.25` } }
          : { body: { tradeId, status: 'cancelled' } },
    );
    // The same trade twice at once (its fill, and its P&L resolved): each sets its own fields, so
    // both must land whichever arrives first. (Requests sent at once over several connections have
    // no order, so two that set the same field are not tested here: the later one the server
    // received wins, in one round after the other: applyUpdates.)
    updates.push({ body: { tradeId: ids[1], pnl: '-1.5', resolvedOutcome: 'Down' } });
    // bot B may not touch bot A's trade
    updates.push({ body: { tradeId: ids[3], status: 'failed' }, as: keyB });
    const answers = await Promise.all(
      updates.map((u) =>
        u.as
          ? t.raw('POST', '/api/bot/trade/update', { key: u.as, body: u.body })
          : t.bot('POST', '/api/bot/trade/update', u.body),
      ),
    );
    expect(answers.slice(0, -1).map((a) => a.status)).toEqual(updates.slice(0, -1).map(() => 200));
    expect(answers[answers.length - 1].status).toBe(404);

    const rows = await sql<{
      id: string;
      status: string;
      fill_price: string | null;
      fill_size: string | null;
      pnl: string | null;
      resolved_outcome: string | null;
    }>(
      t.databaseUrl,
      'select id, status, fill_price::text as fill_price, fill_size::text as fill_size, pnl::text as pnl, resolved_outcome from trades where run_id = $1',
      [runId],
    );
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    ids.forEach((id, i) => {
      const row = byId.get(id);
      if (i === 1)
        expect(row).toMatchObject({
          status: 'filled',
          fill_price: '0.6',
          fill_size: '2',
          pnl: '-1.5',
          resolved_outcome: 'Down',
        });
      else if (i % 2 === 0)
        expect(row).toMatchObject({
          status: 'filled',
          fill_price: '0.5',
          fill_size: '3',
          pnl: `${i}.25`,
          resolved_outcome: null,
        });
      else expect(row).toMatchObject({ status: 'cancelled', fill_price: null, fill_size: null, pnl: null });
    });
    const [stats] = await sql<{ trades: string; filled: string; cancelled: string }>(
      t.databaseUrl,
      'select trades, filled, cancelled from run_trade_stats where run_id = $1',
      [runId],
    );
    expect({
      trades: Number(stats.trades),
      filled: Number(stats.filled),
      cancelled: Number(stats.cancelled),
    }).toEqual({ trades: 40, filled: 21, cancelled: 19 });
  });
});
