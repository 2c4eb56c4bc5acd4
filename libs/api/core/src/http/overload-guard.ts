import { ServiceUnavailableException } from '@nestjs/common';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { OverloadSettings } from '../settings/settings';

/** What the guard reads besides its own count: requests waiting for a pooled database connection. */
export interface OverloadSignals {
  poolWaiting(): number;
}

/** How often the event-loop delay is sampled into the shedding decisions. */
const LAG_WINDOW_MS = 250;
/**
 * The adaptive in-flight bound never goes below this: when the 503s alone keep the loop busy, fewer
 * admitted writes would not shorten its turns, only serve less.
 */
export const MIN_ADAPTIVE_LIMIT = 16;

/** One window of event-loop delay, in ms. */
export interface LagWindow {
  /** Median: a standing queue (every turn long), not a burst. Drives the adaptive bound. */
  p50: number;
  /** 90th percentile: one long pause (a GC) does not reach it. Drives the hard OVERLOAD_MAX_LAG_MS stop. */
  p90: number;
}

/**
 * The next in-flight bound from the last window's median event-loop delay: while it is over the
 * target, cut in proportion (target / delay, between a tenth and a half off); while it is under half
 * the target, grown back by an eighth (at least one); kept in between. The bound moves between
 * MIN_ADAPTIVE_LIMIT and the configured ceiling.
 */
export function nextInFlightLimit(
  limit: number,
  lagMs: number,
  targetLagMs: number,
  ceiling: number,
): number {
  const floor = Math.min(MIN_ADAPTIVE_LIMIT, ceiling);
  if (lagMs > targetLagMs)
    return Math.max(floor, Math.floor(limit * Math.min(0.9, Math.max(0.5, targetLagMs / lagMs))));
  if (lagMs < targetLagMs / 2) return Math.min(ceiling, limit + Math.max(1, Math.ceil(limit / 8)));
  return limit;
}

/** Why a write was shed: the in-flight bound, the event loop's delay, or the database pool's queue. */
export type ShedReason = 'in_flight' | 'event_loop_lag' | 'pool_waiting';
export const SHED_REASONS: readonly ShedReason[] = ['in_flight', 'event_loop_lag', 'pool_waiting'];

/**
 * Sheds bot writes past capacity. A write is answered 503 with Retry-After before its body is read
 * (nothing of it is stored, the client retries it later) when one of these holds:
 * - the writes being handled reach the in-flight bound. The bound adapts (OVERLOAD_TARGET_LAG_MS):
 *   admitted work is what makes each turn of the event loop long, and a long turn delays every
 *   connection, the 503s included, and new connections most (libuv accepts one connection per turn).
 *   So while the loop's median delay is over the target (a standing queue, as CoDel reasons: every
 *   turn is long, not a burst) the bound shrinks, and it grows back to OVERLOAD_MAX_IN_FLIGHT once
 *   the delay is low. Measured at 3x capacity on 2 cores: a fixed bound of 128 served 950 writes/s
 *   at p99 548 ms with the 503s at p99 261 ms; a bound of 16 served 1,200 writes/s at p99 81 ms
 *   with the 503s at p99 91 ms;
 * - the event loop lags more than OVERLOAD_MAX_LAG_MS (90th percentile of the last quarter second);
 * - more than OVERLOAD_MAX_POOL_WAITING requests wait for a database connection.
 * Reads (the bots' GET /config poll) are never shed. When the load falls the next request is served
 * again, nothing to reset.
 */
export class OverloadGuard {
  private inFlight = 0;
  private lagging = false;
  private shedCount = 0;
  private readonly shedCounts: Record<ShedReason, number> = {
    in_flight: 0,
    event_loop_lag: 0,
    pool_waiting: 0,
  };
  private adaptiveLimit: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: OverloadSettings,
    private readonly signals: OverloadSignals,
  ) {
    this.adaptiveLimit = settings.maxInFlightWrites;
  }

  /** Starts watching the event loop (once the server listens: start-up's long synchronous work is not load). */
  start(): void {
    const { maxEventLoopLagMs, targetEventLoopLagMs, maxInFlightWrites } = this.settings;
    const adaptive = targetEventLoopLagMs > 0 && maxInFlightWrites > 0;
    if ((maxEventLoopLagMs === 0 && !adaptive) || this.timer) return;
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    this.timer = setInterval(() => {
      const sampled = delay.count > 0;
      this.observeLag({
        p50: sampled ? delay.percentile(50) / 1e6 : 0,
        p90: sampled ? delay.percentile(90) / 1e6 : 0,
      });
      delay.reset();
    }, LAG_WINDOW_MS);
    this.timer.unref();
  }

  /** One window's event-loop delay: the hard lag stop and the adaptive bound. */
  observeLag(lag: LagWindow): void {
    const { maxEventLoopLagMs, targetEventLoopLagMs, maxInFlightWrites } = this.settings;
    this.lagging = maxEventLoopLagMs > 0 && lag.p90 > maxEventLoopLagMs;
    if (targetEventLoopLagMs > 0 && maxInFlightWrites > 0) {
      this.adaptiveLimit = nextInFlightLimit(
        this.adaptiveLimit,
        lag.p50,
        targetEventLoopLagMs,
        maxInFlightWrites,
      );
    }
  }

  /** The in-flight bound now (OVERLOAD_MAX_IN_FLIGHT, or less while the event loop lags; 0: none). */
  get limit(): number {
    return this.adaptiveLimit;
  }

  /** Requests shed so far (for the log and the bench). */
  get shed(): number {
    return this.shedCount;
  }

  /** Requests shed so far by reason (GET /metrics: polymaker_requests_shed_total). */
  shedByReason(): Readonly<Record<ShedReason, number>> {
    return this.shedCounts;
  }

  /**
   * Admits a write (returns its release, to call once when its response is done or the client is gone)
   * or says why it is shed.
   */
  admit(): { release: () => void } | { shed: string } {
    const { maxInFlightWrites, maxPoolWaiting, maxEventLoopLagMs } = this.settings;
    const limit = this.adaptiveLimit;
    const kind: ShedReason | null =
      limit > 0 && this.inFlight >= limit
        ? 'in_flight'
        : this.lagging
          ? 'event_loop_lag'
          : maxPoolWaiting > 0 && this.signals.poolWaiting() > maxPoolWaiting
            ? 'pool_waiting'
            : null;
    if (kind) {
      this.shedCount += 1;
      this.shedCounts[kind] += 1;
      const reason =
        kind === 'in_flight'
          ? `${this.inFlight} writes in flight (bound ${limit}${limit < maxInFlightWrites ? ` while the event loop lags, OVERLOAD_TARGET_LAG_MS` : ''}; OVERLOAD_MAX_IN_FLIGHT ${maxInFlightWrites})`
          : kind === 'event_loop_lag'
            ? `event loop delay over ${maxEventLoopLagMs} ms (OVERLOAD_MAX_LAG_MS)`
            : `${this.signals.poolWaiting()} requests waiting for a database connection (OVERLOAD_MAX_POOL_WAITING ${maxPoolWaiting})`;
      return { shed: reason };
    }
    this.inFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
      },
    };
  }

  /** The 503 of a shed write (the JSON error shape; the caller adds Retry-After). */
  exception(): ServiceUnavailableException {
    return new ServiceUnavailableException(
      `The Command Center is at capacity, so this write was not accepted (nothing was stored). ` +
        `Retry in ${this.settings.retryAfterSeconds} s (Retry-After) with the same Idempotency-Key.`,
    );
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
