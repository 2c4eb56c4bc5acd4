import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AuditService } from '@polymaker/api/audit';
import { ConfigService, ConfigVersionView } from '@polymaker/api/config';
import { AnalysisCompletedEvent, ConflictError, NotFoundError, toDecimalString, UnitOfWork, UnprocessableError } from '@polymaker/api/core';
import { OUTBOX_TOPICS, OutboxService } from '@polymaker/api/outbox';
import type { AnalysisInputs, BreakdownRow } from './analysis-inputs';
import { Analysis, AnalysisTrigger } from './entities/analysis.entity';
import { RunAnalysis, scoreRun } from './score-run';
import { suggestChanges, Suggestion, SuggestionSet } from './suggest';

interface RunRow {
  id: string;
  status: string;
  started_at: Date;
  stopped_at: Date | null;
  last_update_at: Date;
  starting_bankroll: string | null;
  metrics: Record<string, unknown>;
  config_id: string | null;
}

const BREAKDOWN_COLUMNS = {
  asset: 'asset',
  window: 'window_duration',
  outcome: 'outcome',
  strategy: "coalesce(strategy, '')",
  hour: "to_char(created_at at time zone 'UTC', 'HH24')",
} as const;

/** What the engine returns for one run: the score, its reasons and the suggested changes. */
export type AnalysisResult = RunAnalysis & { configId: number | null; suggestions: SuggestionSet };
/** A stored analysis: the result with its id and why it was made (also the `analysis` of run/stop). */
export type StoredAnalysis = AnalysisResult & { analysisId: number; trigger: AnalysisTrigger; runStatus: string; appliedConfigIds: number[] };

export interface ApplyResult {
  analysisId: number;
  applied: Suggestion[];
  config: ConfigVersionView;
}

/**
 * The analysis engine: gathers a run's numbers with SQL aggregates (exact numeric sums) inside
 * the caller's transaction, scores them, proposes config changes and stores the result.
 */
@Injectable()
export class AnalysisService implements OnModuleInit {
  private readonly logger = new Logger(AnalysisService.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly configs: ConfigService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    // Analyses owed by the durable queue (runs closed as stale): analysed once, retried on failure.
    this.outbox.register(OUTBOX_TOPICS.analyzeRun, {
      handle: async (em, job) => {
        const runId = Number(job.payload['runId']);
        const trigger = (job.payload['trigger'] as AnalysisTrigger | undefined) ?? 'stale';
        const stored = await this.analyzeAndStore(em, runId, trigger);
        await em.execute('update runs set overall_score = ? where id = ? and overall_score is null', [stored.overallScore, runId]);
      },
      retryBaseMs: () => 5_000,
    });
  }

  /** Computes without storing. */
  async analyzeRun(em: EntityManager, runId: number): Promise<AnalysisResult> {
    const inputs = await this.gather(em, runId);
    const analysis = scoreRun(inputs);
    return { ...analysis, configId: inputs.config?.id ?? null, suggestions: suggestChanges(inputs, analysis) };
  }

  /** Computes, stores in the caller's transaction and announces `analysis.completed` after commit. */
  async analyzeAndStore(em: EntityManager, runId: number, trigger: AnalysisTrigger): Promise<StoredAnalysis> {
    const result = await this.analyzeRun(em, runId);
    const { suggestions, configId, ...analysis } = result;
    const [run] = await em.execute<{ status: string }[]>('select status from runs where id = ?', [runId]);
    const row = em.create(Analysis, {
      runId,
      configId,
      trigger,
      runStatus: run.status,
      overallScore: analysis.overallScore,
      dataQuality: analysis.dataQuality,
      result: analysis as unknown as Record<string, unknown>,
      suggestions: suggestions as unknown as Record<string, unknown>,
      engineVersion: analysis.engineVersion,
    } as Analysis);
    await em.persist(row).flush();
    this.uow.publish(new AnalysisCompletedEvent(row.id, runId, trigger, analysis.overallScore, suggestions.items.length));
    this.logger.log({ runId, analysisId: row.id, trigger, overallScore: analysis.overallScore }, 'run analysed');
    return toStored(row);
  }

  /** On demand, for any run (a running one included). */
  async analyzeNow(runId: number): Promise<StoredAnalysis> {
    return this.uow.run(async (em) => {
      await this.requireRun(em, runId);
      return this.analyzeAndStore(em, runId, 'on-demand');
    });
  }

  async listForRun(runId: number): Promise<StoredAnalysis[]> {
    return this.uow.read(async (em) => {
      await this.requireRun(em, runId);
      const rows = await em.find(Analysis, { runId }, { orderBy: { id: 'desc' } });
      return rows.map(toStored);
    });
  }

  async list(query: { runId?: number; configId?: number; limit?: number; offset?: number }): Promise<{ items: StoredAnalysis[]; total: number }> {
    const where: Record<string, unknown> = {};
    if (query.runId) where['runId'] = query.runId;
    if (query.configId) where['configId'] = query.configId;
    const [rows, total] = await this.uow.read((em) =>
      em.findAndCount(Analysis, where, { orderBy: { id: 'desc' }, limit: query.limit ?? 50, offset: query.offset ?? 0 }),
    );
    return { items: rows.map(toStored), total };
  }

  /** The newest analysis of a run, in the caller's transaction; null before the first. */
  async latestForRun(em: EntityManager, runId: number): Promise<StoredAnalysis | null> {
    const row = await em.findOne(Analysis, { runId }, { orderBy: { id: 'desc' } });
    return row ? toStored(row) : null;
  }

  async get(id: number): Promise<StoredAnalysis> {
    return toStored(await this.uow.read((em) => this.find(em, id)));
  }

  /**
   * The feedback loop: the chosen suggestions (all when none are named) become a new config
   * version based on the ACTIVE config (keeping its pauseOrders), linked to the analysis and NOT
   * activated.
   */
  async apply(id: number, suggestionIds: string[] | undefined, note?: string): Promise<ApplyResult> {
    const analysis = await this.uow.read((em) => this.find(em, id));
    const set = analysis.suggestions as unknown as SuggestionSet;
    if (set.items.length === 0) throw new ConflictError(`Analysis ${id} has no suggestions to apply: ${set.message}`);
    const unknown = (suggestionIds ?? []).filter((sid) => !set.items.some((item) => item.id === sid));
    if (unknown.length > 0) {
      throw new UnprocessableError(
        `Analysis ${id} has no suggestion ${unknown.join(', ')}. Its suggestions are ${set.items.map((item) => item.id).join(', ')}.`,
        unknown.map((sid) => ({ field: 'suggestionIds', message: `${sid} is not a suggestion of analysis ${id}` })),
      );
    }
    const chosen = suggestionIds && suggestionIds.length > 0 ? set.items.filter((item) => suggestionIds.includes(item.id)) : set.items;
    // Only the suggested keys change, on top of what the bots get now (the active version, not the
    // run's starting one, which would silently undo later changes), and never the remote brake: the
    // new version keeps the active version's pauseOrders whatever a suggestion says.
    const applied = chosen.filter((item) => item.key !== 'pauseOrders');
    const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const item of applied) values[item.key] = item.suggested;
    return this.uow.run(async (em) => {
      const active = await this.configs.getActive();
      const config = await this.configs.create({
        values: { ...values },
        basedOnId: active.id,
        source: 'suggestion',
        analysisId: id,
        note: note ?? `From analysis ${id} of run ${analysis.runId}: ${applied.map((item) => item.key).join(', ')}`,
      }, { audit: false }); // one entry for the whole change: suggestions.applied, below
      await em.execute(`update analyses set applied_config_ids = applied_config_ids || ?::jsonb where id = ?`, [
        JSON.stringify([config.id]),
        id,
      ]);
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
  async compare(query: { configIds?: number[]; runsPerConfig?: number }): Promise<ComparisonGroup[]> {
    return this.uow.read(async (em) => {
      const filter = query.configIds && query.configIds.length > 0 ? `and r.config_id in (${query.configIds.map(() => '?').join(', ')})` : '';
      const params = query.configIds ?? [];
      const rows = await em.execute<ComparisonRunRow[]>(
        `select r.id, r.config_id, r.status, r.mode, r.started_at, r.stopped_at,
                coalesce(r.overall_score, a.overall_score) as overall_score,
                coalesce(r.total_pnl, (a.result->'summary'->>'totalPnl')::numeric)::text as total_pnl,
                coalesce(r.total_fills, (a.result->'summary'->>'fills')::bigint)::float8 as fills,
                (a.result->'summary'->>'fillRate')::float8 as fill_rate,
                a.id as analysis_id,
                c.note as config_note, c.source as config_source, c.based_on_id, c.analysis_id as config_analysis_id
           from runs r
           left join lateral (select id, overall_score, result from analyses where run_id = r.id order by id desc limit 1) a on true
           left join config_versions c on c.id = r.config_id
          where r.status <> 'running' ${filter}
          order by r.config_id desc nulls last, r.id desc`,
        params,
      );
      const groups = new Map<string, ComparisonRunRow[]>();
      for (const row of rows) {
        const key = String(row.config_id ?? 'none');
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      const limit = query.runsPerConfig ?? 20;
      return [...groups.values()].map((runs) => {
        const first = runs[0];
        const scores = runs.map((run) => run.overall_score).filter((score): score is number => score !== null);
        const fillRates = runs.map((run) => run.fill_rate).filter((rate): rate is number => rate !== null);
        return {
          configId: first.config_id === null ? null : Number(first.config_id),
          configNote: first.config_note,
          configSource: first.config_source,
          basedOnId: first.based_on_id === null ? null : Number(first.based_on_id),
          fromAnalysisId: first.config_analysis_id === null ? null : Number(first.config_analysis_id),
          runCount: runs.length,
          avgScore: scores.length > 0 ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10 : null,
          totalPnl: sumDecimals(runs.map((run) => run.total_pnl)),
          avgPnl: runs.length > 0 ? divideDecimal(sumDecimals(runs.map((run) => run.total_pnl)), runs.length) : null,
          avgFillRate: fillRates.length > 0 ? Math.round((fillRates.reduce((a, b) => a + b, 0) / fillRates.length) * 1e4) / 1e4 : null,
          runs: runs.slice(0, limit).map((run) => ({
            runId: Number(run.id),
            status: run.status,
            mode: run.mode,
            startedAt: new Date(run.started_at).toISOString(),
            stoppedAt: run.stopped_at ? new Date(run.stopped_at).toISOString() : null,
            overallScore: run.overall_score,
            totalPnl: run.total_pnl,
            fills: run.fills,
            fillRate: run.fill_rate,
            analysisId: run.analysis_id === null ? null : Number(run.analysis_id),
          })),
        };
      });
    });
  }

  async gather(em: EntityManager, runId: number): Promise<AnalysisInputs> {
    // em.execute runs in the caller's transaction: the stop's final metrics are visible here.
    const [run] = await em.execute<RunRow[]>(
      'select id, status, started_at, stopped_at, last_update_at, starting_bankroll, metrics, config_id from runs where id = ?',
      [runId],
    );
    if (!run) throw runNotFound(runId);
    const [totals] = await em.execute<
      {
        total: string;
        filled: string;
        cancelled: string;
        failed: string;
        pnl: string;
        notional: string;
        wins: string;
        losses: string;
        avg_size: string | null;
        gross_loss: string;
      }[]
    >(
      `select count(*) as total,
              count(*) filter (where status = 'filled') as filled,
              count(*) filter (where status = 'cancelled') as cancelled,
              count(*) filter (where status = 'failed') as failed,
              coalesce(sum(pnl), 0)::text as pnl,
              coalesce(sum(coalesce(fill_price, price) * coalesce(fill_size, size)) filter (where status = 'filled'), 0)::text as notional,
              count(*) filter (where pnl > 0) as wins,
              count(*) filter (where pnl < 0) as losses,
              round(avg(size), 4)::text as avg_size,
              coalesce(sum(pnl) filter (where pnl < 0), 0)::text as gross_loss
         from trades where run_id = ?`,
      [runId],
    );
    const [series] = await em.execute<{ max_drawdown: string | null; peak: string | null; points: string }[]>(
      `select max(peak - pnl)::text as max_drawdown, max(peak)::text as peak, count(*) as points
         from (select (metric_values->>'totalPnl')::numeric as pnl,
                      max((metric_values->>'totalPnl')::numeric) over (order by at, id) as peak
                 from run_metric_points
                where run_id = ? and metric_values->>'totalPnl' is not null) s`,
      [runId],
    );
    const breakdownRows = await em.execute<{ dim: string; key: string; trades: string; fills: string; pnl: string }[]>(
      `select dim, key, count(*) as trades, count(*) filter (where status = 'filled') as fills, coalesce(sum(pnl), 0)::text as pnl
         from trades t
         cross join lateral (values ${Object.entries(BREAKDOWN_COLUMNS)
           .map(([name, column]) => `('${name}', ${column.replace(/created_at/g, 't.created_at')})`)
           .join(', ')}) as d(dim, key)
        where t.run_id = ?
        group by dim, key
        order by dim, key`,
      [runId],
    );
    const breakdowns = { asset: [], window: [], outcome: [], strategy: [], hour: [] } as AnalysisInputs['breakdowns'];
    for (const row of breakdownRows) {
      breakdowns[row.dim as keyof typeof BREAKDOWN_COLUMNS].push({
        key: row.key,
        trades: Number(row.trades),
        fills: Number(row.fills),
        pnl: exact(row.pnl),
      } satisfies BreakdownRow);
    }
    const config = await this.configFor(em, run.config_id === null ? null : Number(run.config_id));
    const end = run.stopped_at ?? new Date();
    return {
      runId,
      status: run.status,
      durationSeconds: Math.max(0, Math.round((new Date(end).getTime() - new Date(run.started_at).getTime()) / 1000)),
      startingBankroll: run.starting_bankroll,
      metrics: run.metrics,
      trades: {
        total: Number(totals.total),
        filled: Number(totals.filled),
        cancelled: Number(totals.cancelled),
        failed: Number(totals.failed),
        pnl: exact(totals.pnl),
        filledNotional: exact(totals.notional),
        wins: Number(totals.wins),
        losses: Number(totals.losses),
        avgSize: totals.avg_size,
        grossLoss: exact(totals.gross_loss),
      },
      seriesMaxDrawdown: series?.max_drawdown ? exact(series.max_drawdown) : null,
      seriesPeakPnl: series?.peak ? exact(series.peak) : null,
      metricPoints: Number(series?.points ?? 0),
      breakdowns,
      config,
    };
  }

  private async configFor(em: EntityManager, configId: number | null): Promise<AnalysisInputs['config']> {
    const [row] = await em.execute<{ id: string; config_values: Record<string, unknown> }[]>(
      configId === null
        ? 'select id, config_values from config_versions where is_active limit 1'
        : 'select id, config_values from config_versions where id = ?',
      configId === null ? [] : [configId],
    );
    return row ? { id: Number(row.id), values: row.config_values, assumed: configId === null } : { id: null, values: {}, assumed: true };
  }

  private async find(em: EntityManager, id: number): Promise<Analysis> {
    const row = await em.findOne(Analysis, { id });
    if (!row) throw new NotFoundError(`Analysis ${id} does not exist.`);
    return row;
  }

  private async requireRun(em: EntityManager, runId: number): Promise<void> {
    const [row] = await em.execute<{ id: string }[]>('select id from runs where id = ?', [runId]);
    if (!row) throw runNotFound(runId);
  }
}

interface ComparisonRunRow {
  id: string;
  config_id: string | null;
  status: string;
  mode: string;
  started_at: Date;
  stopped_at: Date | null;
  overall_score: number | null;
  total_pnl: string | null;
  fills: number | null;
  fill_rate: number | null;
  analysis_id: string | null;
  config_note: string | null;
  config_source: string | null;
  based_on_id: string | null;
  config_analysis_id: string | null;
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

/** numeric text from PostgreSQL without its trailing zeros ("0.50000000" → "0.5"). */
function exact(value: string): string {
  return toDecimalString(value) ?? value;
}

function runNotFound(runId: number): NotFoundError {
  return new NotFoundError(`Run ${runId} does not exist.`);
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
  };
}

/** Exact sum of decimal strings (scaled bigints; no binary floats). */
export function sumDecimals(values: (string | null)[]): string {
  // As many decimal places as the most precise value has (money columns are unscaled numeric).
  const SCALE = values.reduce((most, value) => Math.max(most, value && /^-?\d+(\.\d+)?$/.test(value) ? (value.split('.')[1] ?? '').length : 0), 10);
  let total = 0n;
  for (const value of values) {
    if (value === null || !/^-?\d+(\.\d+)?$/.test(value)) continue;
    const negative = value.startsWith('-');
    const [whole, fraction = ''] = value.replace('-', '').split('.');
    const scaled = BigInt(whole + fraction.padEnd(SCALE, '0').slice(0, SCALE));
    total += negative ? -scaled : scaled;
  }
  return fromScaled(total, SCALE);
}

function divideDecimal(value: string, by: number): string {
  const SCALE = 10;
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  const scaled = BigInt(whole + fraction.padEnd(SCALE, '0').slice(0, SCALE)) / BigInt(by);
  return fromScaled(negative ? -scaled : scaled, SCALE).replace(/(\.\d{0,8})\d*$/, '$1').replace(/\.$/, '');
}

function fromScaled(total: bigint, scale: number): string {
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && text !== '0' ? `-${text}` : text;
}
