import { compareDecimals, decimalSign, formatDecimal, sumDecimals } from './decimal';

describe('decimal strings', () => {
  it('sums without float drift', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(Array(10).fill('0.1'))).toBe('1');
    expect(sumDecimals(['12.5', '-0.48', null, 'x', '3'])).toBe('15.02');
    expect(sumDecimals([])).toBe('0');
    expect(sumDecimals(['-0.5', '0.5'])).toBe('0');
  });

  it('formats with grouping, rounding and sign', () => {
    expect(formatDecimal('-1234.5')).toBe('−1,234.50');
    expect(formatDecimal('1234567.891', 2)).toBe('1,234,567.89');
    expect(formatDecimal('0.005', 2)).toBe('0.01');
    expect(formatDecimal('-0.005', 2)).toBe('−0.01');
    expect(formatDecimal('0.48', 2, { sign: true })).toBe('+0.48');
    expect(formatDecimal('10', 0)).toBe('10');
    expect(formatDecimal(null)).toBe('—');
    expect(formatDecimal(0.1 + 0.2, 2)).toBe('0.30');
  });

  it('compares and signs exactly', () => {
    expect(compareDecimals('0.30', '0.3')).toBe(0);
    expect(compareDecimals('-1', '0.5')).toBe(-1);
    expect(compareDecimals('100000000000000000000.01', '100000000000000000000')).toBe(1);
    expect(decimalSign('-0.00')).toBe(0);
    expect(decimalSign('-0.01')).toBe(-1);
  });
});

describe('decimal strings: edge cases', () => {
  it('rounds half away from zero on both signs, and a rounded-away negative shows no sign', () => {
    expect(formatDecimal('0.125', 2)).toBe('0.13');
    expect(formatDecimal('-0.125', 2)).toBe('−0.13');
    expect(formatDecimal('-0.004', 2)).toBe('0.00');
    expect(formatDecimal('-0.004', 2, { sign: true })).toBe('0.00');
    expect(formatDecimal('999.995', 2)).toBe('1,000.00');
    expect(formatDecimal('-999.995', 2)).toBe('−1,000.00');
    expect(formatDecimal('2.5', 0)).toBe('3');
    expect(formatDecimal('-2.5', 0)).toBe('−3');
  });

  it('keeps many decimals and long numbers exact', () => {
    expect(formatDecimal('0.123456789012345678901234567895', 29)).toBe('0.12345678901234567890123456790');
    expect(formatDecimal('123456789012345678901234567890.5', 0)).toBe(
      '123,456,789,012,345,678,901,234,567,891',
    );
    expect(sumDecimals(['-0.000000000000000000000000000001', '-1'])).toBe(
      '-1.000000000000000000000000000001',
    );
    expect(compareDecimals('-0.0000000000000000000001', '0')).toBe(-1);
  });

  it('reads scientific notation exactly (small numbers as JavaScript prints them)', () => {
    expect(formatDecimal(1e-7, 8)).toBe('0.00000010');
    expect(formatDecimal('1.5e3', 1)).toBe('1,500.0');
    expect(formatDecimal('-2.5E-3', 4)).toBe('−0.0025');
    expect(formatDecimal(1.5e21, 0)).toBe('1,500,000,000,000,000,000,000');
  });

  it('leaves what is not a number as it is, and skips it in sums and signs', () => {
    expect(formatDecimal('abc')).toBe('abc');
    expect(decimalSign('x')).toBe(0);
    expect(compareDecimals('x', '1')).toBe(-1);
  });
});
