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

/** The digits of |units| split at `scale` places: 12345n, 2 → ["123", "45"]. */
function split(units: bigint, scale: number): [whole: string, fraction: string] {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  return [digits.slice(0, digits.length - scale), digits.slice(digits.length - scale)];
}

function render(units: bigint, scale: number): string {
  const [whole, digits] = split(units, scale);
  const fraction = digits.replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return units < 0n && /[1-9]/.test(text) ? `-${text}` : text;
}

/** `value` at exactly `places` decimal places, the dropped digits rounded half away from zero. */
function roundTo(value: Scaled, places: number): bigint {
  if (value.scale <= places) return rescale(value, places);
  const divisor = 10n ** BigInt(value.scale - places);
  const magnitude = value.units < 0n ? -value.units : value.units;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return value.units < 0n ? -rounded : rounded;
}

/** Scientific notation as a JavaScript number prints it ("1e-7", "1.5e+21") in plain digits, exactly. */
function plain(text: string): string {
  const match = /^([+-]?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text.trim());
  if (!match) return text;
  const fraction = match[3] ?? '';
  const exponent = Number(match[4]);
  if (Math.abs(exponent) > 400) return text; // not a number a value of ours can be
  const units = BigInt(match[2] + fraction) * (match[1] === '-' ? -1n : 1n);
  const scale = fraction.length - exponent;
  return scale >= 0 ? render(units, scale) : render(units * 10n ** BigInt(-scale), 0);
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
export function formatDecimal(
  value: string | number | null | undefined,
  fractionDigits = 2,
  options: { sign?: boolean } = {},
): string {
  if (value == null || value === '') return '—';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  const parsed = parse(plain(text));
  if (!parsed) return String(value);
  const units = roundTo(parsed, fractionDigits);
  const [whole, fraction] = split(units, fractionDigits);
  const prefix = units < 0n ? '−' : options.sign && units > 0n ? '+' : '';
  return `${prefix}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fractionDigits ? `.${fraction}` : ''}`;
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
