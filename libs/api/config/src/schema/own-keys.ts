/**
 * Config keys are arbitrary names (unknown keys are kept for newer bots), so a key may be named
 * like a member of Object.prototype: `constructor`, `toString`, `valueOf`, `hasOwnProperty`.
 * These helpers read and write own properties only, so such a key is kept like any other instead
 * of being confused with (or dropped for) the inherited member. `__proto__` is the one name no JS
 * object can carry as a plain property; it is copied as an own property here so the validator can
 * refuse it by name.
 */
export function ownValue(values: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}

export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A shallow copy of a JSON object's own enumerable keys, `__proto__` included as a plain key. */
export function copyOwn(source: unknown): unknown {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return source;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) setOwn(copy, key, (source as Record<string, unknown>)[key]);
  return copy;
}

const MAX_COPY_DEPTH = 64;

/**
 * A deep copy of a JSON value keeping every own key. Nest's ValidationPipe deletes keys named
 * `constructor` and `prototype` at any depth of a body (prototype-pollution hygiene), which would
 * silently drop such config keys; the config routes copy `values` before the pipe runs.
 */
export function deepCopyOwn(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_COPY_DEPTH) throw new RangeError(`nested deeper than ${MAX_COPY_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((item) => deepCopyOwn(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    setOwn(copy, key, deepCopyOwn((value as Record<string, unknown>)[key], depth + 1));
  return copy;
}
