import type { MetricPoint, Run } from '@polymaker/admin/data-access';
import { isDecimal } from '@polymaker/admin/util';

/** How many points of a run's metric series the dashboard fetches and keeps (the newest). */
export const SERIES_POINTS = 2000;

/** A metric push as the server recorded it, read from a run.updated event (libs/api/core RunUpdatedEvent). */
export interface RunUpdate {
  runId: number;
  /** The bot that owns the run (the first key of its rotation chain); null: a run without a bot. */
  botId: number | null;
  /** The metric point's time (ISO), the same `at` as the point in GET /api/v1/runs/{id}/metrics. */
  at: string;
  /** The contract keys, normalised (counts as numbers, money as decimal strings). */
  metrics: Record<string, unknown>;
  /** The other keys, as sent. */
  extra: Record<string, unknown>;
}

/**
 * What a run.updated event tells the dashboard: a point to lay over what it shows, or a gap for one
 * run (the live fan-out slims an event too large for a notification to its ids: `truncated`), after
 * which that run must be refetched.
 */
export type RunUpdateRead = { kind: 'point'; update: RunUpdate } | { kind: 'gap'; runId: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Reads a run.updated payload defensively (it comes over the network): null when it names no run,
 * a gap when it names one but does not carry a usable point.
 */
export function readRunUpdate(data: unknown): RunUpdateRead | null {
  if (!isRecord(data) || !isId(data['runId'])) return null;
  const runId = data['runId'];
  const at = data['at'];
  const metrics = data['metrics'];
  if (
    data['truncated'] === true ||
    typeof at !== 'string' ||
    Number.isNaN(Date.parse(at)) ||
    !isRecord(metrics)
  )
    return { kind: 'gap', runId };
  const botId = data['botId'];
  const extra = data['extra'];
  return {
    kind: 'point',
    update: { runId, botId: isId(botId) ? botId : null, at, metrics, extra: isRecord(extra) ? extra : {} },
  };
}

/** The point of the run's series that the push made, in the shape GET /api/v1/runs/{id}/metrics answers. */
export function pointOf(update: RunUpdate): MetricPoint {
  return { ...update.metrics, at: update.at, extra: update.extra };
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * The run as the server holds it after the push: metrics and extras merged, the figures the run row
 * keeps (totalPnl, totalFills, totalOrders) taken from the push when it carries them, as run/update
 * does. A push older than what the run shows (replayed after a refetch) changes nothing.
 */
export function applyRunUpdate(run: Run, update: RunUpdate): Run {
  if (Date.parse(update.at) < Date.parse(run.lastUpdateAt)) return run;
  const m = update.metrics;
  const pnl = m['totalPnl'];
  return {
    ...run,
    metrics: { ...run.metrics, ...m },
    extra: { ...run.extra, ...update.extra },
    lastUpdateAt: update.at,
    status: run.status === 'stale' ? 'running' : run.status,
    totalPnl: 'totalPnl' in m ? (isDecimal(pnl) ? pnl : null) : run.totalPnl,
    totalFills: 'totalFills' in m ? count(m['totalFills']) : run.totalFills,
    totalOrders: 'totalOrders' in m ? count(m['totalOrders']) : run.totalOrders,
  };
}

/**
 * Appends a point to a series (oldest first) unless the series already has it or anything later: the
 * same `at` is the same point (the server stamps each push of a run, and a bot pushes one at a time).
 * Keeps the newest `max`. Returns the new series, or null when the point was not added.
 */
export function appendPoint(
  points: readonly MetricPoint[],
  point: MetricPoint,
  max = SERIES_POINTS,
): MetricPoint[] | null {
  const last = points.at(-1);
  if (last && Date.parse(point.at) <= Date.parse(last.at)) return null;
  const out = [...points, point];
  return out.length > max ? out.slice(out.length - max) : out;
}

interface Tracked {
  points: MetricPoint[];
  /** The load in flight (0: none); a newer load makes an older answer obsolete. */
  load: number;
  /** Points that arrived while the load was in flight, laid over its answer. */
  arrived: MetricPoint[];
}

/**
 * The metric series of the runs the dashboard charts: each fetched once, then extended by the points
 * the live events carry. A point that arrives while its run's series is being fetched is kept and laid
 * over the answer, so nothing between the fetch and the stream is lost or doubled.
 */
export class RunSeriesBook {
  private readonly runs = new Map<number, Tracked>();
  private loads = 0;

  constructor(private readonly max = SERIES_POINTS) {}

  /** Whether this run's series is kept (loaded or loading). */
  has(runId: number): boolean {
    return this.runs.has(runId);
  }

  points(runId: number): readonly MetricPoint[] {
    return this.runs.get(runId)?.points ?? [];
  }

  /** Keeps only these runs' series. */
  retain(runIds: Iterable<number>): void {
    const keep = new Set(runIds);
    for (const id of [...this.runs.keys()]) if (!keep.has(id)) this.runs.delete(id);
  }

  /** A fetch of the run's series begins; pass the returned token to `finish`. */
  start(runId: number): number {
    const token = ++this.loads;
    const run = this.runs.get(runId);
    if (run) {
      run.load = token;
      run.arrived = [];
    } else this.runs.set(runId, { points: [], load: token, arrived: [] });
    return token;
  }

  /** The fetch answered (`fetched`) or failed (null: what was shown stays). False when it was obsolete. */
  finish(runId: number, token: number, fetched: readonly MetricPoint[] | null): boolean {
    const run = this.runs.get(runId);
    if (!run || run.load !== token) return false;
    let points = fetched ? fetched.slice(-this.max) : run.points;
    for (const point of run.arrived) points = appendPoint(points, point, this.max) ?? points;
    run.points = points;
    run.load = 0;
    run.arrived = [];
    return true;
  }

  /** A live point: added to a kept run's series (false for a run not kept, or a point it has). */
  append(runId: number, point: MetricPoint): boolean {
    const run = this.runs.get(runId);
    if (!run) return false;
    if (run.load) run.arrived.push(point);
    const next = appendPoint(run.points, point, this.max);
    if (next) run.points = next;
    return next !== null;
  }
}
