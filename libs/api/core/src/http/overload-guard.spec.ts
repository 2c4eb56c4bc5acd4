import { MIN_ADAPTIVE_LIMIT, nextInFlightLimit, OverloadGuard } from './overload-guard';

const settings = {
  maxInFlightWrites: 2,
  maxEventLoopLagMs: 0,
  targetEventLoopLagMs: 0,
  maxPoolWaiting: 3,
  retryAfterSeconds: 1,
};

describe('OverloadGuard', () => {
  it('admits up to the in-flight bound, sheds past it, and admits again once one is released (twice is once)', () => {
    const guard = new OverloadGuard(settings, { poolWaiting: () => 0 });
    const first = guard.admit();
    const second = guard.admit();
    expect('release' in first && 'release' in second).toBe(true);
    const third = guard.admit();
    expect(third).toEqual({ shed: expect.stringContaining('OVERLOAD_MAX_IN_FLIGHT 2') });
    if ('release' in first) {
      first.release();
      first.release();
    }
    expect('release' in guard.admit()).toBe(true);
    expect('release' in guard.admit()).toBe(false);
    expect(guard.shed).toBe(2);
    expect(guard.shedByReason()).toEqual({ in_flight: 2, event_loop_lag: 0, pool_waiting: 0 });
  });

  it('sheds while too many requests wait for a database connection', () => {
    let waiting = 4;
    const guard = new OverloadGuard(settings, { poolWaiting: () => waiting });
    expect(guard.admit()).toEqual({ shed: expect.stringContaining('OVERLOAD_MAX_POOL_WAITING') });
    waiting = 3;
    expect('release' in guard.admit()).toBe(true);
    expect(guard.shedByReason()).toEqual({ in_flight: 0, event_loop_lag: 0, pool_waiting: 1 });
  });

  it('answers with the JSON 503 message naming Retry-After', () => {
    const guard = new OverloadGuard(settings, { poolWaiting: () => 0 });
    expect(guard.exception().getStatus()).toBe(503);
    expect(guard.exception().message).toMatch(/nothing was stored.*Retry in 1 s/);
  });

  it('sheds every write while the event loop lags past OVERLOAD_MAX_LAG_MS, and admits again once it does not', () => {
    const guard = new OverloadGuard(
      { ...settings, maxInFlightWrites: 0, maxEventLoopLagMs: 200 },
      { poolWaiting: () => 0 },
    );
    guard.observeLag({ p50: 5, p90: 250 });
    expect(guard.admit()).toEqual({ shed: expect.stringContaining('OVERLOAD_MAX_LAG_MS') });
    guard.observeLag({ p50: 5, p90: 20 });
    expect('release' in guard.admit()).toBe(true);
    expect(guard.shedByReason()).toEqual({ in_flight: 0, event_loop_lag: 1, pool_waiting: 0 });
  });

  it('narrows the in-flight bound while the median event-loop delay is past the target, and widens it back to the ceiling', () => {
    const guard = new OverloadGuard(
      { ...settings, maxInFlightWrites: 128, targetEventLoopLagMs: 20 },
      { poolWaiting: () => 0 },
    );
    expect(guard.limit).toBe(128);
    guard.observeLag({ p50: 15, p90: 400 }); // a burst (a GC, a big batch): the median is what counts
    expect(guard.limit).toBe(128);
    guard.observeLag({ p50: 25, p90: 40 });
    expect(guard.limit).toBe(102); // 20 / 25: a fifth off
    guard.observeLag({ p50: 300, p90: 300 });
    expect(guard.limit).toBe(51); // far over: half off at most
    for (let i = 0; i < 30; i++) guard.observeLag({ p50: 80, p90: 90 });
    expect(guard.limit).toBe(MIN_ADAPTIVE_LIMIT);
    // At the narrowed bound one more concurrent write is shed, and the answer says why.
    const admitted = Array.from({ length: MIN_ADAPTIVE_LIMIT }, () => guard.admit());
    expect(admitted.every((a) => 'release' in a)).toBe(true);
    expect(guard.admit()).toEqual({
      shed: expect.stringMatching(
        new RegExp(`bound ${MIN_ADAPTIVE_LIMIT} while the event loop lags.*OVERLOAD_MAX_IN_FLIGHT 128`),
      ),
    });
    let windows = 0;
    while (guard.limit < 128) {
      guard.observeLag({ p50: 2, p90: 6 });
      windows++;
    }
    expect(guard.limit).toBe(128);
    expect(windows).toBeLessThan(40); // grows by an eighth a window: back within seconds, not minutes
  });

  it('computes the next bound within its floor and ceiling', () => {
    expect(nextInFlightLimit(MIN_ADAPTIVE_LIMIT + 1, 100, 30, 128)).toBe(MIN_ADAPTIVE_LIMIT);
    expect(nextInFlightLimit(127, 1, 30, 128)).toBe(128);
    expect(nextInFlightLimit(2, 100, 30, 2)).toBe(2); // a ceiling under the floor is kept
    expect(nextInFlightLimit(16, 10, 30, 128)).toBe(18);
    expect(nextInFlightLimit(100, 31, 30, 128)).toBe(90); // just over: a tenth off
    expect(nextInFlightLimit(100, 20, 30, 128)).toBe(100); // between half the target and the target: held
  });
});
