/**
 * Audit before/after never hold a secret. Callers pass masked views already; this is the second
 * line: fields whose name says secret are replaced, a password in a URL is masked, and an
 * API-key-looking value is dropped, at any depth.
 */
const SECRET_FIELD = /(secret|password|passwd|token|hash|authorization|api[-_]?key$|smtpurl$)/i;
const KEY_VALUE = /^pmk_[a-z]+_[A-Za-z0-9]{16,}$/;
export const REDACTED = '[redacted]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      out[key] =
        SECRET_FIELD.test(key) && field !== null && typeof field !== 'boolean'
          ? maskedField(field)
          : redact(field, depth + 1);
    }
    return { ...out };
  }
  return value;
}

function maskedField(value: unknown): unknown {
  // A URL-valued secret field (smtpUrl) keeps its scheme and host so the entry still says what changed.
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return maskUrl(value, true);
  return REDACTED;
}

function redactString(text: string): string {
  if (KEY_VALUE.test(text)) return REDACTED;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i.test(text)) return maskUrl(text, false);
  return text;
}

/** scheme://user:***@host/… : the password and (for secret fields) the path and query go. */
function maskUrl(text: string, dropPath: boolean): string {
  try {
    const url = new URL(text);
    const auth = url.username ? `${decodeURIComponent(url.username)}${url.password ? ':***' : ''}@` : '';
    const rest = dropPath
      ? url.pathname.length > 1 || url.search
        ? '/…'
        : ''
      : `${url.pathname}${url.search ? '?…' : ''}`;
    return `${url.protocol}//${auth}${url.host}${rest}`;
  } catch {
    return REDACTED;
  }
}
