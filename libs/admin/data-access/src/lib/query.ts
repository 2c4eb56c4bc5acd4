import { AuditFilter, RunFilter, TradeFilter } from './models';

type QueryValue = string | number | boolean;

/** Drops empty values ('' / null / undefined / NaN) so they are not sent as filters. */
export function compactQuery<T extends object>(
  filter: T,
): { [K in keyof T]?: Exclude<T[K], '' | null | undefined> } {
  const out: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === '' || value === null || value === undefined) continue;
    if (typeof value === 'number' && Number.isNaN(value)) continue;
    out[key] = typeof value === 'string' ? value.trim() : (value as QueryValue);
    if (out[key] === '') delete out[key];
  }
  return out as { [K in keyof T]?: Exclude<T[K], '' | null | undefined> };
}

export function toQueryString(filter: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(compactQuery(filter))) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function tradeQuery(filter: TradeFilter, cursor?: string | null) {
  return compactQuery({ ...filter, cursor: cursor ?? undefined });
}

export function runQuery(filter: RunFilter) {
  return compactQuery(filter);
}

export function auditQuery(filter: AuditFilter, cursor?: string | null) {
  return compactQuery({ ...filter, cursor: cursor ?? undefined });
}
