import { ConfigKeySpec } from '@polymaker/admin/data-access';

/** What an input holds for one key: text for numbers and lists, a boolean for checkboxes. */
export type FieldText = string | boolean;

/** The input's value for a config value (absent → '' / unchecked). */
export function toFieldText(spec: ConfigKeySpec, value: unknown): FieldText {
  if (spec.type === 'boolean') return value === true;
  if (value === undefined || value === null) return '';
  if (spec.type === 'string-list') return Array.isArray(value) ? value.join(', ') : String(value);
  if (spec.type === 'hour-windows') return JSON.stringify(value);
  return String(value);
}

/**
 * The config value for an input, or `undefined` when the field is empty (the key is then left unset and the bot's
 * default applies). Throws with a message a person can act on when the text cannot be read.
 */
export function fromFieldText(spec: ConfigKeySpec, text: FieldText): unknown {
  if (spec.type === 'boolean') return text === true;
  const raw = String(text).trim();
  if (raw === '') return undefined;
  switch (spec.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) throw new Error('must be a whole number');
      return Number(raw);
    }
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error('must be a number');
      return n;
    }
    case 'string-list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'hour-windows':
      try {
        return JSON.parse(raw);
      } catch {
        throw new Error('must be JSON, for example [[0, 6], [22, 24]]');
      }
    default:
      return raw;
  }
}

/** Local checks before the server's validation: bounds and options from the schema. */
export function localProblem(spec: ConfigKeySpec, value: unknown): string | null {
  if (value === undefined) return null;
  if ((spec.type === 'number' || spec.type === 'integer') && typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}`;
    if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}`;
  }
  if (spec.type === 'enum' && spec.options && !spec.options.includes(String(value)))
    return `must be one of ${spec.options.join(', ')}`;
  return null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The changes that turn `base` into `next`, as the API takes them with basedOnId (null removes a key). */
export function changesBetween(
  base: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) if (!same(base[key], value)) changes[key] = value;
  for (const key of Object.keys(base)) if (!(key in next)) changes[key] = null;
  return changes;
}

/** Schema keys grouped in schema order. */
export function groupSpecs(
  specs: readonly ConfigKeySpec[],
): Array<{ group: string; specs: ConfigKeySpec[] }> {
  const groups: Array<{ group: string; specs: ConfigKeySpec[] }> = [];
  for (const spec of specs) {
    let g = groups.find((x) => x.group === spec.group);
    if (!g) groups.push((g = { group: spec.group, specs: [] }));
    g.specs.push(spec);
  }
  return groups;
}
