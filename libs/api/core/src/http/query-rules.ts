import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { textProblem } from '../util/text';

/**
 * Rules for what admins put in query strings and paths. Every value is hostile until checked: the
 * checks run in the ValidationPipe (or a param pipe), before any handler or database work, and each
 * refusal is a 400 whose message starts with the parameter's name and says the rule.
 */

/** Ids are PostgreSQL bigint identities, handled in JS as numbers: 1 to 2^53 - 1. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;
/** Offsets beyond this are refused: no list here is that long, and PostgreSQL's bigint is never reached. */
export const MAX_OFFSET = 10_000_000;
/** Text filters are short names (asset, window, outcome, strategy, topic). */
export const DEFAULT_QUERY_TEXT_LENGTH = 200;

const DIGITS = /^\d{1,16}$/;

/** A whole number written as plain digits (no sign, exponent, hex, spaces or fraction) within [min, max]. */
export function parseWholeNumber(value: unknown, min: number, max: number): number | null {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= min && value <= max ? value : null;
  if (typeof value !== 'string' || !DIGITS.test(value)) return null;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) && parsed >= min && parsed <= max ? parsed : null;
}

/** The rule a piece of text breaks, or null: at most `maxLength` characters, then the rules of stored text. */
export function boundedTextProblem(value: string, maxLength: number): string | null {
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  return textProblem(value);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
// Date.UTC maps years 0-99 to 19xx, so the first instant is built with setUTCFullYear.
const FIRST_INSTANT = new Date(0).setUTCFullYear(1, 0, 1); // 0001-01-01T00:00:00.000Z
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A strict ISO 8601 date (`2026-01-31`) or date-time (`2026-01-31T12:00`, `…:00.123Z`, `…+02:00`)
 * that names a real calendar day and lies in 0001-01-01 … 9999-12-31 (UTC), a range JavaScript and
 * PostgreSQL both handle. Without an offset it is UTC. Returns the instant, or null.
 */
export function parseStrictIsoInstant(value: unknown): Date | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const match = ISO.exec(value);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (offset && offset !== 'Z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 15 || om > 59) return null;
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const instant = date.getTime() - offsetMinutes * 60_000;
  if (!Number.isFinite(instant) || instant < FIRST_INSTANT || instant > LAST_INSTANT) return null;
  return new Date(instant);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function rule(
  name: string,
  test: (value: unknown, args: ValidationArguments) => boolean,
  message: (args: ValidationArguments) => string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message, ...options },
      validator: { validate: test },
    });
  };
}

function combine(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    for (const decorator of decorators) decorator(target, propertyName);
  };
}

/** A query parameter naming a row: a positive whole number in plain digits, at most 2^53 - 1. */
export function QueryId(): PropertyDecorator {
  return QueryWholeNumber(1, MAX_ID);
}

/** A bounded whole-number query parameter (limits, offsets, counts) in plain digits. */
export function QueryWholeNumber(min: number, max: number): PropertyDecorator {
  return combine(
    Transform(({ value }: { value: unknown }) => parseWholeNumber(value, min, max) ?? value),
    rule(
      'queryWholeNumber',
      (value) => typeof value === 'number' && parseWholeNumber(value, min, max) !== null,
      (args) =>
        `${args.property} must be a whole number from ${min} to ${max}, written as plain digits (given once)`,
    ),
  );
}

/** A text query parameter: a single value, no NUL, no lone surrogate, at most `maxLength` characters. */
export function QueryText(maxLength = DEFAULT_QUERY_TEXT_LENGTH): PropertyDecorator {
  return rule(
    'queryText',
    (value) => typeof value === 'string' && boundedTextProblem(value, maxLength) === null,
    (args) =>
      typeof args.value === 'string'
        ? `${args.property} ${boundedTextProblem(args.value, maxLength) ?? 'is not valid'}`
        : `${args.property} must be one text value (given once)`,
  );
}

/** Text in a request body (names, notes): no NUL, no lone surrogate; pair it with @MaxLength. */
export function CleanText(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'cleanText',
    (value) => typeof value !== 'string' || textProblem(value) === null,
    (args) => `${args.property} ${textProblem(String(args.value)) ?? 'is not valid'}`,
    options,
  );
}

/**
 * A strict ISO 8601 date or date-time query parameter (see parseStrictIsoInstant); the value the
 * handler gets is normalised to `toISOString()` form, so `new Date(value)` is exact.
 */
export function QueryDate(): PropertyDecorator {
  return combine(
    Transform(({ value }: { value: unknown }) => parseStrictIsoInstant(value)?.toISOString() ?? value),
    rule(
      'queryDate',
      (value) => parseStrictIsoInstant(value) !== null,
      (args) =>
        `${args.property} must be an ISO 8601 date or date-time of a real day between 0001-01-01 and 9999-12-31, ` +
        'such as 2026-01-31 or 2026-01-31T12:00:00Z (given once)',
    ),
  );
}
