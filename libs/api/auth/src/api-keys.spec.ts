import { generateKeyValue, hashKey } from './api-keys.service';
import { RateLimiter } from './rate-limiter';

describe('API key values', () => {
  it('are long random secrets with a recognisable scope prefix', () => {
    const a = generateKeyValue('bot');
    const b = generateKeyValue('bot');
    expect(a).toMatch(/^pmk_bot_[A-Za-z0-9]{32}$/);
    expect(a).not.toBe(b);
  });

  it('are stored as a SHA-256 hash that does not contain the key', () => {
    const key = generateKeyValue('admin');
    const hash = hashKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(key.slice(9));
    expect(hashKey(key)).toBe(hash);
  });
});

describe('RateLimiter', () => {
  it('allows a burst up to the limit, then asks to wait, then refills over time', () => {
    const limiter = new RateLimiter(3);
    const t0 = 1_000_000;
    expect([limiter.take(1, t0), limiter.take(1, t0), limiter.take(1, t0)]).toEqual([0, 0, 0]);
    expect(limiter.take(1, t0)).toBeGreaterThan(0);
    expect(limiter.take(2, t0)).toBe(0);
    expect(limiter.take(1, t0 + 20_000)).toBe(0);
  });
});
