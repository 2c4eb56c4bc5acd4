import type { Migration } from '@mikro-orm/migrations';
import { MIGRATIONS } from '@polymaker/api/core';
import { ApiProcess, createDatabase, request, startApiProcess } from '@polymaker/testing';
import { Client } from 'pg';
import { startTestApi, TestApi } from '../support/api';
import { sql } from './loopback';

type Json = Record<string, unknown>;
type MigrationClass = new (driver: never, config: never) => Migration;

const PARTITION_MIGRATION = 'Migration20261213000500';

/** `trades_y2026m12` for the month `offset` months from now (UTC). */
const monthName = (table: string, offset: number) => {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return `${table}_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
};

/** The middle of the month `offset` months from now: 15th, 12:00 UTC (never near a boundary). */
const midMonth = (offset: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 15, 12)).toISOString();
};

const partitionOf = async (databaseUrl: string, table: 'trades' | 'run_metric_points', id: number) =>
  (
    await sql<{ part: string }>(
      databaseUrl,
      `select tableoid::regclass::text as part from ${table} where id = $1`,
      [id],
    )
  )[0]?.part;

const exists = async (databaseUrl: string, name: string) =>
  (await sql<{ found: boolean }>(databaseUrl, 'select to_regclass($1) is not null as found', [name]))[0]
    .found;

/**
 * Upgrading a database whose history spans several months: the migration moves every trade and
 * metric point into its month's partition, keeps every value and the per-run aggregates as they
 * were, and the API answers the same afterwards; new ids go on after the old ones.
 */
describe('partitioned history: the upgrade of a database with several months of rows', () => {
  let api: ApiProcess;
  let client: Client;
  let databaseUrl: string;
  let runId: number;
  let otherRunId: number;
  const oldTradeIds: number[] = [];
  let before: { trades: string; points: string; stats: string; pnl: string; maxId: number };

  const snapshot = async () => {
    const one = async (text: string) => String(Object.values((await client.query(text)).rows[0] as Json)[0]);
    return {
      // every column of every row, in id order: equal text means equal rows
      trades: await one("select md5(string_agg(t::text, '|' order by id)) from trades t"),
      points: await one("select md5(string_agg(p::text, '|' order by id)) from run_metric_points p"),
      stats: await one(
        "select md5(string_agg(concat_ws(',', run_id, trades, filled, cancelled, failed, pnl, filled_notional, wins, losses, gross_loss, size_sum), '|' order by run_id)) from run_trade_stats",
      ),
      pnl: await one('select sum(pnl)::text from trades'),
      maxId: Number(await one('select max(id) from trades')),
    };
  };

  beforeAll(async () => {
    const server = process.env['PM_TEST_PG_URL'];
    if (!server) throw new Error('PM_TEST_PG_URL is not set: run through the api-e2e jest config');
    databaseUrl = await createDatabase(server, 'partition_upgrade');
    client = new Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      'create table mikro_orm_migrations (id serial primary key, name varchar(255), executed_at timestamptz default now())',
    );
    for (const { name, class: migrationClass } of MIGRATIONS) {
      if (name >= PARTITION_MIGRATION) break;
      const migration = new (migrationClass as unknown as MigrationClass)(
        undefined as never,
        undefined as never,
      );
      await migration.up();
      for (const text of migration.getQueries()) await client.query(String(text));
      await client.query('insert into mikro_orm_migrations (name) values ($1)', [name]);
    }
    const key = (await client.query("select id, bot_id from api_keys where scope = 'bot' limit 1"))
      .rows[0] as { id: string; bot_id: string } | undefined;
    const run = async (status: string) =>
      Number(
        (
          await client.query(
            `insert into runs (api_key_id, bot_id, mode, status, started_at) values ($1, $2, 'dry_run', $3, now() - interval '8 months') returning id`,
            [key?.id ?? null, key?.bot_id ?? null, status],
          )
        ).rows[0].id,
      );
    runId = await run('running');
    otherRunId = await run('completed');
    // six months of trades (some resolved with exact decimal P&L) and metric points, oldest first
    for (let month = -6; month <= 0; month++) {
      for (const [run, pnl] of [
        [runId, '0.1'],
        [otherRunId, '-0.0300000001'],
        [runId, null],
      ] as const) {
        const at = month === 0 ? new Date().toISOString() : midMonth(month);
        const { rows } = await client.query(
          `insert into trades (run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, status, pnl, token_id, created_at, updated_at)
           values ($1, $2, $3, 'BTC', '15m', 'buy', 'Up', 0.5, 10, $4, $5, 'tok-upgrade', $6, $6) returning id`,
          [run, key?.bot_id ?? null, month + 10, pnl === null ? 'placed' : 'filled', pnl, at],
        );
        oldTradeIds.push(Number(rows[0].id));
      }
      await client.query(
        `insert into run_metric_points (run_id, at, metric_values) values ($1, $2, jsonb_build_object('totalPnl', $3::text))`,
        [runId, month === 0 ? new Date().toISOString() : midMonth(month), String(month + 10)],
      );
    }
    // a deleted trade's id is never handed out again
    await client.query('delete from trades where id = $1', [oldTradeIds.pop()]);
    before = await snapshot();
    api = await startApiProcess({ databaseUrl });
  });

  afterAll(async () => {
    await client?.end();
    await api?.stop();
  });

  it('keeps every trade, metric point and aggregate as it was, each row in its month', async () => {
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(await partitionOf(databaseUrl, 'trades', oldTradeIds[0])).toBe(monthName('trades', -6));
    expect(await partitionOf(databaseUrl, 'trades', oldTradeIds[9])).toBe(monthName('trades', -3));
    const points = (await client.query('select id from run_metric_points order by at')).rows as {
      id: string;
    }[];
    expect(await partitionOf(databaseUrl, 'run_metric_points', Number(points[0].id))).toBe(
      monthName('run_metric_points', -6),
    );
    // months ahead exist already, and nothing landed in DEFAULT
    for (const table of ['trades', 'run_metric_points'])
      expect(await exists(databaseUrl, monthName(table, 3))).toBe(true);
    expect(Number((await client.query('select count(*) as n from trades_default')).rows[0].n)).toBe(0);
  });

  it('answers the same through the API: the trades list, the P&L calendar by month, a new trade after the old ids', async () => {
    const listed = await request<{ items: { id: number }[] }>(api.url, 'GET', '/api/v1/trades?limit=500', {
      key: api.adminKey,
    });
    expect(listed.body.items.map((t) => t.id)).toEqual([...oldTradeIds].sort((a, b) => b - a));
    const ofRun = await request<{ items: { id: number }[] }>(
      api.url,
      'GET',
      `/api/v1/trades?runId=${otherRunId}&limit=500`,
      { key: api.adminKey },
    );
    expect(ofRun.body.items).toHaveLength(7);
    const calendar = await request<{
      total: string;
      trades: number;
      buckets: { start: string; pnl: string }[];
    }>(
      api.url,
      'GET',
      `/api/v1/pnl/calendar?period=month&from=${midMonth(-7).slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`,
      { key: api.adminKey },
    );
    expect(calendar.status).toBe(200);
    expect(calendar.body.total).toBe(before.pnl);
    expect(calendar.body.buckets.length).toBeGreaterThanOrEqual(7);

    const logged = await request<{ tradeId: number }>(api.url, 'POST', '/api/bot/trade', {
      key: api.adminKey,
      body: {
        runId,
        cycle: 99,
        asset: 'ETH',
        windowDuration: '5m',
        side: 'buy',
        outcome: 'Down',
        price: '0.4',
        size: '5',
      },
    });
    expect(logged.status).toBe(201);
    expect(logged.body.tradeId).toBeGreaterThan(before.maxId);
    expect(await partitionOf(databaseUrl, 'trades', logged.body.tradeId)).toBe(monthName('trades', 0));

    // a trade of six months ago is still updated by its id alone, and its run's totals follow
    const oldest = oldTradeIds[2];
    const updated = await request(api.url, 'POST', '/api/bot/trade/update', {
      key: api.adminKey,
      body: { tradeId: oldest, status: 'filled', pnl: '2.5' },
    });
    expect(updated.status).toBe(200);
    const stats = (
      await client.query('select trades, pnl::text as pnl from run_trade_stats where run_id = $1', [runId])
    ).rows[0] as { trades: string; pnl: string };
    expect(stats.trades).toBe(String(7 * 2 - 1 + 1));
    expect(stats.pnl).toBe('3.2');
  });
});

describe('partitioned history: rows land in their month, the scheduler makes months ahead, retention drops old months', () => {
  let t: TestApi;

  beforeAll(async () => {
    // maintenance runs only when asked here
    t = await startTestApi('partitions', {
      METRIC_RETENTION_DAYS: '60',
      MAINTENANCE_INTERVAL_SECONDS: '86400',
    });
  });
  afterAll(() => t?.stop());

  const startRun = async () =>
    (await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' })).body.runId;
  const trade = async (runId: number) =>
    (
      await t.bot<{ tradeId: number }>('POST', '/api/bot/trade', {
        runId,
        cycle: 1,
        asset: 'SOL',
        windowDuration: '15m',
        side: 'buy',
        outcome: 'Up',
        price: '0.25',
        size: '4',
      })
    ).body.tradeId;
  const runJob = async (name: string) => {
    const response = await t.admin<{ ran: boolean; result: Json }>(
      'POST',
      `/api/v1/scheduler/jobs/${name}/run`,
    );
    expect(response.status).toBe(200);
    expect(response.body.ran).toBe(true);
    return response.body.result;
  };
  /** The month's partition, as an upgraded database with that much history has it. */
  const createMonth = (table: string, offset: number) => {
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset + 1, 1)).toISOString();
    return sql(
      t.databaseUrl,
      `create table if not exists ${monthName(table, offset)} partition of ${table} for values from ('${from}') to ('${to}')`,
    );
  };

  it('puts trades and metric points in their month, a moved row follows its time, the totals stay exact', async () => {
    const runId = await startRun();
    const tradeId = await trade(runId);
    expect((await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: '1.5' })).status).toBe(200);
    expect(await partitionOf(t.databaseUrl, 'trades', tradeId)).toBe(monthName('trades', 0));
    const [point] = await sql<{ id: string }>(
      t.databaseUrl,
      'select id from run_metric_points where run_id = $1',
      [runId],
    );
    expect(await partitionOf(t.databaseUrl, 'run_metric_points', Number(point.id))).toBe(
      monthName('run_metric_points', 0),
    );

    // a trade backdated two months (an older history) moves to that month's partition
    await createMonth('trades', -2);
    await sql(t.databaseUrl, 'update trades set created_at = $2 where id = $1', [tradeId, midMonth(-2)]);
    expect(await partitionOf(t.databaseUrl, 'trades', tradeId)).toBe(monthName('trades', -2));
    expect(
      (
        await t.bot('POST', '/api/bot/trade/update', {
          tradeId,
          status: 'filled',
          fillPrice: '0.25',
          fillSize: '4',
          pnl: '0.75',
        })
      ).status,
    ).toBe(200);
    const [stats] = await sql<{ trades: string; filled: string; pnl: string }>(
      t.databaseUrl,
      'select trades, filled, pnl::text as pnl from run_trade_stats where run_id = $1',
      [runId],
    );
    expect(stats).toEqual({ trades: '1', filled: '1', pnl: '0.75' });
    const listed = await t.admin<{ items: { id: number; pnl: string }[] }>(
      'GET',
      `/api/v1/trades?runId=${runId}`,
    );
    expect(listed.body.items).toEqual([expect.objectContaining({ id: tradeId, pnl: '0.75' })]);
  });

  it("updates a recent and a two-month-old trade sent together, and still refuses another bot's old trade", async () => {
    const runId = await startRun();
    const recent = await trade(runId);
    const old = await trade(runId);
    await createMonth('trades', -2);
    await sql(t.databaseUrl, 'update trades set created_at = $2 where id = $1', [old, midMonth(-2)]);
    const update = (tradeId: number, pnl: string, key?: string) =>
      key
        ? request(t.api.url, 'POST', '/api/bot/trade/update', {
            key,
            body: { tradeId, status: 'filled', pnl },
          })
        : t.bot('POST', '/api/bot/trade/update', { tradeId, status: 'filled', pnl });
    const answers = await Promise.all([
      update(recent, '1.25'),
      update(old, '2.5'),
      update(recent + 1_000_000, '9'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404]);
    const other = await t.admin<{ secret: string }>('POST', '/api/v1/api-keys', {
      name: 'another bot',
      scope: 'bot',
    });
    expect(other.status).toBe(201);
    expect((await update(old, '100', other.body.secret)).status).toBe(404);
    const listed = await t.admin<{ items: { id: number; pnl: string | null }[] }>(
      'GET',
      `/api/v1/trades?runId=${runId}`,
    );
    expect(listed.body.items.map((x) => [x.id, x.pnl])).toEqual([
      [old, '2.5'],
      [recent, '1.25'],
    ]);
    const [stats] = await sql<{ pnl: string; filled: string }>(
      t.databaseUrl,
      'select pnl::text as pnl, filled from run_trade_stats where run_id = $1',
      [runId],
    );
    expect(stats).toEqual({ pnl: '3.75', filled: '2' });
  });

  it('makes the months ahead, idempotently, and moves rows that waited in DEFAULT into their new month', async () => {
    const ahead = monthName('trades', 2);
    expect(await exists(t.databaseUrl, ahead)).toBe(true);
    // as if the month had never been made: a trade dated then waits in DEFAULT
    await sql(t.databaseUrl, `alter table trades detach partition ${ahead}`);
    await sql(t.databaseUrl, `drop table ${ahead}`);
    const runId = await startRun();
    const tradeId = await trade(runId);
    await sql(t.databaseUrl, 'update trades set created_at = $2 where id = $1', [tradeId, midMonth(2)]);
    expect(await partitionOf(t.databaseUrl, 'trades', tradeId)).toBe('trades_default');

    const result = await runJob('partitions');
    expect(result).toMatchObject({ created: 1, partitions: [ahead], monthsAhead: 3 });
    expect(await partitionOf(t.databaseUrl, 'trades', tradeId)).toBe(ahead);
    expect(
      (await t.admin<{ items: { id: number }[] }>('GET', `/api/v1/trades?runId=${runId}`)).body.items.map(
        (x) => x.id,
      ),
    ).toEqual([tradeId]);
    expect(await runJob('partitions')).toMatchObject({ created: 0 });
    for (let month = 0; month <= 3; month++) {
      expect(await exists(t.databaseUrl, monthName('trades', month))).toBe(true);
      expect(await exists(t.databaseUrl, monthName('run_metric_points', month))).toBe(true);
    }
  });

  it("gives every partition of trades the parent's update triggers, a month made by hand included, so a fill updated in its own month counts", async () => {
    const lacking = () =>
      sql<{ name: string }>(
        t.databaseUrl,
        `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'trades'::regclass
            and (select count(*) from pg_trigger g where g.tgrelid = i.inhrelid
                  and g.tgname = 'trades_rollups_update') < 1
          order by 1`,
      );
    // the migration gave them to the months it found; one made by hand (as an older build or an
    // operator would) lacks them until the partitions job runs
    expect(await lacking()).toEqual([]);
    await createMonth('trades', -4);
    expect(await lacking()).toEqual([{ name: monthName('trades', -4) }]);
    await runJob('partitions');
    expect(await lacking()).toEqual([]);

    // a fill and its P&L, updated in this month's partition itself, reach the run's totals and the
    // P&L journal, which the pnl-fold job (every 2 s by default) moves into the hourly rollup
    const runId = await startRun();
    const tradeId = await trade(runId);
    expect(await partitionOf(t.databaseUrl, 'trades', tradeId)).toBe(monthName('trades', 0));
    const filled = await t.bot('POST', '/api/bot/trade/update', { tradeId, status: 'filled', pnl: '-0.75' });
    expect(filled.status).toBe(200);
    const [stats] = await sql<{ pnl: string; filled: string }>(
      t.databaseUrl,
      'select pnl::text as pnl, filled from run_trade_stats where run_id = $1',
      [runId],
    );
    expect(stats).toEqual({ pnl: '-0.75', filled: '1' });
    // the rollup then holds exactly the trades' P&L (the journal empty)
    const folded = async () =>
      sql<{ rollup: string; trades: string; journal: string }>(
        t.databaseUrl,
        `select (select coalesce(sum(pnl), 0) from pnl_hourly)::text as rollup,
                (select coalesce(sum(pnl), 0) from trades)::text as trades,
                (select count(*) from pnl_journal)::text as journal`,
      );
    const deadline = Date.now() + 15_000;
    while ((await folded())[0].journal !== '0' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const [after] = await folded();
    expect(after.journal).toBe('0');
    expect(Number(after.rollup)).toBe(Number(after.trades));
  });

  it('vacuums the P&L journal after folding a bulk load, so the P&L reads do not scan its emptied pages', async () => {
    const runId = await startRun();
    await sql(
      t.databaseUrl,
      // each at its own time, as an import of old trades is (one statement's trades logged at once
      // share one journal row per key)
      `insert into trades (run_id, bot_id, cycle, asset, window_duration, side, outcome, price, size, status, pnl, created_at)
       select $1, (select bot_id from runs where id = $1), g, 'XRP', '5m', 'buy', 'Up', 0.5, 1, 'filled', 0.25,
              date_trunc('month', now(), 'UTC') + g * interval '1 millisecond'
         from generate_series(1, 12000) g`,
      [runId],
    );
    const journal = () =>
      sql<{ rows: string; bytes: string }>(
        t.databaseUrl,
        `select (select count(*) from pnl_journal)::text as rows, pg_relation_size('pnl_journal')::text as bytes`,
      );
    expect(Number((await journal())[0].bytes)).toBeGreaterThan(8192);
    const deadline = Date.now() + 15_000;
    // 12,000 journal rows take about a hundred pages; once folded and vacuumed, at most one is left
    while (Number((await journal())[0].bytes) > 8192 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const [after] = await journal();
    expect(after.rows).toBe('0');
    expect(Number(after.bytes)).toBeLessThanOrEqual(8192);
    const [hourly] = await sql<{ pnl: string }>(
      t.databaseUrl,
      `select sum(pnl)::text as pnl from pnl_hourly where asset = 'XRP'`,
    );
    expect(hourly.pnl).toBe('3000.00');
  });

  it('drops a month of metric points past retention as a whole, keeps a month where a running run has points and the recent ones', async () => {
    const running = await startRun();
    const finished = await startRun();
    for (const runId of [running, finished]) {
      for (let i = 0; i < 3; i++)
        expect((await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: String(i) })).status).toBe(200);
    }
    expect((await t.bot('POST', '/api/bot/run/stop', { runId: finished, status: 'completed' })).status).toBe(
      200,
    );
    const points = async (runId: number) =>
      Number(
        (
          await sql<{ n: string }>(
            t.databaseUrl,
            'select count(*) as n from run_metric_points where run_id = $1',
            [runId],
          )
        )[0].n,
      );
    const finishedBefore = await points(finished);
    // five months ago: only the finished run's points; four months ago: one point of each run
    await createMonth('run_metric_points', -5);
    await createMonth('run_metric_points', -4);
    await sql(
      t.databaseUrl,
      `update run_metric_points set at = $2 where id in (select id from run_metric_points where run_id = $1 order by id limit 2)`,
      [finished, midMonth(-5)],
    );
    await sql(
      t.databaseUrl,
      `update run_metric_points set at = $2 where id in (select id from run_metric_points where run_id = $1 order by id desc limit 1)`,
      [finished, midMonth(-4)],
    );
    await sql(
      t.databaseUrl,
      `update run_metric_points set at = $2 where id in (select id from run_metric_points where run_id = $1 order by id limit 1)`,
      [running, midMonth(-4)],
    );

    const result = await runJob('maintenance');
    expect(result).toMatchObject({
      metricPartitionsDropped: 1,
      droppedPartitions: [monthName('run_metric_points', -5)],
      metricPoints: 1,
    });
    expect(await exists(t.databaseUrl, monthName('run_metric_points', -5))).toBe(false);
    expect(await exists(t.databaseUrl, monthName('run_metric_points', -4))).toBe(true);
    // the finished run kept only its recent points; the running run kept all three
    expect(await points(finished)).toBe(finishedBefore - 3);
    expect(await points(running)).toBe(3);
    const series = await t.admin<{ items: unknown[] }>('GET', `/api/v1/runs/${running}/metrics`);
    expect(series.body.items).toHaveLength(3);
    // trades are never dropped by retention
    expect(await exists(t.databaseUrl, monthName('trades', -2))).toBe(true);
  });
});
