import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether an `Authorization` header carries the metrics key as `Bearer <key>`, compared in constant
 * time (both sides hashed first, so neither the key's length nor its prefix shows in the timing).
 */
export function presentsMetricsKey(header: string | string[] | undefined, key: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value ?? '');
  const presented = match?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(key)) && presented.length > 0;
}
