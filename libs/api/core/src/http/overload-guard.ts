import { ServiceUnavailableException } from '@nestjs/common';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { OverloadSettings } from '../settings/settings';

/** What the guard reads besides its own count: requests waiting for a pooled database connection. */
export interface OverloadSignals {
  poolWaiting(): number;
}

/** How often the event-loop delay is sampled into the shedding decision. */
const LAG_WINDOW_MS = 500;

/**
 * Sheds bot writes past capacity: a write that arrives while OVERLOAD_MAX_IN_FLIGHT writes are being
 * handled, while the event loop lags more than OVERLOAD_MAX_LAG_MS (90th percentile of the last half second), or while more than
 * OVERLOAD_MAX_POOL_WAITING requests wait for a database connection is answered 503 with Retry-After
 * before its body is read: nothing of it is stored, and the client retries it later. Reads (the bots'
 * GET /config poll) are never shed. The bounds hold memory and latency flat; when the load falls the
 * next request is served again, nothing to reset.
 */
export class OverloadGuard {
  private inFlight = 0;
  private lagging = false;
  private shedCount = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: OverloadSettings,
    private readonly signals: OverloadSignals,
  ) {}

  /**
   * Starts watching the event loop (once the server listens: start-up's long synchronous work is not
   * load). The decision uses the window's 90th percentile, so one long pause (a GC) does not shed.
   */
  start(): void {
    if (this.settings.maxEventLoopLagMs === 0 || this.timer) return;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    this.timer = setInterval(() => {
      this.lagging = delay.count > 0 && delay.percentile(90) / 1e6 > this.settings.maxEventLoopLagMs;
      delay.reset();
    }, LAG_WINDOW_MS);
    this.timer.unref();
  }

  /** Requests shed so far (for the log and the bench). */
  get shed(): number {
    return this.shedCount;
  }

  /**
   * Admits a write (returns its release, to call once when its response is done or the client is gone)
   * or says why it is shed.
   */
  admit(): { release: () => void } | { shed: string } {
    const { maxInFlightWrites, maxPoolWaiting, maxEventLoopLagMs } = this.settings;
    const reason =
      maxInFlightWrites > 0 && this.inFlight >= maxInFlightWrites
        ? `${this.inFlight} writes in flight (OVERLOAD_MAX_IN_FLIGHT ${maxInFlightWrites})`
        : this.lagging
          ? `event loop delay over ${maxEventLoopLagMs} ms (OVERLOAD_MAX_LAG_MS)`
          : maxPoolWaiting > 0 && this.signals.poolWaiting() > maxPoolWaiting
            ? `${this.signals.poolWaiting()} requests waiting for a database connection (OVERLOAD_MAX_POOL_WAITING ${maxPoolWaiting})`
            : null;
    if (reason) {
      this.shedCount += 1;
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
