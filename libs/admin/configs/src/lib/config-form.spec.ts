import { ConfigKeySpec } from '@polymaker/admin/data-access';
import { changesBetween, fromFieldText, groupSpecs, localProblem, toFieldText } from './config-form';

const spec = (type: ConfigKeySpec['type'], extra: Partial<ConfigKeySpec> = {}): ConfigKeySpec => ({
  key: 'k',
  type,
  group: 'G',
  description: '',
  default: null,
  ...extra,
});

describe('config form mapping', () => {
  it('reads inputs into config values', () => {
    expect(fromFieldText(spec('number'), '0.025')).toBe(0.025);
    expect(fromFieldText(spec('number'), ' ')).toBeUndefined();
    expect(() => fromFieldText(spec('integer'), '1.5')).toThrow('whole number');
    expect(fromFieldText(spec('string-list'), 'BTC, ETH,,')).toEqual(['BTC', 'ETH']);
    expect(fromFieldText(spec('boolean'), true)).toBe(true);
    expect(fromFieldText(spec('hour-windows'), '[[0,6]]')).toEqual([[0, 6]]);
    expect(toFieldText(spec('string-list'), ['BTC', 'ETH'])).toBe('BTC, ETH');
    expect(toFieldText(spec('number'), undefined)).toBe('');
  });

  it('checks bounds and options from the schema', () => {
    expect(localProblem(spec('number', { min: 0, max: 0.5 }), 0.7)).toBe('must be at most 0.5');
    expect(localProblem(spec('enum', { options: ['dry_run', 'live'] }), 'paper')).toBe(
      'must be one of dry_run, live',
    );
    expect(localProblem(spec('number', { min: 0 }), undefined)).toBeNull();
  });

  it('computes changes on top of a base version, null removing a key', () => {
    expect(changesBetween({ a: 1, b: [1], c: true }, { a: 2, b: [1], d: 'x' })).toEqual({
      a: 2,
      d: 'x',
      c: null,
    });
  });

  it('groups keys in schema order', () => {
    expect(
      groupSpecs([
        spec('number', { key: 'a', group: 'X' }),
        spec('number', { key: 'b', group: 'Y' }),
        spec('number', { key: 'c', group: 'X' }),
      ]).map((g) => [g.group, g.specs.map((s) => s.key)]),
    ).toEqual([
      ['X', ['a', 'c']],
      ['Y', ['b']],
    ]);
  });
});
