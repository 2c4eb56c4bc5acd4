/** One line of an audit entry's compact diff: a (dotted) key and its value before and after (undefined: absent). */
export interface AuditChange {
  path: string;
  before: unknown;
  after: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What changed from `before` to `after`, key by key, nested objects opened up to `depth` levels
 * ("values.mmSpreadMin"); keys that hold the same value on both sides are left out. A creation
 * (before null) lists the new values, a removal the old ones.
 */
export function compactChanges(before: unknown, after: unknown, depth = 2, prefix = ''): AuditChange[] {
  if (
    depth > 0 &&
    (isPlainObject(before) || before == null) &&
    (isPlainObject(after) || after == null) &&
    (before != null || after != null)
  ) {
    const b = isPlainObject(before) ? before : {};
    const a = isPlainObject(after) ? after : {};
    const out: AuditChange[] = [];
    for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
      // null and absent read the same: "not set".
      const from = b[key] ?? null;
      const to = a[key] ?? null;
      if (same(from, to)) continue;
      out.push(...compactChanges(from, to, depth - 1, prefix ? `${prefix}.${key}` : key));
    }
    return out;
  }
  if (same(before ?? null, after ?? null)) return [];
  return [{ path: prefix || '(value)', before: before ?? undefined, after: after ?? undefined }];
}

/** A value for the diff column: absent as "—", strings as they are, the rest as compact JSON. */
export function showAuditValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** "config.rolled-back" → "config rolled back" */
export function actionLabel(action: string): string {
  return action.replace(/[.-]/g, ' ');
}
