import { compareDecimal, toDecimalString } from './decimal';

describe('toDecimalString', () => {
  it.each([
    [0.52, '0.52'],
    ['0.52', '0.52'],
    [500.0, '500'],
    ['500.000', '500'],
    [1e-7, '0.0000001'],
    ['1.5e3', '1500'],
    ['-0.30000000000000004', '-0.30000000000000004'],
    ['+7', '7'],
    ['.5', '0.5'],
    ['-0', '0'],
    ['007.10', '7.1'],
  ])('turns %p into %p', (input, expected) => {
    expect(toDecimalString(input)).toBe(expected);
  });

  it.each([['abc'], [''], [NaN], [Infinity], [null], [true], [{}], ['1,5'], ['0x10']])('refuses %p', (input) => {
    expect(toDecimalString(input)).toBeNull();
  });
});

describe('compareDecimal', () => {
  it.each([
    ['0.5', '0.50', 0],
    ['1', '0.999999999999', 1],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['10', '9.99', 1],
    ['0.1', '0.10000000000000001', -1],
  ])('compares %s with %s exactly', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
  });
});
