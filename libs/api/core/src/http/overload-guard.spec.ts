import { OverloadGuard } from './overload-guard';

const settings = { maxInFlightWrites: 2, maxEventLoopLagMs: 0, maxPoolWaiting: 3, retryAfterSeconds: 1 };

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
  });

  it('sheds while too many requests wait for a database connection', () => {
    let waiting = 4;
    const guard = new OverloadGuard(settings, { poolWaiting: () => waiting });
    expect(guard.admit()).toEqual({ shed: expect.stringContaining('OVERLOAD_MAX_POOL_WAITING') });
    waiting = 3;
    expect('release' in guard.admit()).toBe(true);
  });

  it('answers with the JSON 503 message naming Retry-After', () => {
    const guard = new OverloadGuard(settings, { poolWaiting: () => 0 });
    expect(guard.exception().getStatus()).toBe(503);
    expect(guard.exception().message).toMatch(/nothing was stored.*Retry in 1 s/);
  });
});
