/**
 * Decimal strings as the API sends them ("12.5", "-0.0042"), added and formatted without floats,
 * so that a column of cents sums to what a calculator says.
 */
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

interface Scaled {
  units: bigint;
  scale: number;
}

function parse(value: string): Scaled | null {
  const match = DECIMAL.exec(value.trim());
  if (!match) return null;
  const fraction = match[3] ?? '';
  const units = BigInt(match[2] + fraction) * (match[1] === '-' ? -1n : 1n);
  return { units, scale: fraction.length };
}

function rescale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function render(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  let fraction = scale ? digits.slice(digits.length - scale).replace(/0+$/, '') : '';
  if (fraction === '') fraction = '';
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

export function isDecimal(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value.trim());
}

/** Exact sum of decimal strings; null, undefined and non-numeric entries are skipped. */
export function sumDecimals(values: ReadonlyArray<string | null | undefined>): string {
  const parsed = values.map((v) => (v == null ? null : parse(v))).filter((v): v is Scaled => v !== null);
  if (!parsed.length) return '0';
  const scale = Math.max(...parsed.map((p) => p.scale));
  return render(
    parsed.reduce((total, p) => total + rescale(p, scale), 0n),
    scale,
  );
}

/** -1, 0 or 1; 0 for anything that is not a decimal. */
export function decimalSign(value: string | null | undefined): -1 | 0 | 1 {
  const parsed = value == null ? null : parse(value);
  if (!parsed || parsed.units === 0n) return 0;
  return parsed.units < 0n ? -1 : 1;
}

/** Compares two decimal strings exactly (non-decimals sort first). */
export function compareDecimals(a: string | null | undefined, b: string | null | undefined): number {
  const pa = a == null ? null : parse(a);
  const pb = b == null ? null : parse(b);
  if (!pa || !pb) return (pa ? 1 : 0) - (pb ? 1 : 0);
  const scale = Math.max(pa.scale, pb.scale);
  const diff = rescale(pa, scale) - rescale(pb, scale);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

/**
 * Formats a decimal string with thousands separators and a fixed number of fraction digits
 * (rounded half away from zero), working on the digits only: formatDecimal("-1234.5", 2) → "-1,234.50".
 */
export function formatDecimal(value: string | number | null | undefined, fractionDigits = 2, options: { sign?: boolean } = {}): string {
  if (value == null || value === '') return '—';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  const parsed = parse(/e/i.test(text) ? Number(text).toFixed(12) : text);
  if (!parsed) return String(value);
  let units = parsed.units;
  let scale = parsed.scale;
  if (scale > fractionDigits) {
    const divisor = 10n ** BigInt(scale - fractionDigits);
    const half = divisor / 2n;
    const magnitude = units < 0n ? -units : units;
    const rounded = (magnitude + half) / divisor;
    units = units < 0n ? -rounded : rounded;
    scale = fractionDigits;
  } else {
    units = rescale(parsed, fractionDigits);
    scale = fractionDigits;
  }
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = scale ? `.${digits.slice(digits.length - scale)}` : '';
  const prefix = negative ? '−' : options.sign && units > 0n ? '+' : '';
  return `${prefix}${whole}${fraction}`;
}

/** For charts only (never for sums): the nearest float. */
export function decimalToNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
