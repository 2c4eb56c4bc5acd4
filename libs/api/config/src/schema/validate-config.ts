import { FieldProblem, isJsonObject, toDecimalString } from '@polymaker/api/core';
import { CONFIG_KEYS, ConfigKeySpec, ConfigValues } from './config-schema';
import { ownValue, setOwn } from './own-keys';

export interface ConfigValidation {
  valid: boolean;
  problems: FieldProblem[];
  /** The values as they will be stored and served: lists split, numeric strings made numbers. */
  values: ConfigValues;
}

const RESERVED = new Set(['id', 'version']);
/** No JS object or JSON parser keeps `__proto__` as a plain key, so it is refused by name. */
const FORBIDDEN = new Set(['__proto__']);

class Problem {
  constructor(readonly message: string) {}
}

const problem = (message: string) => new Problem(message);

/**
 * Checks a whole config against the schema. Unknown keys are kept as they are (newer bots read
 * keys this server does not know yet), names like `constructor` or `toString` included; reserved
 * keys and `__proto__` are refused by name.
 */
export function validateConfig(input: unknown): ConfigValidation {
  const problems: FieldProblem[] = [];
  const values: ConfigValues = {};
  if (!isJsonObject(input)) {
    return {
      valid: false,
      problems: [{ field: 'values', message: 'must be a JSON object of config keys' }],
      values,
    };
  }
  for (const [key, raw] of Object.entries(input)) {
    if (RESERVED.has(key)) {
      problems.push({ field: key, message: `is set by the server and cannot be part of a config` });
      continue;
    }
    if (FORBIDDEN.has(key)) {
      problems.push({
        field: key,
        message: 'cannot be a config key (a reserved JavaScript name); choose another name',
      });
      continue;
    }
    if (raw === null || raw === undefined) continue; // unset: the bot uses its own default
    const spec = CONFIG_KEYS.get(key);
    if (!spec) {
      setOwn(values, key, raw);
      continue;
    }
    const result = coerce(spec, raw);
    if (result instanceof Problem) problems.push({ field: key, message: result.message });
    else setOwn(values, key, result);
  }
  const min = ownValue(values, 'mmSpreadMin');
  const max = ownValue(values, 'mmSpreadMax');
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    problems.push({ field: 'mmSpreadMin', message: `must not be above mmSpreadMax (${min} > ${max})` });
  }
  return { valid: problems.length === 0, problems, values };
}

function coerce(spec: ConfigKeySpec, raw: unknown): unknown {
  switch (spec.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return problem(`must be true or false (got ${JSON.stringify(raw)})`);
    case 'enum': {
      const text = typeof raw === 'string' ? raw.toLowerCase() : '';
      const value = text === 'paper' ? 'dry_run' : text;
      return spec.options?.includes(value)
        ? value
        : problem(`must be one of ${spec.options?.join(', ')} (got ${JSON.stringify(raw)})`);
    }
    case 'integer':
    case 'number': {
      const text = toDecimalString(raw);
      const value = text === null ? NaN : Number(text);
      if (!Number.isFinite(value)) return problem(`must be a number (got ${JSON.stringify(raw)})`);
      if (spec.type === 'integer' && !Number.isInteger(value)) {
        return problem(`must be a whole number (got ${text})`);
      }
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        return problem(
          `must be between ${spec.min} and ${spec.max}${spec.unit ? ` ${spec.unit}` : ''} (got ${text})`,
        );
      }
      return value;
    }
    case 'string-list': {
      const list = typeof raw === 'string' ? raw.split(',') : raw;
      if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
        return problem('must be a list of strings or a comma-separated string');
      }
      const items = list.map((item: string) => item.trim()).filter(Boolean);
      if (items.length === 0) return problem('must name at least one value');
      return spec.key === 'targetAssets' ? items.map((item) => item.toUpperCase()) : items;
    }
    case 'hour-windows': {
      if (!Array.isArray(raw)) return problem('must be a list of [startHourUtc, endHourUtc] pairs');
      const windows: number[][] = [];
      for (const pair of raw) {
        const ok =
          Array.isArray(pair) &&
          pair.length === 2 &&
          pair.every((hour) => Number.isInteger(hour) && hour >= 0 && hour <= 24) &&
          pair[0] !== pair[1];
        if (!ok)
          return problem(
            `each window must be [startHourUtc, endHourUtc] with hours 0-24 (got ${JSON.stringify(pair)})`,
          );
        windows.push([pair[0], pair[1]]);
      }
      return windows;
    }
  }
}
