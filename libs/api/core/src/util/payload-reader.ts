import { BadInputError, FieldProblem } from '../errors/api-errors';
import { compareDecimal, echo, parseDecimal } from './decimal';
import { textProblem } from './text';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface DecimalRule {
  min?: string;
  max?: string;
  /** true: the bound itself is not allowed (e.g. size must be > 0). */
  exclusiveMin?: boolean;
  /** Most significant digits (default 40: any float a bot's repr() writes fits). */
  maxSignificantDigits?: number;
  /** Most digits after the decimal point (default 40); more is refused, never rounded. */
  maxScale?: number;
}

/** Limits every decimal a bot sends is read with (numbers are at most this long as text, etc.). */
export const BOT_DECIMAL_LIMITS = {
  maxLength: 100,
  maxExponent: 1000,
  maxSignificantDigits: 40,
  maxIntegerDigits: 40,
  maxScale: 40,
} as const;

/** Money a bot sends (P&L, bankroll, balances): at most a quadrillion either way. */
export const MAX_MONEY = '1000000000000000';
export const MIN_MONEY = '-1000000000000000';

/** Integers a bot sends: whole numbers JavaScript holds exactly (they go to bigint columns). */
export const MAX_BOT_INTEGER = Number.MAX_SAFE_INTEGER;

/** Default length limit of a text field (NUL and unpaired surrogates are never accepted). */
export const DEFAULT_TEXT_LIMIT = 500;

/** The earliest and latest time a bot may send: both PostgreSQL and JavaScript handle every time between. */
export const MIN_TIMESTAMP_MS = Date.UTC(1970, 0, 1);
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Reads fields out of a JSON object sent by a bot, collecting every problem with its field path so
 * the error names all of them at once. Strings that hold numbers are accepted where numbers are.
 */
export class PayloadReader {
  private readonly problems: FieldProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly body: JsonObject,
    private readonly path = '',
  ) {}

  static of(value: unknown, what: string, path = ''): PayloadReader {
    if (!isJsonObject(value)) {
      throw new BadInputError(`${what} must be a JSON object${path ? ` at ${path}` : ''}.`, [
        { field: path || 'body', message: 'must be a JSON object' },
      ]);
    }
    return new PayloadReader(value, path);
  }

  private name(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  private problem(field: string, message: string): void {
    this.problems.push({ field: this.name(field), message });
  }

  has(field: string): boolean {
    return this.body[field] !== undefined;
  }

  private raw(field: string): unknown {
    this.seen.add(field);
    return this.body[field];
  }

  integer(field: string, rule: { required: true; min?: number; max?: number }): number;
  integer(field: string, rule?: { required?: false; min?: number; max?: number }): number | null;
  integer(field: string, rule: { required?: boolean; min?: number; max?: number } = {}): number | null {
    const value = this.raw(field);
    if (value === undefined || value === null) {
      if (rule.required) this.problem(field, 'is required');
      return null;
    }
    const max = rule.max ?? MAX_BOT_INTEGER;
    const min = rule.min ?? -MAX_BOT_INTEGER;
    const parsed = parseDecimal(value, { maxLength: 30, maxExponent: 30, maxIntegerDigits: 30, maxScale: 0 });
    if (!parsed.ok) {
      const message =
        parsed.rule === 'scale' || parsed.rule === 'syntax' || parsed.rule === 'type'
          ? 'must be a whole number'
          : parsed.message;
      this.problem(field, `${message} (got ${echo(value)})`);
      return null;
    }
    const number = Number(parsed.value);
    if (Number.isSafeInteger(number) && number < min) {
      this.problem(field, `must be at least ${min} (got ${echo(value)})`);
      return null;
    }
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      this.problem(field, `is out of range: must be at least ${min} and at most ${max} (got ${echo(value)})`);
      return null;
    }
    return number;
  }

  decimal(field: string, rule: DecimalRule & { required: true }): string;
  decimal(field: string, rule?: DecimalRule & { required?: false }): string | null;
  decimal(field: string, rule: DecimalRule & { required?: boolean } = {}): string | null {
    const value = this.raw(field);
    if (value === undefined || value === null) {
      if (rule.required) this.problem(field, 'is required');
      return null;
    }
    const parsed = parseDecimal(value, {
      ...BOT_DECIMAL_LIMITS,
      maxSignificantDigits: rule.maxSignificantDigits ?? BOT_DECIMAL_LIMITS.maxSignificantDigits,
      maxScale: rule.maxScale ?? BOT_DECIMAL_LIMITS.maxScale,
    });
    if (!parsed.ok) {
      const range =
        parsed.rule === 'range' && (rule.min !== undefined || rule.max !== undefined)
          ? `must be ${rule.min !== undefined ? `${rule.exclusiveMin ? 'greater than' : 'at least'} ${rule.min}` : ''}${rule.min !== undefined && rule.max !== undefined ? ' and ' : ''}${rule.max !== undefined ? `at most ${rule.max}` : ''}`
          : parsed.message;
      this.problem(field, `${range} (got ${echo(value)})`);
      return null;
    }
    const text = parsed.value;
    if (rule.min !== undefined) {
      const cmp = compareDecimal(text, rule.min);
      if (cmp < 0 || (cmp === 0 && rule.exclusiveMin)) {
        const bound = rule.exclusiveMin ? `greater than ${rule.min}` : `at least ${rule.min}`;
        const range = rule.max !== undefined ? ` and at most ${rule.max}` : '';
        this.problem(field, `must be ${bound}${range} (got ${text})`);
        return null;
      }
    }
    if (rule.max !== undefined && compareDecimal(text, rule.max) > 0) {
      const lower =
        rule.min !== undefined ? `${rule.exclusiveMin ? 'greater than' : 'at least'} ${rule.min} and ` : '';
      this.problem(field, `must be ${lower}at most ${rule.max} (got ${text})`);
      return null;
    }
    return text;
  }

  string(field: string, rule: { required: true; maxLength?: number }): string;
  string(field: string, rule?: { required?: false; maxLength?: number }): string | null;
  string(field: string, rule: { required?: boolean; maxLength?: number } = {}): string | null {
    const value = this.raw(field);
    if (value === undefined || value === null || value === '') {
      if (rule.required) this.problem(field, value === '' ? 'must not be empty' : 'is required');
      return null;
    }
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string') {
      this.problem(field, `must be a string (got ${echo(value)})`);
      return null;
    }
    const max = rule.maxLength ?? DEFAULT_TEXT_LIMIT;
    if (text.length > max) {
      this.problem(field, `must be at most ${max} characters (got ${text.length})`);
      return null;
    }
    const problem = textProblem(text);
    if (problem) {
      this.problem(field, `${problem} (got ${echo(text)})`);
      return null;
    }
    return text;
  }

  oneOf<T extends string>(
    field: string,
    allowed: readonly T[],
    rule: { required: true; aliases?: Record<string, T> },
  ): T;
  oneOf<T extends string>(
    field: string,
    allowed: readonly T[],
    rule?: { required?: false; aliases?: Record<string, T> },
  ): T | null;
  oneOf<T extends string>(
    field: string,
    allowed: readonly T[],
    rule: { required?: boolean; aliases?: Record<string, T> } = {},
  ): T | null {
    const value = rule.required
      ? this.string(field, { required: true, maxLength: 50 })
      : this.string(field, { maxLength: 50 });
    if (value === null) return null;
    const lower = value.toLowerCase();
    const match = allowed.find((option) => option === lower) ?? rule.aliases?.[lower];
    if (!match) {
      this.problem(field, `must be one of ${allowed.join(', ')} (got ${echo(value)})`);
      return null;
    }
    return match;
  }

  timestamp(field: string): Date | null {
    const value = this.raw(field);
    if (value === undefined || value === null || value === '') return null;
    const date = parseTimestamp(value);
    if (date === null) {
      this.problem(
        field,
        `must be an ISO 8601 time (YYYY-MM-DD, optionally THH:MM[:SS[.ffffff]] and Z or ±HH:MM) or a unix timestamp in seconds, between 1970 and 9999 (got ${echo(value)})`,
      );
    }
    return date;
  }

  /**
   * A time kept as precise as it was sent: ISO text goes to PostgreSQL as is (microseconds
   * survive; the strict format is one PostgreSQL reads the same way); a unix timestamp becomes ISO text.
   */
  timestampText(field: string): string | null {
    const raw = this.body[field];
    const date = this.timestamp(field);
    if (date === null) return null;
    return typeof raw === 'string' && ISO_TIMESTAMP.test(raw.trim())
      ? isoForPostgres(raw.trim())
      : date.toISOString();
  }

  object(field: string): JsonObject | null {
    const value = this.raw(field);
    if (value === undefined || value === null) return null;
    if (!isJsonObject(value)) {
      this.problem(field, 'must be a JSON object');
      return null;
    }
    return value;
  }

  /** Fields that were not read: kept by the caller as the bot sent them. */
  rest(): JsonObject {
    const extra: JsonObject = {};
    for (const [key, value] of Object.entries(this.body)) {
      if (!this.seen.has(key)) extra[key] = value;
    }
    return extra;
  }

  get valid(): boolean {
    return this.problems.length === 0;
  }

  get issues(): FieldProblem[] {
    return [...this.problems];
  }

  assertValid(what: string): void {
    if (this.problems.length === 0) return;
    const summary = this.problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new BadInputError(`Invalid ${what}: ${summary}.`, this.problems);
  }
}

/**
 * Strict ISO 8601: a date, optionally a time (T or a space) with an optional fraction of up to 6 digits
 * (PostgreSQL keeps microseconds; more would be rounded) and an optional offset (Z, ±HH:MM, ±HHMM, ±HH).
 * Without an offset the time is UTC, as in the API's PostgreSQL sessions.
 */
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const UNIX_TIMESTAMP = /^\d{1,16}(\.\d{1,9})?$/;

/** ISO 8601 text, or a unix timestamp in seconds (number or numeric string; milliseconds are recognised). */
export function parseTimestamp(value: unknown): Date | null {
  if (
    typeof value === 'number' ||
    (typeof value === 'string' && value.length <= 40 && UNIX_TIMESTAMP.test(value.trim()))
  ) {
    let seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds < 0) return null;
    if (seconds > 1e11) seconds = seconds / 1000; // sent in milliseconds
    return inRange(seconds * 1000);
  }
  if (typeof value !== 'string' || value.length > 60) return null;
  const match = ISO_TIMESTAMP.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset = ''] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (offset && offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 15 || om > 59) return null;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms) - offsetMinutes * 60_000;
  return inRange(utc);
}

function inRange(ms: number): Date | null {
  if (!Number.isFinite(ms) || ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) return null;
  return new Date(ms);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The ISO text as PostgreSQL is sent it: an offset-less time is pinned to UTC. */
function isoForPostgres(text: string): string {
  const match = ISO_TIMESTAMP.exec(text);
  if (match && match[4] !== undefined && match[8] === undefined) return `${text}Z`;
  return text;
}

/** PostgreSQL's text for a timestamptz in a UTC session ("2026-11-24 07:16:50.905897+00") as ISO 8601. */
export function pgTimestampToIso(text: string): string {
  const iso = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return iso.endsWith('+00:00') ? `${iso.slice(0, -6)}Z` : iso;
}
