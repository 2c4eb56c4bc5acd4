import { diffValues } from '../config.service';
import { CONFIG_SCHEMA, defaultConfigValues } from './config-schema';
import { validateConfig } from './validate-config';

describe('validateConfig', () => {
  it('accepts the defaults', () => {
    expect(validateConfig(defaultConfigValues())).toMatchObject({ valid: true, problems: [] });
  });

  it('normalises what bots and forms send: comma lists, numeric strings, paper mode', () => {
    const { valid, values } = validateConfig({
      targetAssets: 'btc, eth,',
      windowDurations: ['5m'],
      mmSpreadMin: '0.02',
      mode: 'paper',
      mmEnabled: 'false',
    });
    expect(valid).toBe(true);
    expect(values).toEqual({
      targetAssets: ['BTC', 'ETH'],
      windowDurations: ['5m'],
      mmSpreadMin: 0.02,
      mode: 'dry_run',
      mmEnabled: false,
    });
  });

  it('keeps keys outside the schema as they are and drops nulls', () => {
    expect(validateConfig({ futureKey: { a: 1 }, mmOrderSize: null }).values).toEqual({
      futureKey: { a: 1 },
    });
  });

  it('reports each out-of-bounds or mistyped key', () => {
    const result = validateConfig({
      maxLossPct: 1.5,
      maxConcurrentWindows: 2.5,
      mmEnabled: 'yes',
      tradingBlackoutWindows: [[22, 25]],
      id: 3,
    });
    expect(result.valid).toBe(false);
    expect(result.problems.map((p) => p.field).sort()).toEqual([
      'id',
      'maxConcurrentWindows',
      'maxLossPct',
      'mmEnabled',
      'tradingBlackoutWindows',
    ]);
  });

  it('checks that the spread range is ordered', () => {
    expect(validateConfig({ mmSpreadMin: 0.05, mmSpreadMax: 0.01 }).problems).toEqual([
      { field: 'mmSpreadMin', message: 'must not be above mmSpreadMax (0.05 > 0.01)' },
    ]);
  });

  it('has a description, a group and sane bounds for every key', () => {
    for (const spec of CONFIG_SCHEMA) {
      expect(spec.description.length).toBeGreaterThan(10);
      if (spec.min !== undefined && spec.max !== undefined) expect(spec.min).toBeLessThan(spec.max);
      if (typeof spec.default === 'number') {
        expect(spec.default).toBeGreaterThanOrEqual(spec.min ?? -Infinity);
        expect(spec.default).toBeLessThanOrEqual(spec.max ?? Infinity);
      }
    }
  });
});

describe('diffValues', () => {
  it('lists added, removed and changed keys in key order', () => {
    expect(diffValues({ a: 1, b: [1], c: true }, { b: [1, 2], c: true, d: 'x' })).toEqual([
      { key: 'a', change: 'removed', from: 1, to: null },
      { key: 'b', change: 'changed', from: [1], to: [1, 2] },
      { key: 'd', change: 'added', from: null, to: 'x' },
    ]);
  });
});
