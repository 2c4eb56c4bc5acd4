import { LockMode, QueryOrder } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ConflictError, LruCache, NotFoundError, Sql, normalDecimal, UnitOfWork } from '@polymaker/api/core';
import { TradesService } from '@polymaker/api/trades';
import type { RunDetailView, RunQueryDto, RunView } from './dto/run.dto';
import { Run, RunMode, RunStatus, StopStatus } from './entities/run.entity';

/** One bot's runs, summed (see RunsService.byBot). */
export interface BotRunsSummary {
  runs: number;
  running: number;
  errors: number;
  lastUpdateAt: string;
  reportedPnl: string;
  /** The sum of its running runs' totalPnl as reported. */
  openReportedPnl: string;
  /**
   * Its latest walletBalance: that of its newest run (the latest started) that has reported one, not a
   * sum over runs, and not whichever run pushed last (runs of one bot updating in turn would flip it).
   */
  walletBalance: string | null;
  /** The metrics of its run updated last (the latest values it pushed), with that run and when. */
  lastMetrics: { runId: number; at: string; values: Record<string, unknown> } | null;
}

/**
 * Whose runs a caller may act on: a bot's id (its own runs only) or null (every run: admin keys and
 * the admin API). A run of another bot is answered exactly like a run that does not exist.
 */
export type RunOwner = number | null;

export interface StartRunInput {
  apiKeyId: number | null;
  botId: number | null;
  configId: number | null;
  mode: RunMode;
  startingBankroll: string | null;
  extra: Record<string, unknown>;
}

export interface MetricUpdate {
  values: Record<string, unknown>;
  extra: Record<string, unknown>;
}

/** A finished run as the analysis comparison lists it. */
export interface FinishedRun {
  runId: number;
  configId: number | null;
  status: RunStatus;
  mode: RunMode;
  startedAt: Date;
  stoppedAt: Date | null;
  overallScore: number | null;
  totalPnl: string | null;
  totalFills: number | null;
}

/** A run that ran during a time range (RunsService.overlapping). */
export interface RunInRange {
  runId: number;
  botId: number | null;
  configId: number | null;
  status: RunStatus;
  startingBankroll: string | null;
  startedAt: Date;
  /** Its stop, or its last report while it runs or once closed as stale. */
  endedAt: Date;
}

/** A run as the analysis reads it. */
export interface RunAnalysisFacts {
  runId: number;
  /** The bot that owns the run (null: a run without a bot). */
  botId: number | null;
  status: RunStatus;
  configId: number | null;
  startingBankroll: string | null;
  startedAt: Date;
  stoppedAt: Date | null;
  metrics: Record<string, unknown>;
}

/** Runs whose owning bot is remembered (it never changes): enough for every open run of a large fleet. */
const OWNER_CACHE_SIZE = 20_000;

/** A run/update as applied: the run's id and status afterwards. */
export interface AppliedMetrics {
  id: number;
  status: RunStatus;
  botId: number | null;
}

/** RunsService.activity: the running runs and the age of their last reports. */
export interface RunActivity {
  running: number;
  /** Seconds since the most recent report of any running run. */
  newestUpdateAgeSeconds: number;
  /** Seconds since the least recent report of a running run (the one closest to being closed as stale). */
  oldestUpdateAgeSeconds: number;
}

@Injectable()
export class RunsService {
  /** run id -> owning bot (null: a run without a bot); a run's owner is fixed at run/start. */
  private readonly ownerCache = new LruCache<number, number | null>(OWNER_CACHE_SIZE);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly trades: TradesService,
  ) {}

  /**
   * Starts a run with plain SQL in the caller's unit of work; its owner is cached from here on.
   */
  async startRun(
    sql: Sql,
    input: StartRunInput,
  ): Promise<{ id: number; status: RunStatus; startedAt: Date }> {
    const [row] = await sql.query<{ id: string; status: RunStatus; started_at: Date }>(
      `insert into runs (api_key_id, bot_id, config_id, mode, status, starting_bankroll, extra)
       values ($1, $2, $3, $4, 'running', $5, $6::jsonb) returning id, status, started_at`,
      [
        input.apiKeyId,
        input.botId,
        input.configId,
        input.mode,
        input.startingBankroll,
        JSON.stringify(input.extra),
      ],
    );
    const id = Number(row.id);
    this.ownerCache.set(id, input.botId);
    return { id, status: row.status, startedAt: new Date(row.started_at) };
  }

  /**
   * The bot that owns the run, if the owner may act on it (else 404, like a run that does not exist).
   * Served from the owner cache; a miss is one indexed read.
   */
  async botOf(runId: number, owner: RunOwner): Promise<number | null> {
    const owners = await this.botsOf([runId], owner);
    if (!owners.has(runId)) throw runNotFound(runId);
    return owners.get(runId) ?? null;
  }

  /** The owning bot of each of these ids that is a run the owner may act on (missing: not a run, or another bot's). */
  async botsOf(ids: number[], owner: RunOwner): Promise<Map<number, number | null>> {
    const found = new Map<number, number | null>();
    const unknown: number[] = [];
    for (const id of ids) {
      const bot = this.ownerCache.get(id);
      if (bot === undefined) unknown.push(id);
      else found.set(id, bot);
    }
    if (unknown.length > 0) {
      const rows = await this.uow.sql(
        (sql) =>
          sql.query<{ id: string; bot_id: string | null }>(
            'select id, bot_id from runs where id = any($1::bigint[])',
            [unknown],
          ),
        { single: true },
      );
      for (const row of rows) {
        const bot = row.bot_id === null ? null : Number(row.bot_id);
        this.ownerCache.set(Number(row.id), bot);
        found.set(Number(row.id), bot);
      }
    }
    if (owner !== null) for (const [id, bot] of found) if (bot !== owner) found.delete(id);
    return found;
  }

  /**
   * A run/update in one statement: merges the metrics into the run's latest values (a stale run that
   * reports again is running again). The row lock it takes orders it after a concurrent stop, whose
   * result it then sees: 404 unless the owner's, 409 once the run was stopped.
   */
  async applyMetricsSql(
    sql: Sql,
    runId: number,
    owner: RunOwner,
    update: MetricUpdate,
    at: Date,
  ): Promise<AppliedMetrics> {
    const v = update.values;
    const [row] = await sql.query<{ id: string; status: RunStatus; bot_id: string | null }>(
      `update runs set metrics = metrics || $3::jsonb, extra = extra || $4::jsonb, last_update_at = $5,
         total_pnl = case when $6::boolean then $7::numeric else total_pnl end,
         total_fills = case when $8::boolean then $9::bigint else total_fills end,
         total_orders = case when $10::boolean then $11::bigint else total_orders end,
         stopped_at = case when status = 'stale' then null else stopped_at end,
         status = case when status = 'stale' then 'running' else status end
       where id = $1 and ($2::bigint is null or bot_id = $2::bigint) and stop_result is null
       returning id, status, bot_id`,
      [
        runId,
        owner,
        JSON.stringify(v),
        JSON.stringify(update.extra),
        at,
        'totalPnl' in v,
        (v['totalPnl'] as string | null | undefined) ?? null,
        'totalFills' in v,
        (v['totalFills'] as number | null | undefined) ?? null,
        'totalOrders' in v,
        (v['totalOrders'] as number | null | undefined) ?? null,
      ],
    );
    if (row)
      return {
        id: Number(row.id),
        status: row.status,
        botId: row.bot_id === null ? null : Number(row.bot_id),
      };
    // Not updated: not this owner's run, or stopped. Only this (rare) answer costs a second read.
    const [run] = await sql.query<{ id: string; status: RunStatus; stopped_at: Date | null }>(
      'select id, status, stopped_at from runs where id = $1 and ($2::bigint is null or bot_id = $2::bigint)',
      [runId, owner],
    );
    if (!run) throw runNotFound(runId);
    throw stoppedConflict(runId, run.status, run.stopped_at ? new Date(run.stopped_at) : null);
  }

  /**
   * The run being stopped, locked (plain SQL): what the score needs and the first stop's answer
   * when there was one. 404 unless the owner's.
   */
  async lockForStop(
    sql: Sql,
    runId: number,
    owner: RunOwner,
  ): Promise<RunAnalysisFacts & { stopResult: Record<string, unknown> | null }> {
    const [row] = await sql.query<{
      id: string;
      bot_id: string | null;
      status: RunStatus;
      config_id: string | null;
      starting_bankroll: string | null;
      started_at: Date;
      stopped_at: Date | null;
      metrics: Record<string, unknown>;
      stop_result: Record<string, unknown> | null;
    }>(
      `select id, bot_id, status, config_id, starting_bankroll::text as starting_bankroll, started_at, stopped_at, metrics, stop_result
         from runs where id = $1 and ($2::bigint is null or bot_id = $2::bigint) for update`,
      [runId, owner],
    );
    if (!row) throw runNotFound(runId);
    return {
      runId: Number(row.id),
      botId: row.bot_id === null ? null : Number(row.bot_id),
      status: row.status,
      configId: row.config_id === null ? null : Number(row.config_id),
      startingBankroll: row.starting_bankroll,
      startedAt: new Date(row.started_at),
      stoppedAt: row.stopped_at === null ? null : new Date(row.stopped_at),
      metrics: row.metrics ?? {},
      stopResult: row.stop_result,
    };
  }

  /** Closes a run locked by `lockForStop`: status, stop time, error, score and the answer a second stop gets. One UPDATE. */
  async recordStop(
    sql: Sql,
    runId: number,
    stop: {
      status: StopStatus;
      errorMessage: string | null;
      stoppedAt: Date;
      overallScore: number | null;
      stopResult: Record<string, unknown>;
    },
  ): Promise<void> {
    await sql.query(
      'update runs set status = $2, error_message = $3, stopped_at = $4, overall_score = $5, stop_result = $6::jsonb where id = $1',
      [
        runId,
        stop.status,
        stop.errorMessage,
        stop.stoppedAt,
        stop.overallScore,
        JSON.stringify(stop.stopResult),
      ],
    );
  }

  /** The run, unlocked; 404 unless the owner's. */
  async require(em: EntityManager, runId: number, owner: RunOwner): Promise<Run> {
    const run = await em.findOne(Run, ownedBy(runId, owner));
    if (!run) throw runNotFound(runId);
    return run;
  }

  /** The run as the admin API shows it, in the caller's transaction; null when there is none. */
  async view(em: EntityManager, runId: number): Promise<RunView | null> {
    const run = await em.findOne(Run, { id: runId });
    return run ? toRunView(run) : null;
  }

  async ensureExists(runId: number): Promise<void> {
    await this.uow.read((em) => this.require(em, runId, null));
  }

  finish(
    run: Run,
    status: StopStatus | 'stale',
    errorMessage: string | null,
    overallScore: number | null,
  ): void {
    run.status = status;
    run.errorMessage = errorMessage;
    run.stoppedAt = new Date();
    run.overallScore = overallScore;
  }

  async list(query: RunQueryDto): Promise<{ items: RunView[]; total: number }> {
    const where: Record<string, unknown> = {};
    if (query.status) where['status'] = query.status;
    if (query.mode) where['mode'] = query.mode;
    if (query.configId) where['configId'] = query.configId;
    if (query.apiKeyId) where['apiKeyId'] = query.apiKeyId;
    if (query.botId) where['botId'] = query.botId;
    if (query.from || query.to) {
      where['startedAt'] = {
        ...(query.from ? { $gte: new Date(query.from) } : {}),
        ...(query.to ? { $lt: new Date(query.to) } : {}),
      };
    }
    const [runs, total] = await this.uow.read((em) =>
      em.findAndCount(Run, where, {
        orderBy: { id: 'desc' },
        limit: query.limit ?? 50,
        offset: query.offset ?? 0,
      }),
    );
    return { items: runs.map(toRunView), total };
  }

  async detail(id: number): Promise<RunDetailView> {
    return this.uow.read(async (em) => {
      const run = await this.require(em, id, null);
      const trades = await this.trades.statsOf(em, id); // the trades lib's per-run aggregate: no count(*) scan
      return {
        ...toRunView(run),
        tradeCount: trades.total,
        analysis: (run.stopResult?.['analysis'] as Record<string, unknown> | undefined) ?? null,
      };
    });
  }

  /**
   * What the analysis needs of a run, in the caller's transaction (the stop's own flushed run
   * comes from the identity map: no query); null when there is no such run.
   */
  async analysisFacts(em: EntityManager, runId: number): Promise<RunAnalysisFacts | null> {
    const run = await em.findOne(Run, { id: runId });
    if (!run) return null;
    return {
      runId: run.id,
      botId: run.botId === null ? null : Number(run.botId),
      status: run.status,
      configId: run.configId,
      startingBankroll: run.startingBankroll,
      startedAt: run.startedAt,
      stoppedAt: run.stoppedAt,
      metrics: run.metrics,
    };
  }

  /** Every finished run (any status but running), of these config versions and this bot when given, by config then newest first. */
  async finished(em: EntityManager, configIds?: number[], botId?: number): Promise<FinishedRun[]> {
    const where: Record<string, unknown> = { status: { $ne: 'running' } };
    if (configIds && configIds.length > 0) where['configId'] = { $in: configIds };
    if (botId) where['botId'] = botId;
    const runs = await em.find(Run, where, {
      fields: [
        'id',
        'configId',
        'status',
        'mode',
        'startedAt',
        'stoppedAt',
        'overallScore',
        'totalPnl',
        'totalFills',
      ],
      orderBy: { configId: QueryOrder.DESC_NULLS_LAST, id: QueryOrder.DESC },
    });
    return runs.map((run) => ({
      runId: run.id,
      configId: run.configId,
      status: run.status,
      mode: run.mode,
      startedAt: run.startedAt,
      stoppedAt: run.stoppedAt,
      overallScore: run.overallScore,
      totalPnl: normalDecimal(run.totalPnl),
      totalFills: run.totalFills,
    }));
  }

  /**
   * The runs that ran during [from, to): started before `to` and ended at or after `from`, where a
   * run's end is its stop, or its last report while it runs or once closed as stale (the stale close
   * comes minutes after the run went silent). One bot's when `botId` is given. The newest `limit`
   * (by start); `truncated` when there were more. Found through runs_ended_at_index and the start
   * index, so the cost follows the runs of the range, not the table.
   */
  async overlapping(query: {
    from: Date;
    to: Date;
    botId: number | null;
    limit: number;
  }): Promise<{ runs: RunInRange[]; truncated: boolean }> {
    const rows = await this.uow.sql(
      (sql) =>
        sql.query<{
          id: string;
          bot_id: string | null;
          config_id: string | null;
          status: RunStatus;
          starting_bankroll: string | null;
          started_at: Date;
          ended_at: Date;
        }>(
          `select id, bot_id, config_id, status, starting_bankroll::text as starting_bankroll, started_at, ended_at
             from (select id, bot_id, config_id, status, starting_bankroll, started_at,
                          case when status in ('running', 'stale') then last_update_at else coalesce(stopped_at, last_update_at) end as ended_at
                     from runs
                    where started_at < $2 and coalesce(stopped_at, last_update_at) >= $1
                      and ($3::bigint is null or bot_id = $3::bigint)) r
            where ended_at >= $1
            order by started_at desc, id desc
            limit $4`,
          [query.from.toISOString(), query.to.toISOString(), query.botId, query.limit + 1],
        ),
      { single: true },
    );
    return {
      truncated: rows.length > query.limit,
      runs: rows.slice(0, query.limit).map((row) => ({
        runId: Number(row.id),
        botId: row.bot_id === null ? null : Number(row.bot_id),
        configId: row.config_id === null ? null : Number(row.config_id),
        status: row.status,
        startingBankroll: normalDecimal(row.starting_bankroll),
        startedAt: new Date(row.started_at),
        endedAt: new Date(row.ended_at),
      })),
    };
  }

  /**
   * Records the score of the run's full analysis (its job): a stale run's first score, or the one
   * that replaces the stop's quick score (from aggregates only, without the scores that need its fills).
   */
  async recordScore(em: EntityManager, runId: number, overallScore: number): Promise<void> {
    await em.nativeUpdate(Run, { id: runId }, { overallScore });
  }

  /** Runs still "running" whose last update is older than the cutoff. */
  async findStale(em: EntityManager, cutoff: Date, limit = 100): Promise<Run[]> {
    return em.find(
      Run,
      { status: 'running', lastUpdateAt: { $lt: cutoff } },
      { orderBy: { id: 'asc' }, limit, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
    );
  }

  /**
   * The running runs at a glance, for GET /metrics: how many, and how long ago the freshest and the
   * stalest of them last reported (server time of their last run/update or start; 0 when none runs).
   * One statement over the (status, last_update_at) index.
   */
  async activity(): Promise<RunActivity> {
    const [row] = await this.uow.sql(
      (sql) =>
        sql.query<{ running: string; freshest: number | null; stalest: number | null }>(
          `select count(*) as running,
                  extract(epoch from now() - max(last_update_at))::float8 as freshest,
                  extract(epoch from now() - min(last_update_at))::float8 as stalest
             from runs where status = 'running'`,
        ),
      { single: true },
    );
    const seconds = (value: number | null) => (value === null ? 0 : Math.max(0, Number(value)));
    return {
      running: Number(row?.running ?? 0),
      newestUpdateAgeSeconds: seconds(row?.freshest ?? null),
      oldestUpdateAgeSeconds: seconds(row?.stalest ?? null),
    };
  }

  /** The ids of the runs still running (metric retention keeps their points). */
  async runningIds(em: EntityManager): Promise<number[]> {
    const rows = await em.find(Run, { status: 'running' }, { fields: ['id'] });
    return rows.map((run) => run.id);
  }

  /**
   * Each bot's runs at a glance: how many, how many running, the latest update, its newest run's
   * walletBalance, the sum of the runs' reported totalPnl (as the bots report it: it may hold unrealised
   * value), errors; and which bot owns each run (for the trades' realised sums).
   */
  async byBot(): Promise<{
    bots: Map<number, BotRunsSummary>;
    runsOfBot: Map<number, number>;
    openRunsOfBot: Map<number, number>;
  }> {
    return this.uow.sql(async (sql) => {
      const [totals, latest, owners, pushed] = await sql.batch([
        {
          text: `select bot_id, count(*) as runs, count(*) filter (where status = 'running') as running,
                        count(*) filter (where status = 'error') as errors, max(last_update_at) as last_update_at,
                        coalesce(sum(total_pnl), 0)::text as reported_pnl,
                        coalesce(sum(total_pnl) filter (where status = 'running'), 0)::text as open_reported_pnl
                   from runs where bot_id is not null group by bot_id`,
        },
        {
          text: `select distinct on (bot_id) bot_id, metrics->>'walletBalance' as wallet
                   from runs where bot_id is not null and metrics->>'walletBalance' is not null order by bot_id, id desc`,
        },
        { text: "select id, bot_id, status = 'running' as open from runs where bot_id is not null" },
        {
          text: `select distinct on (bot_id) bot_id, id, metrics, last_update_at
                   from runs where bot_id is not null order by bot_id, last_update_at desc, id desc`,
        },
      ]);
      const bots = new Map<number, BotRunsSummary>();
      for (const row of totals as {
        bot_id: string;
        runs: string;
        running: string;
        errors: string;
        last_update_at: Date;
        reported_pnl: string;
        open_reported_pnl: string;
      }[]) {
        bots.set(Number(row.bot_id), {
          runs: Number(row.runs),
          running: Number(row.running),
          errors: Number(row.errors),
          lastUpdateAt: new Date(row.last_update_at).toISOString(),
          reportedPnl: row.reported_pnl,
          openReportedPnl: row.open_reported_pnl,
          walletBalance: null,
          lastMetrics: null,
        });
      }
      for (const row of pushed as {
        bot_id: string;
        id: string;
        metrics: Record<string, unknown>;
        last_update_at: Date;
      }[]) {
        const bot = bots.get(Number(row.bot_id));
        if (bot)
          bot.lastMetrics = {
            runId: Number(row.id),
            at: new Date(row.last_update_at).toISOString(),
            values: row.metrics ?? {},
          };
      }
      for (const row of latest as { bot_id: string; wallet: string }[]) {
        const bot = bots.get(Number(row.bot_id));
        if (bot) bot.walletBalance = row.wallet;
      }
      const runsOfBot = new Map<number, number>();
      const openRunsOfBot = new Map<number, number>();
      for (const row of owners as { id: string; bot_id: string; open: boolean }[]) {
        runsOfBot.set(Number(row.id), Number(row.bot_id));
        if (row.open) openRunsOfBot.set(Number(row.id), Number(row.bot_id));
      }
      return { bots, runsOfBot, openRunsOfBot };
    });
  }

  /** These bots' open runs and the latest update among them (their states, after run events), in one query. */
  async openRunsOf(botIds: number[]): Promise<Map<number, { running: number; lastUpdateAt: string | null }>> {
    const open = new Map(botIds.map((id) => [id, { running: 0, lastUpdateAt: null as string | null }]));
    if (botIds.length === 0) return open;
    const rows = await this.uow.sql((sql) =>
      sql.query<{ bot_id: string; running: string; last_update_at: Date }>(
        "select bot_id, count(*) as running, max(last_update_at) as last_update_at from runs where bot_id = any($1::bigint[]) and status = 'running' group by bot_id",
        [botIds],
      ),
    );
    for (const row of rows)
      open.set(Number(row.bot_id), {
        running: Number(row.running),
        lastUpdateAt: new Date(row.last_update_at).toISOString(),
      });
    return open;
  }

  /** How many runs have this status: one bot's (owner) or every bot's (null). */
  async countByStatus(status: RunStatus, owner: RunOwner): Promise<number> {
    const [row] = await this.uow.sql(
      (sql) =>
        owner === null
          ? sql.query<{ n: string }>('select count(*) as n from runs where status = $1', [status])
          : sql.query<{ n: string }>('select count(*) as n from runs where status = $1 and bot_id = $2', [
              status,
              owner,
            ]),
      { single: true },
    );
    return Number(row.n);
  }
}

function ownedBy(runId: number, owner: RunOwner): { id: number; botId?: number } {
  return owner === null ? { id: runId } : { id: runId, botId: owner };
}

function stoppedConflict(runId: number, status: RunStatus, stoppedAt: Date | null): ConflictError {
  const at = stoppedAt ? ` at ${stoppedAt.toISOString()}` : '';
  return new ConflictError(
    `Run ${runId} was stopped${at} (status "${status}"); metrics sent after the stop are not recorded. ` +
      'Send final metrics with run/stop, or start a new run with POST /api/bot/run/start.',
  );
}

function runNotFound(runId: number): NotFoundError {
  return new NotFoundError(
    `Run ${runId} does not exist. Start a run with POST /api/bot/run/start and use its runId.`,
  );
}

export function toRunView(run: Run): RunView {
  const end = run.stoppedAt ?? (run.status === 'running' ? new Date() : run.lastUpdateAt);
  return {
    id: run.id,
    apiKeyId: run.apiKeyId,
    botId: run.botId,
    configId: run.configId,
    mode: run.mode,
    status: run.status,
    startingBankroll: normalDecimal(run.startingBankroll),
    startedAt: run.startedAt.toISOString(),
    lastUpdateAt: run.lastUpdateAt.toISOString(),
    stoppedAt: run.stoppedAt?.toISOString() ?? null,
    errorMessage: run.errorMessage,
    durationSeconds: Math.max(0, Math.round((end.getTime() - run.startedAt.getTime()) / 1000)),
    totalPnl: normalDecimal(run.totalPnl),
    totalFills: run.totalFills,
    totalOrders: run.totalOrders,
    overallScore: run.overallScore,
    metrics: run.metrics,
    extra: run.extra,
  };
}
