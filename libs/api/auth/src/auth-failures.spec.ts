import { AuthFailureLimiter, clientAddressKey } from './auth-failures';
import { LruCache } from './bounded-cache';

describe('AuthFailureLimiter', () => {
  it('lets an address fail perMinute times, then refuses it until the budget refills', () => {
    const limiter = new AuthFailureLimiter(3);
    const now = 1_000_000;
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.retryAfter('10.0.0.1', now)).toBe(0);
      limiter.fail('10.0.0.1', now);
    }
    expect(limiter.retryAfter('10.0.0.1', now)).toBe(20); // one failure refills in 60/3 s
    expect(limiter.retryAfter('10.0.0.2', now)).toBe(0); // other addresses are not affected
    expect(limiter.retryAfter('10.0.0.1', now + 20_000)).toBe(0);
  });
});

describe('clientAddressKey', () => {
  it('keeps IPv4 (also IPv4-mapped) and groups IPv6 by /64', () => {
    expect(clientAddressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry past its capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.peek('a')).toBe(1);
    expect(cache.peek('c')).toBe(3);
    expect(cache.size).toBe(2);
  });
});
