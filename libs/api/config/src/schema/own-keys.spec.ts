import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { diffValues } from '../config.service';
import { CreateConfigVersionDto, ValidateConfigDto } from '../dto/config.dto';
import { validateConfig } from './validate-config';

const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'prototype',
];

describe('config keys named like Object.prototype members', () => {
  it.each(PROTOTYPE_NAMES)('keeps %s through the request DTO and the validator, as an unknown key', (key) => {
    const body = JSON.parse(`{"values":{"${key}":"kept","mmSpreadMin":0.02},"basedOnId":1}`) as unknown;
    const dto = plainToInstance(CreateConfigVersionDto, body);
    expect(Object.keys(dto.values).sort()).toEqual([key, 'mmSpreadMin'].sort());
    const checked = validateConfig(dto.values);
    expect(checked.valid).toBe(true);
    expect(Object.hasOwn(checked.values, key)).toBe(true);
    expect(checked.values[key]).toBe('kept');
    expect(JSON.parse(JSON.stringify(checked.values))).toEqual({ [key]: 'kept', mmSpreadMin: 0.02 });
  });

  it('refuses __proto__ by name (an own key as a JSON parser without poisoning checks would give it)', () => {
    const dto = plainToInstance(
      ValidateConfigDto,
      JSON.parse('{"values":{"__proto__":{"pauseOrders":true},"mode":"live"}}') as unknown,
    );
    const checked = validateConfig(dto.values);
    expect(checked.valid).toBe(false);
    expect(checked.problems).toEqual([
      { field: '__proto__', message: expect.stringContaining('cannot be a config key') },
    ]);
    expect(Object.getPrototypeOf(checked.values)).toBe(Object.prototype);
  });

  it('diffs own keys only: a missing `constructor` is not the inherited function', () => {
    expect(diffValues({ mode: 'dry_run' }, { mode: 'dry_run', constructor: 1 })).toEqual([
      { key: 'constructor', change: 'added', from: null, to: 1 },
    ]);
    expect(diffValues({ toString: 'a' }, {})).toEqual([
      { key: 'toString', change: 'removed', from: 'a', to: null },
    ]);
    expect(diffValues({}, {})).toEqual([]);
  });
});
