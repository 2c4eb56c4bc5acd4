import { addDecimal, compareDecimal, divideDecimal, multiplyDecimal } from '@polymaker/api/core';
import type { IntervalPnl } from '@polymaker/api/metrics';
import type { RunTradeStats } from '@polymaker/api/trades';
import { scoreRun } from './score-run';
import { segmentMs, VersionSegment } from './version-segments';

/** What is known of the run a segment belongs to, for its score. */
export interface SegmentRun {
  status: string;
  startingBankroll: string | null;
}

/** One segment with its figures: the trades logged in it and the reported P&L over it. */
export interface SegmentFigures {
  segment: VersionSegment;
  run: SegmentRun;
  trades: RunTradeStats;
  pnl: IntervalPnl;
}

/** One config version's figures over all its segments. Exact decimals as strings. */
export interface VersionTotals {
  configId: number | null;
  /** Unpaused time under the version (ms); paused time apart. */
  activeMs: number;
  pausedMs: number;
  /** Runs with a segment under the version, newest first. */
  runIds: number[];
  segments: number;
  orders: number;
  fills: number;
  failedOrders: number;
  fillRate: number | null;
  /** The exact sum of the P&L of the trades logged in its segments (resolved trades carry it). */
  realisedPnl: string;
  /** realisedPnl per unpaused hour, to 8 places; null without unpaused time. */
  pnlPerHour: string | null;
  /** The change of the runs' reported totalPnl over its segments (may hold unrealised value). */
  reportedPnl: string;
  /** The largest peak-to-trough fall of reported totalPnl within any one of its segments. */
  maxDrawdown: string | null;
  /** The run score (0–100) of each unpaused segment's own figures, averaged by unpaused time; null when none could be scored. */
  score: number | null;
}

const HOUR_MS = '3600000';

/**
 * The run engine's score (scoreRun) of one segment's own figures: its reported P&L change (or the
 * realised P&L of its trades when the run reports none) against its run's bankroll, its orders and
 * fills, and its drawdown. Null when nothing could be scored (no orders and no bankroll).
 */
export function scoreSegment(figures: SegmentFigures): number | null {
  const { segment, run, trades, pnl } = figures;
  const analysis = scoreRun({
    runId: segment.runId,
    status: run.status,
    durationSeconds: Math.round(segmentMs(segment) / 1000),
    startingBankroll: run.startingBankroll,
    metrics: pnl.points > 0 ? { totalPnl: pnl.change } : {},
    trades,
    seriesMaxDrawdown: pnl.maxDrawdown,
    seriesPeakPnl: null,
    metricPoints: pnl.points,
    breakdowns: { asset: [], window: [], outcome: [], strategy: [], hour: [] },
  });
  return Object.values(analysis.scores).some((sub) => sub !== null) ? analysis.overallScore : null;
}

/**
 * Every segment's figures summed per version: time (unpaused and paused apart), runs, segments,
 * orders, fills, exact P&L sums, the largest drawdown, and the score averaged by unpaused time.
 * Versions newest first (the higher id), "no version" last.
 */
export function totalsByVersion(figures: readonly SegmentFigures[]): VersionTotals[] {
  const byVersion = new Map<
    string,
    VersionTotals & { scoreWeight: number; scoreSum: number; runSet: Set<number> }
  >();
  for (const item of figures) {
    const key = String(item.segment.configId);
    let total = byVersion.get(key);
    if (!total) {
      total = {
        configId: item.segment.configId,
        activeMs: 0,
        pausedMs: 0,
        runIds: [],
        runSet: new Set(),
        segments: 0,
        orders: 0,
        fills: 0,
        failedOrders: 0,
        fillRate: null,
        realisedPnl: '0',
        pnlPerHour: null,
        reportedPnl: '0',
        maxDrawdown: null,
        score: null,
        scoreWeight: 0,
        scoreSum: 0,
      };
      byVersion.set(key, total);
    }
    const ms = segmentMs(item.segment);
    if (item.segment.paused) total.pausedMs += ms;
    else total.activeMs += ms;
    total.runSet.add(item.segment.runId);
    total.segments += 1;
    total.orders += item.trades.total;
    total.fills += item.trades.filled;
    total.failedOrders += item.trades.failed;
    total.realisedPnl = addDecimal(total.realisedPnl, item.trades.pnl);
    total.reportedPnl = addDecimal(total.reportedPnl, item.pnl.change);
    const drawdown = item.pnl.maxDrawdown;
    if (drawdown !== null && (total.maxDrawdown === null || compareDecimal(drawdown, total.maxDrawdown) > 0))
      total.maxDrawdown = drawdown;
    if (!item.segment.paused && ms > 0) {
      const score = scoreSegment(item);
      if (score !== null) {
        total.scoreSum += score * ms;
        total.scoreWeight += ms;
      }
    }
  }
  return [...byVersion.values()]
    .map(({ scoreWeight, scoreSum, runSet, ...total }) => ({
      ...total,
      runIds: [...runSet].sort((a, b) => b - a),
      fillRate: total.orders > 0 ? Math.round((total.fills / total.orders) * 10_000) / 10_000 : null,
      pnlPerHour:
        total.activeMs > 0
          ? divideDecimal(multiplyDecimal(total.realisedPnl, HOUR_MS), String(total.activeMs))
          : null,
      score: scoreWeight > 0 ? Math.round((scoreSum / scoreWeight) * 10) / 10 : null,
    }))
    .sort((a, b) => (b.configId ?? -1) - (a.configId ?? -1));
}
