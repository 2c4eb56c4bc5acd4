import { BadInputError } from '../errors/api-errors';
import { echo, parseDecimal } from '../util/decimal';
import { textProblem } from '../util/text';

/** Deepest nesting of objects and arrays a JSON body may have (metric extras, config values, ...). */
export const MAX_JSON_DEPTH = 32;
/** Longest number literal a JSON body may hold; longer numbers are sent as strings. */
export const MAX_JSON_NUMBER_LENGTH = 100;

const NUMBER_LIMITS = {
  maxLength: MAX_JSON_NUMBER_LENGTH,
  maxExponent: 400,
  maxSignificantDigits: 100,
  maxIntegerDigits: 400,
  maxScale: 400,
};

/**
 * Parses a JSON request body with bounded work, before any handler sees it:
 * 1. one linear pass over the text checks the nesting depth (brackets outside strings) and every
 *    number literal (length, and that JavaScript holds it: no overflow to Infinity, no underflow
 *    to 0, no digits beyond a double's 17 lost), so JSON.parse never recurses deeply or expands a huge number;
 * 2. JSON.parse;
 * 3. an iterative walk refuses NUL characters and unpaired surrogates in every string and key
 *    (PostgreSQL refuses them), naming the path, and prototype-poisoning keys, as Fastify does.
 * Every refusal is a BadInputError (400).
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.length === 0)
    throw new BadInputError('The request says it is JSON but the body is empty: send a JSON object.');
  scan(text, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new BadInputError(
      `The body is not valid JSON: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`,
    );
  }
  walk(value);
  return value;
}

function scan(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) {
        throw new BadInputError(
          `The body is nested more than ${maxDepth} levels deep (at character ${i}): flatten the data.`,
          [{ field: 'body', message: `must not be nested more than ${maxDepth} levels deep` }],
        );
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) end++;
      checkNumber(text, i, end);
      i = end - 1;
    }
  }
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

function checkNumber(text: string, start: number, end: number): void {
  const length = end - start;
  const refuse = (rule: string, literal: string): never => {
    throw new BadInputError(
      `The JSON number ${literal} at character ${start} ${rule}: send it as a numeric string if it is meant exactly.`,
      [{ field: 'body', message: `number at character ${start} ${rule}` }],
    );
  };
  if (length > MAX_JSON_NUMBER_LENGTH) {
    refuse(
      `is longer than ${MAX_JSON_NUMBER_LENGTH} characters (got ${length})`,
      `${text.slice(start, start + 20)}…`,
    );
  }
  // At most 15 digits without an exponent: a double holds it exactly (DBL_DIG is 15).
  if (length <= 15) {
    let plain = true;
    for (let i = start; i < end && plain; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x65 || c === 0x45) plain = false;
    }
    if (plain) return;
  }
  const literal = text.slice(start, end);
  const shown = literal.length > 40 ? `${literal.slice(0, 40)}…` : literal;
  const number = Number(literal);
  if (Number.isNaN(number)) return; // not a number literal: JSON.parse reports the syntax error
  if (!Number.isFinite(number)) refuse('is out of range (too large for a JSON number)', shown);
  const exact = parseDecimal(literal, NUMBER_LIMITS);
  if (!exact.ok) refuse(exact.message, shown);
  if (!exact.ok) return;
  if (number === 0 && exact.value !== '0') refuse('cannot be held exactly (it would become 0)', shown);
  // Up to 17 significant digits name one double exactly (what a bot's float was; JSON.stringify may
  // write its last digit differently). More digits than that would be silently rounded.
  if (significantDigits(exact.value) > 17) {
    const held = parseDecimal(number, NUMBER_LIMITS);
    if (held.ok && held.value !== exact.value)
      refuse(`cannot be held exactly (it would become ${held.value})`, shown);
  }
}

function significantDigits(plain: string): number {
  const digits = plain.replace('-', '').replace('.', '');
  let start = 0;
  while (start < digits.length && digits[start] === '0') start++;
  let end = digits.length;
  while (end > start && digits[end - 1] === '0') end--;
  return end - start;
}

interface Frame {
  value: unknown;
  parent: Frame | null;
  key: string | number | null;
}

function walk(root: unknown): void {
  const stack: Frame[] = [{ value: root, parent: null, key: null }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const value = frame.value;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) fail(pathOf(frame), `${problem} (got ${echo(value)})`);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const item: unknown = value[i];
        if (typeof item === 'string' || (typeof item === 'object' && item !== null))
          stack.push({ value: item, parent: frame, key: i });
      }
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const problem = textProblem(key);
        if (problem) fail(pathOf(frame), `has a key ${echo(key)} that ${problem}`);
        const item = record[key];
        if (key === '__proto__')
          fail(pathOf({ value: item, parent: frame, key }), 'is a forbidden prototype property');
        if (
          key === 'constructor' &&
          typeof item === 'object' &&
          item !== null &&
          Object.prototype.hasOwnProperty.call(item, 'prototype')
        ) {
          fail(pathOf({ value: item, parent: frame, key }), 'is a forbidden constructor.prototype property');
        }
        if (typeof item === 'string' || (typeof item === 'object' && item !== null))
          stack.push({ value: item, parent: frame, key });
      }
    }
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,60}$/;

/** The path of a value, e.g. `trades[3].asset` (`body` for the whole body); built only for an error. */
function pathOf(frame: Frame): string {
  const parts: string[] = [];
  for (let f: Frame | null = frame; f && f.key !== null; f = f.parent) {
    if (typeof f.key === 'number') parts.push(`[${f.key}]`);
    else if (IDENTIFIER.test(f.key)) parts.push(`.${f.key}`);
    else parts.push(`[${echo(f.key, 40)}]`);
  }
  if (parts.length === 0) return 'body';
  const path = parts.reverse().join('');
  return path.startsWith('.') ? path.slice(1) : path;
}

function fail(field: string, message: string): never {
  throw new BadInputError(`Invalid body: ${field} ${message}.`, [{ field, message }]);
}
