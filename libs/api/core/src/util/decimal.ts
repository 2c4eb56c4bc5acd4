/**
 * Decimal numbers travel as strings. JSON numbers from a bot are turned into their shortest exact
 * decimal text (what the bot wrote); nothing here adds binary floats up.
 *
 * Parsing is bounded and linear in the input: the text length and the exponent are checked before
 * anything is expanded, and the plain text produced is never longer than the limits allow.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface DecimalLimits {
  /** Longest text accepted (after the number is turned into text, before trimming). */
  maxLength?: number;
  /** Largest absolute exponent accepted in scientific notation ("1e-1000000" is refused unread). */
  maxExponent?: number;
  /** Most significant digits (leading and trailing zeros do not count). */
  maxSignificantDigits?: number;
  /** Most digits before the decimal point. */
  maxIntegerDigits?: number;
  /** Most digits after the decimal point (what would not fit is refused, never rounded). */
  maxScale?: number;
}

/** Why a value is not an acceptable decimal, in words that follow the field name. */
export type DecimalRefusal =
  | { rule: 'type'; message: string }
  | { rule: 'length'; message: string }
  | { rule: 'syntax'; message: string }
  | { rule: 'exponent'; message: string }
  | { rule: 'precision'; message: string }
  | { rule: 'scale'; message: string }
  | { rule: 'range'; message: string };

export type DecimalResult = { ok: true; value: string } | ({ ok: false } & DecimalRefusal);

/** Generous defaults for text that is already trusted to be a number (e.g. read back from PostgreSQL). */
export const DEFAULT_DECIMAL_LIMITS: Required<DecimalLimits> = {
  maxLength: 200,
  maxExponent: 1000,
  maxSignificantDigits: 100,
  maxIntegerDigits: 100,
  maxScale: 100,
};

/** Parses a JSON number or numeric string into plain decimal text, within the limits. */
export function parseDecimal(value: unknown, limits: DecimalLimits = {}): DecimalResult {
  const l = { ...DEFAULT_DECIMAL_LIMITS, ...limits };
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, rule: 'range', message: 'must be a finite number' };
    text = String(value);
  } else if (typeof value === 'string') {
    if (value.length > l.maxLength + 20) return tooLong(value.length, l.maxLength);
    text = value.trim();
  } else {
    return { ok: false, rule: 'type', message: 'must be a number or a numeric string' };
  }
  if (text.length > l.maxLength) return tooLong(text.length, l.maxLength);
  if (!DECIMAL.test(text))
    return { ok: false, rule: 'syntax', message: 'must be a number or a numeric string' };

  let negative = false;
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-';
    text = text.slice(1);
  }
  const e = text.search(/[eE]/);
  const mantissa = e >= 0 ? text.slice(0, e) : text;
  let exponent = 0;
  if (e >= 0) {
    const exponentText = text.slice(e + 1);
    const sign = exponentText[0] === '-' ? -1 : 1;
    const digits = stripLeadingZeros(exponentText.replace(/^[+-]/, ''));
    if (digits.length > 7 || Number(digits) > l.maxExponent) {
      return {
        ok: false,
        rule: 'exponent',
        message: `has an exponent out of range (at most ±${l.maxExponent})`,
      };
    }
    exponent = sign * Number(digits);
  }
  const point = mantissa.indexOf('.');
  const whole = point >= 0 ? mantissa.slice(0, point) : mantissa;
  const fraction = point >= 0 ? mantissa.slice(point + 1) : '';
  // digits × 10^(pointAt - digits.length): pointAt is where the decimal point goes in `digits`.
  let digits = whole + fraction;
  let pointAt = whole.length + exponent;
  let start = 0;
  while (start < digits.length && digits[start] === '0') start++;
  let end = digits.length;
  while (end > start && digits[end - 1] === '0') end--;
  pointAt -= start;
  digits = digits.slice(start, end);
  if (digits.length === 0) return { ok: true, value: '0' };
  if (digits.length > l.maxSignificantDigits) {
    return {
      ok: false,
      rule: 'precision',
      message: `has more than ${l.maxSignificantDigits} significant digits (got ${digits.length})`,
    };
  }
  const integerDigits = Math.max(pointAt, 0);
  const scale = Math.max(digits.length - pointAt, 0);
  if (integerDigits > l.maxIntegerDigits) {
    return {
      ok: false,
      rule: 'range',
      message: `is out of range (more than ${l.maxIntegerDigits} digits before the decimal point)`,
    };
  }
  if (scale > l.maxScale) {
    return {
      ok: false,
      rule: 'scale',
      message:
        l.maxScale === 0
          ? 'must be a whole number'
          : `has more than ${l.maxScale} decimal places (it would be rounded)`,
    };
  }
  let plain: string;
  if (pointAt <= 0) plain = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) plain = digits + '0'.repeat(pointAt - digits.length);
  else plain = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return { ok: true, value: negative ? `-${plain}` : plain };
}

function tooLong(length: number, max: number): DecimalResult {
  return { ok: false, rule: 'length', message: `must be at most ${max} characters long (got ${length})` };
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits[i] === '0') i++;
  return digits.slice(i);
}

/** Returns the plain decimal text of a number or numeric string, or null when it is not one (or exceeds the limits). */
export function toDecimalString(value: unknown, limits?: DecimalLimits): string | null {
  const result = parseDecimal(value, limits);
  return result.ok ? result.value : null;
}

/** Compares two decimal strings exactly: -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitude(negA ? a.slice(1) : a, negB ? b.slice(1) : b);
  return negA ? -magnitude : magnitude;
}

/**
 * The exact product of two plain decimal strings (as `toDecimalString` or PostgreSQL write them:
 * no exponent), as plain decimal text without trailing fraction zeros: "50" × "1.05" = "52.5".
 */
export function multiplyDecimal(a: string, b: string): string {
  const x = scaledInteger(a);
  const y = scaledInteger(b);
  return formatScaled(x.digits * y.digits, x.scale + y.scale);
}

/** The exact sum of two plain decimal strings (`subtract` for a − b), as plain decimal text: "0.1" + "0.2" = "0.3". */
export function addDecimal(a: string, b: string, subtract = false): string {
  const x = scaledInteger(a);
  const y = scaledInteger(b);
  const scale = Math.max(x.scale, y.scale);
  const left = x.digits * 10n ** BigInt(scale - x.scale);
  const right = y.digits * 10n ** BigInt(scale - y.scale);
  return formatScaled(subtract ? left - right : left + right, scale);
}

/**
 * The quotient of two plain decimal strings rounded to `places` decimal places, half away from zero
 * (as PostgreSQL's `round`), as plain decimal text: "2.65" / "3" = "0.88333333". Throws on a zero divisor.
 */
export function divideDecimal(a: string, b: string, places = 8): string {
  const x = scaledInteger(a);
  const y = scaledInteger(b);
  if (y.digits === 0n) throw new RangeError(`division of ${a} by zero`);
  // a / b = (x / 10^xs) / (y / 10^ys); scaled by 10^places: x * 10^(ys + places) / (y * 10^xs)
  let numerator = x.digits * 10n ** BigInt(y.scale + places);
  let denominator = y.digits * 10n ** BigInt(x.scale);
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  let quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice >= denominator) quotient += numerator < 0n ? -1n : 1n;
  return formatScaled(quotient, places);
}

/** The exact sum of plain decimal strings; null and what is not a plain decimal ("x", "1e3") are skipped: [] → "0". */
export function sumDecimals(values: readonly (string | null)[]): string {
  return values.reduce<string>(
    (total, value) => (value !== null && PLAIN.test(value) ? addDecimal(total, value) : total),
    '0',
  );
}

/**
 * Integer units (a bigint, or hex or decimal text as JSON-RPC answers) as a decimal string with
 * `decimals` places, trailing zeros dropped: unitsToDecimal("0x1", 18) = "0.000000000000000001" (wei to POL).
 */
export function unitsToDecimal(raw: string | bigint, decimals: number): string {
  return formatScaled(typeof raw === 'bigint' ? raw : BigInt(raw === '0x' ? '0x0' : raw), decimals);
}

/** numeric text read back from PostgreSQL in its shortest form ("0.50000000" → "0.5"); null stays null, anything else as it is. */
export function normalDecimal<T extends string | null>(value: T): T {
  return (value === null ? null : (toDecimalString(value) ?? value)) as T;
}

const PLAIN = /^-?\d+(\.\d+)?$/;

function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const text = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = text.slice(text.length - scale).replace(/0+$/, '');
  return `${negative && (whole !== '0' || fraction) ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function scaledInteger(value: string): { digits: bigint; scale: number } {
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = (negative || value.startsWith('+') ? value.slice(1) : value).split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  return { digits: negative ? -digits : digits, scale: fraction.length };
}

/** Compares two unsigned decimals without allocating (it runs for every bound of every decimal a bot sends). */
function compareMagnitude(a: string, b: string): number {
  const dotA = a.indexOf('.');
  const dotB = b.indexOf('.');
  const wholeA = dotA < 0 ? a.length : dotA;
  const wholeB = dotB < 0 ? b.length : dotB;
  if (wholeA !== wholeB) return wholeA < wholeB ? -1 : 1;
  for (let i = 0; i < wholeA; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  // the fractions, the shorter one read as padded with zeros
  const fracA = dotA < 0 ? 0 : a.length - dotA - 1;
  const fracB = dotB < 0 ? 0 : b.length - dotB - 1;
  for (let k = 0; k < Math.max(fracA, fracB); k++) {
    const ca = k < fracA ? a.charCodeAt(dotA + 1 + k) : 48;
    const cb = k < fracB ? b.charCodeAt(dotB + 1 + k) : 48;
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

/** A value shown in an error message: JSON text cut to `max` characters, so a huge value is not echoed back. */
export function echo(value: unknown, max = 60): string {
  let text: string;
  if (typeof value === 'string') {
    text = JSON.stringify(value.length > max ? value.slice(0, max) : value);
    if (value.length > max) return `${text.slice(0, -1)}…" (${value.length} characters)`;
    return text;
  }
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}
