/**
 * Cutting a run into the stretches of time it spent under each config version.
 *
 * A bot fetches its config at every poll; the fleet module folds those polls into spans (one row per
 * unbroken stretch of one version and pause state). A run names the version it started with. The
 * version a run is under at any instant is:
 * - from its start, the version it started with (its `configId`), until the first span of its bot
 *   that begins after the start; the pause state is that of the span in force at the start (the
 *   latest one begun at or before it), not paused when there is none;
 * - from then on, the version and pause state of the latest span begun: a gap between spans (the bot
 *   did not poll for a while) keeps the previous version, since the bot keeps what it was served;
 * - a run that named no version takes the version of the span in force at its start (none without one);
 * - a run without a bot, or whose bot has no span, is under its own version for the whole run.
 *
 * Pause is an attribute of a segment, not a version: a version's hours are its unpaused time and its
 * paused time is counted apart (a paused bot places no orders, so "P&L per hour" is per trading hour).
 */

/** One span of a bot's config polls: from `startedAt` the bot was served this version in this pause state. */
export interface ServedSpan {
  configId: number;
  paused: boolean;
  startedAt: Date;
}

/** A run as it is cut: the version it named at its start and the time it ran. */
export interface RunToCut {
  runId: number;
  botId: number | null;
  configId: number | null;
  startedAt: Date;
  /** Its stop, or (running or closed as stale) its last report. */
  endedAt: Date;
}

/** A stretch of one run under one version and pause state. */
export interface VersionSegment {
  runId: number;
  botId: number | null;
  /** null: the run named no version and its bot was served none before it. */
  configId: number | null;
  paused: boolean;
  from: Date;
  to: Date;
  /**
   * The segment begins at the run's own start (not at a version change nor at the window's edge):
   * whatever the run logged before the segment is the segment's (nothing: the run did not exist).
   */
  opensRun: boolean;
  /**
   * The segment ends at the run's own end (not at a version change nor at the window's edge): what
   * the run logged after its end (a trade logged after its last report) is the segment's.
   */
  closesRun: boolean;
}

/**
 * The segments of a run by version and pause state, within the window [from, to] when one is given,
 * in time order. `spans` are its bot's spans sorted by `startedAt` (any superset of those begun up to
 * the run's end, which must include the latest one begun at or before max(run start, window start)).
 * Adjacent stretches of the same version and pause state are one segment; a stretch of no length is
 * dropped, except for a run of no length inside the window (it gets one empty segment, so that what
 * it logged is counted).
 */
export function cutRun(
  run: RunToCut,
  spans: readonly ServedSpan[],
  window?: { from: Date; to: Date },
): VersionSegment[] {
  const start = run.startedAt.getTime();
  const end = Math.max(start, run.endedAt.getTime());
  const windowFrom = window ? window.from.getTime() : -Infinity;
  const windowTo = window ? window.to.getTime() : Infinity;
  const from = Math.max(start, windowFrom);
  const to = Math.min(end, windowTo);
  if (to < from) return [];
  if (to === from && !(start === end && start >= windowFrom && start < windowTo)) return [];

  const inForce = latestAtOrBefore(spans, start);
  let configId = run.configId ?? inForce?.configId ?? null;
  let paused = inForce?.paused ?? false;
  const stretches: { configId: number | null; paused: boolean; from: number; to: number }[] = [];
  let cursor = start;
  for (const span of spans) {
    const at = span.startedAt.getTime();
    if (at <= start) continue;
    if (at >= end) break;
    stretches.push({ configId, paused, from: cursor, to: at });
    configId = span.configId;
    paused = span.paused;
    cursor = at;
  }
  stretches.push({ configId, paused, from: cursor, to: end });

  const segments: VersionSegment[] = [];
  for (const stretch of stretches) {
    const a = Math.max(stretch.from, from);
    const b = Math.min(stretch.to, to);
    if (b < a || (b === a && start !== end)) continue;
    const last = segments[segments.length - 1];
    if (
      last &&
      last.configId === stretch.configId &&
      last.paused === stretch.paused &&
      last.to.getTime() === a
    ) {
      last.to = new Date(b);
      last.closesRun = b === end;
      continue;
    }
    segments.push({
      runId: run.runId,
      botId: run.botId,
      configId: stretch.configId,
      paused: stretch.paused,
      from: new Date(a),
      to: new Date(b),
      opensRun: a === start,
      closesRun: b === end,
    });
  }
  return segments;
}

/** The latest span begun at or before the instant (spans sorted by start), or null. */
function latestAtOrBefore(spans: readonly ServedSpan[], at: number): ServedSpan | null {
  let found: ServedSpan | null = null;
  for (const span of spans) {
    if (span.startedAt.getTime() > at) break;
    found = span;
  }
  return found;
}

/** The length of a segment in milliseconds. */
export function segmentMs(segment: Pick<VersionSegment, 'from' | 'to'>): number {
  return segment.to.getTime() - segment.from.getTime();
}
