import { Injectable } from '@nestjs/common';
import { ConfigOrigin, ConfigService } from '@polymaker/api/config';
import { BadInputError, UnitOfWork } from '@polymaker/api/core';
import { FleetService } from '@polymaker/api/fleet';
import { MetricsService } from '@polymaker/api/metrics';
import { RunsService } from '@polymaker/api/runs';
import { TradesService } from '@polymaker/api/trades';
import { cutRun, VersionSegment } from './version-segments';
import { SegmentFigures, totalsByVersion, VersionTotals } from './version-time';

/**
 * Time under each version: runs cut into segments by the config version their bot was really served
 * (from its polls), each segment measured by the owners of its trades and metric points; what
 * GET /api/v1/analyses/versions shows and what an experiment compares. Split from AnalysisService,
 * which keeps the per-run analysis.
 */
@Injectable()
export class VersionTimeService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly configs: ConfigService,
    private readonly runs: RunsService,
    private readonly trades: TradesService,
    private readonly metrics: MetricsService,
    private readonly fleet: FleetService,
  ) {}

  /**
   * Config versions by the time they really ran in [from, to) (default: the last 30 days; at most
   * VERSIONS_MAX_DAYS): every run of the range (one bot's with `botId`) is cut into segments by the
   * version its bot was served (cutRun), and each segment's trades and reported P&L are asked of
   * their owners (one statement each for all segments). At most VERSIONS_MAX_RUNS runs, the newest
   * (`truncated` says so); a range with more spans or segments than the bounds is refused (400).
   */
  async versions(query: { botId?: number; from?: string; to?: string }): Promise<VersionTimeResult> {
    const to = query.to ? new Date(query.to) : new Date();
    // the default start never before year 1 (what a query date may be, and PostgreSQL reads)
    const from = query.from
      ? new Date(query.from)
      : new Date(Math.max(to.getTime() - VERSIONS_DEFAULT_DAYS * 86_400_000, FIRST_INSTANT));
    if (from.getTime() >= to.getTime()) {
      throw new BadInputError(`from (${from.toISOString()}) must be before to (${to.toISOString()}).`, [
        { field: 'from', message: 'must be before to' },
      ]);
    }
    if (to.getTime() - from.getTime() > VERSIONS_MAX_DAYS * 86_400_000) {
      throw new BadInputError(`A range covers at most ${VERSIONS_MAX_DAYS} days; narrow from/to.`, [
        { field: 'from', message: `range longer than ${VERSIONS_MAX_DAYS} days` },
      ]);
    }
    const botId = query.botId ?? null;
    const { figures, runs, truncated } = await this.cutAndMeasure(from, to, botId === null ? null : [botId]);
    const totals = totalsByVersion(figures);
    const ids = totals.flatMap((total) => (total.configId === null ? [] : [total.configId]));
    const origins = await this.uow.read((em) => this.configs.originsOf(em, ids));
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      botId,
      runs: runs.length,
      truncated,
      coveredFrom: truncated && runs.length > 0 ? runs[runs.length - 1].startedAt.toISOString() : null,
      versions: totals.map((total) =>
        toVersionTime(total, total.configId === null ? undefined : origins.get(total.configId)),
      ),
    };
  }

  /**
   * Every segment of the runs overlapping [from, to) (only these bots' with `botIds`), with its
   * figures: what an experiment compares. Bounded like `versions` (the newest VERSIONS_MAX_RUNS runs).
   */
  async segmentFigures(query: { from: Date; to: Date; botIds: number[] | null }): Promise<
    {
      configId: number | null;
      runId: number;
      botId: number | null;
      paused: boolean;
      hours: number;
      realisedPnl: string;
      orders: number;
      fills: number;
      maxDrawdown: string | null;
      /** The run's newest analysis: `overall` and each sub-score (null: not computable); null: not analysed yet. */
      scores: Record<string, number | null> | null;
    }[]
  > {
    const { figures } = await this.cutAndMeasure(query.from, query.to, query.botIds);
    const scores = await this.scoresByRun([...new Set(figures.map((f) => f.segment.runId))]);
    return figures.map((f) => ({
      scores: scores.get(f.segment.runId) ?? null,
      configId: f.segment.configId,
      runId: f.segment.runId,
      botId: f.segment.botId,
      paused: f.segment.paused,
      hours: (f.segment.to.getTime() - f.segment.from.getTime()) / 3_600_000,
      realisedPnl: f.trades.pnl,
      orders: f.trades.total,
      fills: f.trades.filled,
      maxDrawdown: f.pnl.maxDrawdown,
    }));
  }

  /** The runs of [from, to) (of these bots, or all) cut into version segments, each with its trades and reported P&L. */
  private async cutAndMeasure(
    from: Date,
    to: Date,
    botIds: number[] | null,
  ): Promise<{
    figures: SegmentFigures[];
    runs: Awaited<ReturnType<RunsService['overlapping']>>['runs'];
    truncated: boolean;
  }> {
    const only = botIds !== null && botIds.length === 1 ? botIds[0] : null;
    const overlapping = await this.runs.overlapping({ from, to, botId: only, limit: VERSIONS_MAX_RUNS });
    const wanted = botIds === null || botIds.length <= 1 ? null : new Set(botIds);
    const runs = wanted
      ? overlapping.runs.filter((run) => run.botId !== null && wanted.has(run.botId))
      : overlapping.runs;
    const bots = [...new Set(runs.flatMap((run) => (run.botId === null ? [] : [run.botId])))];
    const { spans, complete } = await this.fleet.spansOf(bots, from, to, VERSIONS_MAX_SPANS);
    if (!complete) throw tooMuch(`more than ${VERSIONS_MAX_SPANS} version changes`);
    const segments: { segment: VersionSegment; run: (typeof runs)[number] }[] = [];
    for (const run of runs) {
      for (const segment of cutRun(run, run.botId === null ? [] : (spans.get(run.botId) ?? []), {
        from,
        to,
      })) {
        segments.push({ segment, run });
        if (segments.length > VERSIONS_MAX_SEGMENTS)
          throw tooMuch(`more than ${VERSIONS_MAX_SEGMENTS} segments`);
      }
    }
    // A segment that begins (ends) at its run's own start (end) takes what the run logged before (after) it.
    const intervals = segments.map(({ segment }) => ({
      runId: segment.runId,
      since: segment.opensRun ? null : segment.from,
      until: segment.closesRun ? null : segment.to,
    }));
    const [trades, pnl] = await Promise.all([
      this.trades.intervalStats(intervals),
      this.metrics.intervalPnl(intervals),
    ]);
    const figures: SegmentFigures[] = segments.map(({ segment, run }, i) => ({
      segment,
      run: { status: run.status, startingBankroll: run.startingBankroll },
      trades: trades[i],
      pnl: pnl[i],
    }));
    return { figures, runs, truncated: overlapping.truncated };
  }

  /** The overall score and the sub-scores of each run's newest analysis (by name, as stored). */
  private async scoresByRun(runIds: number[]): Promise<Map<number, Record<string, number | null>>> {
    if (runIds.length === 0) return new Map();
    const rows = await this.uow.sql((sql) =>
      sql.query<{
        run_id: string;
        overall_score: number;
        scores: Record<string, { score?: unknown } | null> | null;
      }>(
        `select distinct on (run_id) run_id, overall_score, result->'scores' as scores
           from analyses where run_id = any($1::bigint[]) order by run_id, id desc`,
        [`{${runIds.join(',')}}`],
      ),
    );
    return new Map(
      rows.map((row) => {
        const scores: Record<string, number | null> = {
          overall: Number.isFinite(row.overall_score) ? row.overall_score : null,
        };
        for (const [name, sub] of Object.entries(row.scores ?? {}))
          scores[name] =
            sub && typeof sub.score === 'number' && Number.isFinite(sub.score) ? sub.score : null;
        return [Number(row.run_id), scores];
      }),
    );
  }
}

/** The bounds of GET /api/v1/analyses/versions: its cost follows its range, and is capped. */
export const VERSIONS_DEFAULT_DAYS = 30;
export const VERSIONS_MAX_DAYS = 400;
export const VERSIONS_MAX_RUNS = 500;
export const VERSIONS_MAX_SPANS = 20_000;
export const VERSIONS_MAX_SEGMENTS = 20_000;
const FIRST_INSTANT = new Date(0).setUTCFullYear(1, 0, 1);
/** Run ids listed per version. */
const VERSION_RUNS_LISTED = 20;

/** A config version by the time it really ran (GET /api/v1/analyses/versions). */
export interface VersionTime {
  configId: number | null;
  configNote: string | null;
  configSource: string | null;
  basedOnId: number | null;
  fromAnalysisId: number | null;
  hours: number;
  pausedHours: number;
  runs: number;
  runIds: number[];
  segments: number;
  orders: number;
  fills: number;
  failedOrders: number;
  fillRate: number | null;
  realisedPnl: string;
  pnlPerHour: string | null;
  reportedPnl: string;
  maxDrawdown: string | null;
  score: number | null;
}

export interface VersionTimeResult {
  from: string;
  to: string;
  botId: number | null;
  runs: number;
  truncated: boolean;
  coveredFrom: string | null;
  versions: VersionTime[];
}

function toVersionTime(total: VersionTotals, origin: ConfigOrigin | undefined): VersionTime {
  // the figures as they are; time in hours (4 places), the run ids listed up to VERSION_RUNS_LISTED
  const { activeMs, pausedMs, runIds, ...figures } = total;
  return {
    ...figures,
    configNote: origin?.note ?? null,
    configSource: origin?.source ?? null,
    basedOnId: origin?.basedOnId ?? null,
    fromAnalysisId: origin?.analysisId ?? null,
    hours: Math.round(activeMs / 360) / 10_000,
    pausedHours: Math.round(pausedMs / 360) / 10_000,
    runs: runIds.length,
    runIds: runIds.slice(0, VERSION_RUNS_LISTED),
  };
}

function tooMuch(what: string): BadInputError {
  return new BadInputError(`The range holds ${what}; narrow from/to or choose a bot.`, [
    { field: 'from', message: `the range holds ${what}` },
  ]);
}
