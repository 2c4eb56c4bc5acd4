import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AuditService } from '@polymaker/api/audit';
import { ConfigService, ConfigVersionView } from '@polymaker/api/config';
import {
  sumDecimals,
  AnalysisCompletedEvent,
  AnalysisFailedEvent,
  ConflictError,
  divideDecimal,
  NotFoundError,
  OwedNotice,
  RunStaleEvent,
  RunStoppedEvent,
  SETTINGS,
  Settings,
  Sql,
  UnitOfWork,
  UnprocessableError,
} from '@polymaker/api/core';
import { FleetService } from '@polymaker/api/fleet';
import { MetricSeriesStats, MetricsService } from '@polymaker/api/metrics';
import { OUTBOX_TOPICS, OutboxJobContext, OutboxService, storedError } from '@polymaker/api/outbox';
import { RunAnalysisFacts, RunsService } from '@polymaker/api/runs';
import { RunTradeStats, TradesService } from '@polymaker/api/trades';
import type { AnalysisInputs } from './analysis-inputs';
import { Analysis, AnalysisState, AnalysisTrigger } from './entities/analysis.entity';
import { bootstrapEffects, Effect, EVIDENCE } from './evidence';
import { num, RunAnalysis, SCORING, scoreRun } from './score-run';
import { PriorEvidence, suggestChanges, Suggestion, SuggestionSet } from './suggest';

/** Earlier runs of the same config version whose effects strengthen or weaken a suggestion. */
const PRIOR_RUNS = 10;

/** What the analysis job of a run gets: the pending analysis to complete (a stop's) and the notification it owes. */
interface AnalyzeRunPayload {
  runId: number;
  trigger: AnalysisTrigger;
  analysisId?: number;
  notify?: OwedNotice;
}

/** What the engine returns for one run: the score, its reasons and the suggested changes. */
export type AnalysisResult = RunAnalysis & { configId: number | null; suggestions: SuggestionSet };
/**
 * A stored analysis: the result with its id and why it was made (also the `analysis` of run/stop).
 * `state`: 'pending' while only the score from the run's aggregates is known (run/stop answers
 * with it), 'complete' once the outbox job added breakdowns and suggestions, 'failed' when that
 * job gave up (the score stays; `error` says why).
 */
export type StoredAnalysis = AnalysisResult & {
  analysisId: number;
  trigger: AnalysisTrigger;
  runStatus: string;
  appliedConfigIds: number[];
  state: AnalysisState;
  error: string | null;
};

/** A stored analysis as the admin API shows it: with the bot of the analysed run. */
export type AnalysisRecord = StoredAnalysis & { botId: number | null };

export interface ApplyResult {
  analysisId: number;
  applied: Suggestion[];
  config: ConfigVersionView;
}

const EMPTY_BREAKDOWNS = (): AnalysisInputs['breakdowns'] => ({
  asset: [],
  window: [],
  outcome: [],
  strategy: [],
  hour: [],
});

/**
 * The analysis engine. It reads a run only through its owners' APIs (runs, trades, metrics,
 * config), inside the caller's transaction:
 * - on run/stop, `scoreOnStop` scores the run from its per-run aggregates (no scan of its trades)
 *   and stores that as a pending analysis; the stop's `run.stopped` makes an outbox job due in
 *   the same transaction (an in-transaction listener), which completes the analysis with
 *   breakdowns and suggestions and then owes the run summary notification;
 * - a run closed as stale (`run.stale`) gets the same job, storing a new analysis;
 * - on demand, an admin analyses any run at once.
 */
@Injectable()
export class AnalysisService implements OnModuleInit {
  private readonly logger = new Logger(AnalysisService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly configs: ConfigService,
    private readonly runs: RunsService,
    private readonly trades: TradesService,
    private readonly metrics: MetricsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly fleet: FleetService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  onModuleInit(): void {
    // The durable listeners: the job is owed exactly when the stop (or the stale close) commits.
    this.uow.listenInTransaction<RunStoppedEvent>(RunStoppedEvent.eventName, async (event, sql) => {
      const payload: AnalyzeRunPayload = {
        runId: event.runId,
        trigger: 'stop',
        ...(event.analysisId === null ? {} : { analysisId: event.analysisId }),
        notify: {
          kind: event.status === 'error' ? 'run-error' : 'run-summary',
          dedupeKey: `run-stopped:${event.runId}`,
        },
      };
      await this.outbox.enqueue(
        sql,
        OUTBOX_TOPICS.analyzeRun,
        { ...payload },
        {
          dedupeKey: `run-stop-analysis:${event.runId}`,
          maxAttempts: this.settings.analysisMaxAttempts,
        },
      );
    });
    this.uow.listenInTransaction<RunStaleEvent>(RunStaleEvent.eventName, async (event, sql) => {
      const key = `${event.runId}:${new Date(event.lastUpdateAt).getTime()}`;
      const payload: AnalyzeRunPayload = {
        runId: event.runId,
        trigger: 'stale',
        notify: { kind: 'run-stale', dedupeKey: `run-stale:${key}` },
      };
      await this.outbox.enqueue(
        sql,
        OUTBOX_TOPICS.analyzeRun,
        { ...payload },
        {
          dedupeKey: `run-stale-analysis:${key}`,
          maxAttempts: this.settings.analysisMaxAttempts,
        },
      );
    });
    // Analysed once (the job's row lock), retried on failure; the notification waits for it.
    this.outbox.register(OUTBOX_TOPICS.analyzeRun, {
      handle: (em, job) => this.runJob(em, job),
      onFailure: (em, job, error, retryAt) => this.jobFailed(em, job, error, retryAt),
      retryBaseMs: () => this.settings.analysisRetryBaseSeconds * 1000,
    });
  }

  /**
   * The score of a run being stopped, from its aggregates (trade totals, metric series peak and
   * drawdown, its final metrics): stored in the stop's transaction as a pending analysis, which
   * the analysis job completes. Breakdowns and suggestions are left to that job.
   */
  async scoreOnStop(sql: Sql, run: RunAnalysisFacts): Promise<StoredAnalysis> {
    const trades = await this.trades.statsOf(sql, run.runId);
    const series = await this.metrics.seriesStatsOf(sql, run.runId);
    // the run's config for its maxLossPct (a version is read once per instance; versions never change)
    const config = await this.configs.valuesCached(sql, run.configId);
    const inputs = { ...totalsOf(run, trades, series), config };
    const analysis = scoreRun(inputs);
    const suggestions: SuggestionSet = {
      status: 'pending',
      message:
        'The full analysis (breakdowns and suggestions) is running; see GET /api/v1/analyses/{analysisId}.',
      items: [],
    };
    const configId = inputs.config?.id ?? null;
    const [row] = await sql.query<{ id: string }>(
      `insert into analyses (run_id, bot_id, config_id, trigger, run_status, overall_score, data_quality, result, suggestions,
                             applied_config_ids, engine_version, state, error, created_at)
       values ($1, $9, $2, 'stop', $3, $4, $5, $6::jsonb, $7::jsonb, '[]'::jsonb, $8, 'pending', null, now())
       returning id`,
      [
        run.runId,
        configId,
        inputs.status,
        analysis.overallScore,
        analysis.dataQuality,
        JSON.stringify(analysis),
        JSON.stringify(suggestions),
        analysis.engineVersion,
        run.botId,
      ],
    );
    return {
      ...analysis,
      analysisId: Number(row.id),
      trigger: 'stop',
      runStatus: inputs.status,
      configId,
      suggestions,
      appliedConfigIds: [],
      state: 'pending',
      error: null,
    };
  }

  /** Computes without storing. */
  async analyzeRun(em: EntityManager, runId: number): Promise<AnalysisResult> {
    const inputs = await this.gather(em, runId);
    const analysis = scoreRun(inputs);
    return {
      ...analysis,
      configId: inputs.config?.id ?? null,
      suggestions: await this.suggest(em, inputs, analysis),
    };
  }

  /** Computes, stores in the caller's transaction and announces `analysis.completed` after commit. */
  async analyzeAndStore(
    em: EntityManager,
    runId: number,
    trigger: AnalysisTrigger,
    options: { announce?: boolean } = {},
  ): Promise<AnalysisRecord> {
    const inputs = await this.gather(em, runId);
    const analysis = scoreRun(inputs);
    const suggestions = await this.suggest(em, inputs, analysis);
    // the run's facts were read by gather: this comes from the identity map
    const botId = (await this.runs.analysisFacts(em, runId))?.botId ?? null;
    const row = newAnalysisRow(em, runId, botId, trigger, inputs, analysis, suggestions);
    await em.persist(row).flush();
    if (options.announce !== false) this.announce(row);
    this.logger.log(
      { runId, analysisId: row.id, trigger, overallScore: analysis.overallScore },
      'run analysed',
    );
    return toRecord(row);
  }

  /** Completes a pending analysis (a stop's) with the full engine: breakdowns and suggestions. */
  private async complete(em: EntityManager, analysisId: number): Promise<StoredAnalysis> {
    const row = await this.find(em, analysisId);
    if (row.state === 'complete') return toStored(row); // done already: exactly once
    const inputs = await this.gather(em, row.runId);
    const analysis = scoreRun(inputs);
    const suggestions = await this.suggest(em, inputs, analysis);
    Object.assign(row, {
      configId: inputs.config?.id ?? null,
      overallScore: analysis.overallScore,
      dataQuality: analysis.dataQuality,
      result: analysis as unknown as Record<string, unknown>,
      suggestions: suggestions as unknown as Record<string, unknown>,
      engineVersion: analysis.engineVersion,
      state: 'complete',
      error: null,
    });
    await em.flush();
    this.logger.log(
      { runId: row.runId, analysisId: row.id, trigger: row.trigger, overallScore: analysis.overallScore },
      'run analysed',
    );
    return toStored(row);
  }

  /** `analysis.completed`, with the notice it makes due (the notifications module listens in the transaction). */
  private announce(row: Analysis | StoredAnalysis, notify: OwedNotice | null = null): void {
    const id = row instanceof Analysis ? row.id : row.analysisId;
    const count = ((row.suggestions as unknown as SuggestionSet | undefined)?.items ?? []).length;
    this.uow.publish(new AnalysisCompletedEvent(id, row.runId, row.trigger, row.overallScore, count, notify));
  }

  private async runJob(em: EntityManager, job: OutboxJobContext): Promise<void> {
    const payload = job.payload as unknown as AnalyzeRunPayload;
    const runId = Number(payload.runId);
    if (!(await this.runs.analysisFacts(em, runId))) {
      this.logger.warn({ runId, jobId: job.id }, 'run no longer exists; analysis dropped');
      return;
    }
    const stored =
      payload.analysisId === undefined
        ? await this.analyzeAndStore(em, runId, payload.trigger ?? 'stale', { announce: false })
        : await this.complete(em, Number(payload.analysisId));
    await this.runs.recordScore(em, runId, stored.overallScore);
    // a failure above rolls the job's savepoint back, and this event with it (uow.savepoint)
    this.announce(stored, payload.notify ?? null);
  }

  /** The job gave up (or will retry): a stop's pending analysis says so, and the notification goes out without it. */
  private async jobFailed(
    em: EntityManager,
    job: OutboxJobContext,
    error: Error,
    retryAt: Date | null,
  ): Promise<void> {
    const payload = job.payload as unknown as AnalyzeRunPayload;
    this.logger.error(
      {
        runId: payload.runId,
        jobId: job.id,
        attempt: job.attempt,
        err: error.message,
        retryAt: retryAt?.toISOString() ?? null,
      },
      'run analysis failed',
    );
    if (retryAt !== null) return;
    if (payload.analysisId !== undefined) {
      await em.nativeUpdate(
        Analysis,
        { id: Number(payload.analysisId), state: { $ne: 'complete' } },
        { state: 'failed', error: storedError(error.message) },
      );
    }
    const analysisId = payload.analysisId === undefined ? null : Number(payload.analysisId);
    this.uow.publish(
      new AnalysisFailedEvent(
        analysisId,
        Number(payload.runId),
        payload.trigger ?? 'stale',
        storedError(error.message),
        payload.notify ?? null,
      ),
    );
  }

  /** On demand, for any run (a running one included). */
  async analyzeNow(runId: number): Promise<StoredAnalysis> {
    return this.uow.run(async (em) => {
      await this.requireRun(em, runId);
      return this.analyzeAndStore(em, runId, 'on-demand');
    });
  }

  async listForRun(runId: number): Promise<AnalysisRecord[]> {
    return this.uow.read(async (em) => {
      await this.requireRun(em, runId);
      const rows = await em.find(Analysis, { runId }, { orderBy: { id: 'desc' } });
      return rows.map(toRecord);
    });
  }

  /** Newest first; `botId` reads one bot's analyses from analyses (bot_id, id). */
  async list(query: {
    runId?: number;
    botId?: number;
    configId?: number;
    limit?: number;
    offset?: number;
  }): Promise<{ items: AnalysisRecord[]; total: number }> {
    const where: Record<string, unknown> = {};
    if (query.runId) where['runId'] = query.runId;
    if (query.botId) where['botId'] = query.botId;
    if (query.configId) where['configId'] = query.configId;
    const [rows, total] = await this.uow.read((em) =>
      em.findAndCount(Analysis, where, {
        orderBy: { id: 'desc' },
        limit: query.limit ?? 50,
        offset: query.offset ?? 0,
      }),
    );
    return { items: rows.map(toRecord), total };
  }

  /** The newest analysis of a run, in the caller's transaction; null before the first. */
  async latestForRun(em: EntityManager, runId: number): Promise<StoredAnalysis | null> {
    const row = await em.findOne(Analysis, { runId }, { orderBy: { id: 'desc' } });
    return row ? toStored(row) : null;
  }

  async get(id: number): Promise<AnalysisRecord> {
    return toRecord(await this.uow.read((em) => this.find(em, id)));
  }

  /**
   * The feedback loop: the chosen suggestions (all when none are named) become a new config
   * version based on the ACTIVE config (keeping its pauseOrders), linked to the analysis and NOT
   * activated.
   */
  async apply(id: number, suggestionIds: string[] | undefined, note?: string): Promise<ApplyResult> {
    const analysis = await this.uow.read((em) => this.find(em, id));
    const set = analysis.suggestions as unknown as SuggestionSet;
    if (set.items.length === 0)
      throw new ConflictError(`Analysis ${id} has no suggestions to apply: ${set.message}`);
    const unknown = (suggestionIds ?? []).filter((sid) => !set.items.some((item) => item.id === sid));
    if (unknown.length > 0) {
      throw new UnprocessableError(
        `Analysis ${id} has no suggestion ${unknown.join(', ')}. Its suggestions are ${set.items.map((item) => item.id).join(', ')}.`,
        unknown.map((sid) => ({
          field: 'suggestionIds',
          message: `${sid} is not a suggestion of analysis ${id}`,
        })),
      );
    }
    const chosen =
      suggestionIds && suggestionIds.length > 0
        ? set.items.filter((item) => suggestionIds.includes(item.id))
        : set.items;
    // Only the suggested keys change, on top of what the bots get now (the active version, not the
    // run's starting one, which would silently undo later changes), and never the remote brake: the
    // new version keeps the active version's pauseOrders whatever a suggestion says.
    const applied = chosen.filter((item) => item.key !== 'pauseOrders');
    const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const item of applied) values[item.key] = item.suggested;
    return this.uow.run(async (em) => {
      const active = await this.configs.getActive();
      const config = await this.configs.create(
        {
          values: { ...values },
          basedOnId: active.id,
          source: 'suggestion',
          analysisId: id,
          note:
            note ??
            `From analysis ${id} of run ${analysis.runId}: ${applied.map((item) => item.key).join(', ')}`,
        },
        { audit: false },
      ); // one entry for the whole change: suggestions.applied, below
      await em.execute(
        `update analyses set applied_config_ids = applied_config_ids || ?::jsonb where id = ?`,
        [JSON.stringify([config.id]), id],
      );
      await this.audit.record(em, {
        action: 'suggestions.applied',
        targetId: id,
        before: { activeConfigId: active.id, runConfigId: analysis.configId ?? null },
        after: {
          configId: config.id,
          basedOnId: active.id,
          values: config.values,
          suggestions: applied.map((item) => ({ id: item.id, key: item.key, suggested: item.suggested })),
        },
      });
      return { analysisId: id, applied, config };
    });
  }

  /** Finished runs grouped by config version, with scores and P&L side by side. */
  async compare(query: {
    configIds?: number[];
    botId?: number;
    runsPerConfig?: number;
  }): Promise<ComparisonGroup[]> {
    return this.uow.read(async (em) => {
      const runs = await this.runs.finished(em, query.configIds, query.botId);
      const latest = await this.latestByRun(
        em,
        runs.map((run) => run.runId),
      );
      const origins = await this.configs.originsOf(em, [
        ...new Set(runs.map((run) => run.configId).filter((id): id is number => id !== null)),
      ]);
      const rows: ComparisonRunRow[] = runs.map((run) => {
        const analysis = latest.get(run.runId);
        const summary = analysis?.summary ?? {};
        const fills = run.totalFills ?? num(summary['fills']);
        return {
          ...run,
          overallScore: run.overallScore ?? analysis?.overallScore ?? null,
          totalPnl: run.totalPnl ?? (typeof summary['totalPnl'] === 'string' ? summary['totalPnl'] : null),
          fills: fills === null ? null : Number(fills),
          fillRate: num(summary['fillRate']),
          analysisId: analysis?.id ?? null,
        };
      });
      const groups = new Map<string, ComparisonRunRow[]>();
      for (const row of rows) {
        const key = String(row.configId ?? 'none');
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      const limit = query.runsPerConfig ?? 20;
      return [...groups.values()].map((group) => {
        const first = group[0];
        const origin = first.configId === null ? undefined : origins.get(first.configId);
        const scores = group
          .map((run) => run.overallScore)
          .filter((score): score is number => score !== null);
        const fillRates = group.map((run) => run.fillRate).filter((rate): rate is number => rate !== null);
        return {
          configId: first.configId,
          configNote: origin?.note ?? null,
          configSource: origin?.source ?? null,
          basedOnId: origin?.basedOnId ?? null,
          fromAnalysisId: origin?.analysisId ?? null,
          runCount: group.length,
          avgScore:
            scores.length > 0
              ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10
              : null,
          totalPnl: sumDecimals(group.map((run) => run.totalPnl)),
          avgPnl:
            group.length > 0
              ? divideDecimal(sumDecimals(group.map((run) => run.totalPnl)), String(group.length))
              : null,
          avgFillRate:
            fillRates.length > 0
              ? Math.round((fillRates.reduce((a, b) => a + b, 0) / fillRates.length) * 1e4) / 1e4
              : null,
          runs: group.slice(0, limit).map((run) => ({
            runId: run.runId,
            status: run.status,
            mode: run.mode,
            startedAt: run.startedAt.toISOString(),
            stoppedAt: run.stoppedAt ? run.stoppedAt.toISOString() : null,
            overallScore: run.overallScore,
            totalPnl: run.totalPnl,
            fills: run.fills,
            fillRate: run.fillRate,
            analysisId: run.analysisId,
          })),
        };
      });
    });
  }

  /** The newest analysis of each of these runs: its id, score and summary. */
  private async latestByRun(
    em: EntityManager,
    runIds: number[],
  ): Promise<Map<number, { id: number; overallScore: number; summary: Record<string, unknown> }>> {
    if (runIds.length === 0) return new Map();
    const rows = await em.execute<
      { id: string; run_id: string; overall_score: number; summary: Record<string, unknown> | null }[]
    >(
      `select distinct on (run_id) id, run_id, overall_score, result->'summary' as summary
         from analyses where run_id = any(?::bigint[])
        order by run_id, id desc`,
      [`{${runIds.join(',')}}`],
    );
    return new Map(
      rows.map((row) => [
        Number(row.run_id),
        { id: Number(row.id), overallScore: row.overall_score, summary: row.summary ?? {} },
      ]),
    );
  }

  /**
   * Everything the engine reads about a run, from its owners: the totals, then a scan of its trades
   * for the breakdowns and one of its fills for the market-making scores (windows, markouts, hedges).
   * A finished run's open windows count as held to expiry; a running run's wait for their resolution.
   */
  async gather(em: EntityManager, runId: number): Promise<AnalysisInputs> {
    const totals = await this.gatherTotals(em, runId);
    const breakdowns = await this.trades.breakdownsOf(em, runId);
    const marketMaking = await this.trades.marketMakingOf(em, runId, {
      horizonSeconds: SCORING.markoutHorizonSeconds,
      includeOpenWindows: totals.status !== 'running',
    });
    const config = await this.configs.valuesFor(em, totals.config?.id ?? null);
    const samples = await this.trades.resolvedSamplesOf(em, runId, EVIDENCE.maxTrades);
    return { ...totals, breakdowns, marketMaking, config, samples };
  }

  /**
   * The suggestions of a full analysis: the run's effects (bootstrap, seeded by the run id) weighed
   * with what the latest analyses of other runs on the same config version saw.
   */
  private async suggest(
    em: EntityManager,
    inputs: AnalysisInputs,
    analysis: RunAnalysis,
  ): Promise<SuggestionSet> {
    const effects = bootstrapEffects(inputs.samples ?? [], inputs.runId);
    return suggestChanges(
      inputs,
      analysis,
      effects,
      await this.priorEvidence(em, inputs.runId, inputs.config?.id ?? null),
    );
  }

  /** The effects the latest PRIOR_RUNS complete analyses of other runs on this config version stored (one per run). */
  private async priorEvidence(
    em: EntityManager,
    runId: number,
    configId: number | null,
  ): Promise<PriorEvidence[]> {
    if (configId === null) return [];
    const rows = await em.execute<{ run_id: string; effects: Effect[] | null }[]>(
      `select distinct on (run_id) run_id, suggestions->'effects' as effects from analyses
        where config_id = ? and run_id <> ? and state = 'complete' and suggestions->'effects' is not null
        order by run_id desc, id desc limit ?`,
      [configId, runId, PRIOR_RUNS],
    );
    return rows
      .filter((row) => Array.isArray(row.effects))
      .map((row) => ({ runId: Number(row.run_id), effects: row.effects ?? [] }));
  }

  /**
   * What the score needs, from aggregates kept as trades, fills and metrics arrive (the run's row,
   * run_trade_stats, run_metric_stats): a few row reads whatever the size of the run. In the
   * caller's transaction, so a stop's final metrics and status are seen.
   */
  private async gatherTotals(em: EntityManager, runId: number): Promise<AnalysisInputs> {
    const run = await this.runs.analysisFacts(em, runId);
    if (!run) throw runNotFound(runId);
    return totalsOf(run, await this.trades.statsOf(em, runId), await this.metrics.seriesStatsOf(em, runId));
  }

  private async find(em: EntityManager, id: number): Promise<Analysis> {
    const row = await em.findOne(Analysis, { id });
    if (!row) throw new NotFoundError(`Analysis ${id} does not exist.`);
    return row;
  }

  private async requireRun(em: EntityManager, runId: number): Promise<void> {
    if (!(await this.runs.analysisFacts(em, runId))) throw runNotFound(runId);
  }
}

interface ComparisonRunRow {
  runId: number;
  configId: number | null;
  status: string;
  mode: string;
  startedAt: Date;
  stoppedAt: Date | null;
  overallScore: number | null;
  totalPnl: string | null;
  fills: number | null;
  fillRate: number | null;
  analysisId: number | null;
}

export interface ComparisonGroup {
  configId: number | null;
  configNote: string | null;
  configSource: string | null;
  basedOnId: number | null;
  fromAnalysisId: number | null;
  runCount: number;
  avgScore: number | null;
  totalPnl: string;
  avgPnl: string | null;
  avgFillRate: number | null;
  runs: {
    runId: number;
    status: string;
    mode: string;
    startedAt: string;
    stoppedAt: string | null;
    overallScore: number | null;
    totalPnl: string | null;
    fills: number | null;
    fillRate: number | null;
    analysisId: number | null;
  }[];
}

function runNotFound(runId: number): NotFoundError {
  return new NotFoundError(`Run ${runId} does not exist.`);
}

/** The score's inputs from the run's facts and its trade and metric aggregates (no breakdowns, no config values). */
function totalsOf(run: RunAnalysisFacts, trades: RunTradeStats, series: MetricSeriesStats): AnalysisInputs {
  const end = run.stoppedAt ?? new Date();
  return {
    runId: run.runId,
    status: run.status,
    durationSeconds: Math.max(0, Math.round((end.getTime() - run.startedAt.getTime()) / 1000)),
    startingBankroll: run.startingBankroll,
    metrics: run.metrics,
    trades,
    seriesMaxDrawdown: series.maxDrawdown,
    seriesPeakPnl: series.peakPnl,
    metricPoints: series.points,
    breakdowns: EMPTY_BREAKDOWNS(),
    config: { id: run.configId, values: {}, assumed: run.configId === null },
  };
}

/** An analyses row for this run's inputs, score and suggestions (persisted by the caller). */
function newAnalysisRow(
  em: EntityManager,
  runId: number,
  botId: number | null,
  trigger: AnalysisTrigger,
  inputs: AnalysisInputs,
  analysis: RunAnalysis,
  suggestions: SuggestionSet,
): Analysis {
  return em.create(Analysis, {
    runId,
    botId,
    configId: inputs.config?.id ?? null,
    trigger,
    runStatus: inputs.status,
    overallScore: analysis.overallScore,
    dataQuality: analysis.dataQuality,
    result: analysis as unknown as Record<string, unknown>,
    suggestions: suggestions as unknown as Record<string, unknown>,
    engineVersion: analysis.engineVersion,
  } as Analysis);
}

function toRecord(row: Analysis): AnalysisRecord {
  return { ...toStored(row), botId: row.botId === null ? null : Number(row.botId) };
}

function toStored(row: Analysis): StoredAnalysis {
  return {
    ...(row.result as unknown as RunAnalysis),
    analysisId: row.id,
    trigger: row.trigger,
    runStatus: row.runStatus,
    configId: row.configId,
    suggestions: row.suggestions as unknown as SuggestionSet,
    appliedConfigIds: row.appliedConfigIds,
    state: row.state,
    error: row.error,
  };
}
