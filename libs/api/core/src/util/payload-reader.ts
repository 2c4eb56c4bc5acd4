import { BadInputError, FieldProblem } from '../errors/api-errors';
import { compareDecimal, toDecimalString } from './decimal';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface DecimalRule {
  min?: string;
  max?: string;
  /** true: the bound itself is not allowed (e.g. size must be > 0). */
  exclusiveMin?: boolean;
}

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

  integer(field: string, rule: { required: true; min?: number }): number;
  integer(field: string, rule?: { required?: false; min?: number }): number | null;
  integer(field: string, rule: { required?: boolean; min?: number } = {}): number | null {
    const value = this.raw(field);
    if (value === undefined || value === null) {
      if (rule.required) this.problem(field, 'is required');
      return null;
    }
    const text = toDecimalString(value);
    const parsed = text === null ? NaN : Number(text);
    if (!Number.isSafeInteger(parsed)) {
      this.problem(field, `must be a whole number (got ${JSON.stringify(value)})`);
      return null;
    }
    if (rule.min !== undefined && parsed < rule.min) {
      this.problem(field, `must be at least ${rule.min} (got ${parsed})`);
      return null;
    }
    return parsed;
  }

  decimal(field: string, rule: DecimalRule & { required: true }): string;
  decimal(field: string, rule?: DecimalRule & { required?: false }): string | null;
  decimal(field: string, rule: DecimalRule & { required?: boolean } = {}): string | null {
    const value = this.raw(field);
    if (value === undefined || value === null) {
      if (rule.required) this.problem(field, 'is required');
      return null;
    }
    const text = toDecimalString(value);
    if (text === null) {
      this.problem(field, `must be a number or a numeric string (got ${JSON.stringify(value)})`);
      return null;
    }
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
      const lower = rule.min !== undefined ? `${rule.exclusiveMin ? 'greater than' : 'at least'} ${rule.min} and ` : '';
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
      this.problem(field, `must be a string (got ${JSON.stringify(value)})`);
      return null;
    }
    const max = rule.maxLength ?? 500;
    if (text.length > max) {
      this.problem(field, `must be at most ${max} characters (got ${text.length})`);
      return null;
    }
    return text;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], rule: { required: true; aliases?: Record<string, T> }): T;
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
      this.problem(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
      return null;
    }
    return match;
  }

  timestamp(field: string): Date | null {
    const value = this.raw(field);
    if (value === undefined || value === null || value === '') return null;
    const date = parseTimestamp(value);
    if (date === null) {
      this.problem(field, `must be an ISO 8601 time or a unix timestamp in seconds (got ${JSON.stringify(value)})`);
    }
    return date;
  }

  /**
   * A time kept as precise as it was sent: ISO text goes to PostgreSQL as is (microseconds
   * survive); a unix timestamp becomes ISO text.
   */
  timestampText(field: string): string | null {
    const raw = this.body[field];
    const date = this.timestamp(field);
    if (date === null) return null;
    return typeof raw === 'string' && !/^\d+(\.\d+)?$/.test(raw.trim()) ? raw.trim() : date.toISOString();
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

/** ISO 8601 text, or a unix timestamp in seconds (number or numeric string; milliseconds are recognised). */
export function parseTimestamp(value: unknown): Date | null {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()))) {
    let seconds = Number(value);
    if (!Number.isFinite(seconds)) return null;
    if (seconds > 1e11) seconds = seconds / 1000; // sent in milliseconds
    const date = new Date(seconds * 1000);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) return null;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

/** PostgreSQL's text for a timestamptz in a UTC session ("2026-11-24 07:16:50.905897+00") as ISO 8601. */
export function pgTimestampToIso(text: string): string {
  const iso = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return iso.endsWith('+00:00') ? `${iso.slice(0, -6)}Z` : iso;
}
