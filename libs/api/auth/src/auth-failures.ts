import { isIPv4, isIPv6 } from 'node:net';
import { LruCache } from './bounded-cache';

/** Client addresses tracked at once; the least recently failing one is forgotten first. */
const TRACKED_ADDRESSES = 100_000;

/**
 * Failed authentications per client address: a token bucket of `perMinute` failures a minute (a burst of as
 * many). An address out of budget is refused before its key is looked up, so guessing keys costs the server
 * nothing past the budget. Only failures take from the bucket.
 */
export class AuthFailureLimiter {
  private readonly buckets = new LruCache<string, { tokens: number; at: number }>(TRACKED_ADDRESSES);
  private readonly perMs: number;

  constructor(private readonly perMinute: number) {
    this.perMs = perMinute / 60_000;
  }

  /** 0 when the address may try a key, else the seconds until it may. */
  retryAfter(address: string, now = Date.now()): number {
    const bucket = this.refill(address, now);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  /** Records one failed authentication from the address. */
  fail(address: string, now = Date.now()): void {
    const bucket = this.refill(address, now) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.set(address, bucket);
  }

  private refill(address: string, now: number): { tokens: number; at: number } | undefined {
    const bucket = this.buckets.peek(address);
    if (!bucket) return undefined;
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket;
  }
}

/**
 * The address failures are counted against: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, since one
 * host usually holds a whole /64.
 */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
