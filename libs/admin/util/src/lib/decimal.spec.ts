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
