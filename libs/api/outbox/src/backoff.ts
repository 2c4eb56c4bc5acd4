/**
 * The wait before retry number `attempt` (1 = the wait after the first failure): exponential
 * from `baseMs`, capped at `capMs`, spread by ±20% so that instances retrying after a shared
 * outage do not all knock at the same moment. `random` is injectable for tests.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  capMs = 3_600_000,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const raw = Math.min(capMs, baseMs * 2 ** exponent);
  const spread = 0.8 + 0.4 * Math.min(1, Math.max(0, random()));
  return Math.round(Math.min(capMs, raw * spread));
}
