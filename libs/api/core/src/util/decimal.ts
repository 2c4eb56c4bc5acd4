/**
 * Decimal numbers travel as strings. JSON numbers from a bot are turned into their shortest exact
 * decimal text (what the bot wrote); nothing here adds binary floats up.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Returns the plain decimal text of a number or numeric string, or null when it is not one. */
export function toDecimalString(value: unknown): string | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  if (!DECIMAL.test(text)) return null;
  return normalise(text);
}

function normalise(text: string): string {
  let sign = '';
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text[0] === '-' ? '-' : '';
    text = text.slice(1);
  }
  const [mantissaText, exponentText] = text.toLowerCase().split('e');
  let mantissa = mantissaText;
  const exponent = exponentText ? Number(exponentText) : 0;
  if (mantissa.startsWith('.')) mantissa = `0${mantissa}`;
  if (mantissa.endsWith('.')) mantissa = mantissa.slice(0, -1);
  let [whole, fraction = ''] = mantissa.split('.');
  if (exponent > 0) {
    fraction = fraction.padEnd(exponent, '0');
    whole += fraction.slice(0, exponent);
    fraction = fraction.slice(exponent);
  } else if (exponent < 0) {
    whole = whole.padStart(-exponent + 1, '0');
    fraction = whole.slice(whole.length + exponent) + fraction;
    whole = whole.slice(0, whole.length + exponent);
  }
  whole = whole.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  const result = fraction ? `${whole}.${fraction}` : whole;
  return result === '0' ? '0' : sign + result;
}

/** Compares two decimal strings exactly: -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitude(negA ? a.slice(1) : a, negB ? b.slice(1) : b);
  return negA ? -magnitude : magnitude;
}

function compareMagnitude(a: string, b: string): number {
  const [wa, fa = ''] = a.split('.');
  const [wb, fb = ''] = b.split('.');
  if (wa.length !== wb.length) return wa.length < wb.length ? -1 : 1;
  if (wa !== wb) return wa < wb ? -1 : 1;
  const width = Math.max(fa.length, fb.length);
  const pa = fa.padEnd(width, '0');
  const pb = fb.padEnd(width, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}
