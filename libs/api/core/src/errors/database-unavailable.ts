/**
 * Connection-class database failures: the database is down, restarting or unreachable, as opposed to a
 * bad statement or bad data. Requests that meet one are answered 503 with Retry-After, not 500.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08 is connection exceptions. */
const SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Timeout acquiring a connection/i, // the pool's acquire timeout (knex)
  /Client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  // knex, when the connection of an open transaction dies under it (the server was killed mid-request):
  // the transaction was rolled back with the connection, so the request can be retried as a whole.
  /Transaction query already complete/i,
];

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== 'object' || error === null) return false;
  const candidate = error as ErrorLike;
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (candidate.name === 'ConnectionException' || candidate.name === 'KnexTimeoutError') return true;
  const message = typeof candidate.message === 'string' ? candidate.message : '';
  if (MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (
    Array.isArray(candidate.errors) &&
    candidate.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))
  )
    return true;
  return isDatabaseUnavailable(candidate.cause, depth + 1);
}
