import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const middle = () => 0.5;

  it('doubles the wait after each failure', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, 3_600_000, middle))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it('never waits longer than the cap', () => {
    expect(retryDelayMs(40, 1000, 60_000, () => 1)).toBe(60_000);
  });

  it('spreads the wait by at most 20% either way', () => {
    expect(retryDelayMs(3, 1000, 3_600_000, () => 0)).toBe(3200);
    expect(retryDelayMs(3, 1000, 3_600_000, () => 1)).toBe(4800);
  });
});
