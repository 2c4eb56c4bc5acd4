import {
  addDecimal,
  compareDecimal,
  divideDecimal,
  echo,
  multiplyDecimal,
  normalDecimal,
  parseDecimal,
  sumDecimals,
  toDecimalString,
  unitsToDecimal,
} from './decimal';

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

  it.each([['abc'], [''], [NaN], [Infinity], [null], [true], [{}], ['1,5'], ['0x10']])(
    'refuses %p',
    (input) => {
      expect(toDecimalString(input)).toBeNull();
    },
  );
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

describe('parseDecimal limits (checked before anything is expanded)', () => {
  const bot = {
    maxLength: 100,
    maxExponent: 1000,
    maxSignificantDigits: 40,
    maxIntegerDigits: 40,
    maxScale: 40,
  };

  it.each([
    ['1e-100000000', 'exponent'],
    ['1e-100000', 'exponent'],
    ['1e100000000', 'exponent'],
    [`1e${'9'.repeat(90)}`, 'exponent'],
    ['1e400', 'range'],
    ['1e-20000', 'exponent'],
    ['0e-100000', 'exponent'],
    ['1e-41', 'scale'],
    [`0.${'1'.repeat(41)}`, 'precision'],
    ['1'.repeat(101), 'length'],
    [`${'0'.repeat(5000)}1`, 'length'],
    ['1,5', 'syntax'],
    [{}, 'type'],
    [Infinity, 'range'],
  ])('refuses %p by the %s rule', (input, rule) => {
    const result = parseDecimal(input, bot);
    expect(result).toMatchObject({ ok: false, rule });
  });

  it('refuses a huge exponent in time that does not grow with the exponent', () => {
    // Expanding 1e-100000000 would build a 100 MB string; the refusal reads only the exponent digits.
    const result = parseDecimal(`1e-${'9'.repeat(7)}`, bot);
    expect(result).toMatchObject({
      ok: false,
      rule: 'exponent',
      message: 'has an exponent out of range (at most ±1000)',
    });
  });

  it.each([
    ['0.30000000000000004', '0.30000000000000004'],
    ['1.2345678901234567e-05', '0.000012345678901234567'],
    [Number('1.2345678901234567e-5'), '0.000012345678901234568'],
    ['1e-20', '0.00000000000000000001'],
    ['1e17', '100000000000000000'],
    ['0e-1000', '0'],
    ['123456789012345678901234567890.1234567890', '123456789012345678901234567890.123456789'],
  ])('keeps %p exactly as %p', (input, expected) => {
    expect(parseDecimal(input, bot)).toEqual({ ok: true, value: expected });
  });

  it('names the limits in its messages', () => {
    expect(parseDecimal(`0.${'1'.repeat(45)}`, bot)).toMatchObject({
      message: 'has more than 40 significant digits (got 45)',
    });
    expect(parseDecimal('1e-45', bot)).toMatchObject({
      message: 'has more than 40 decimal places (it would be rounded)',
    });
  });
});

describe('echo', () => {
  it('cuts a long value so an error message stays small', () => {
    const text = echo('9'.repeat(100_000));
    expect(text.length).toBeLessThan(100);
    expect(text).toContain('(100000 characters)');
    expect(echo('BTC')).toBe('"BTC"');
    expect(echo(12)).toBe('12');
  });
});

describe('multiplyDecimal', () => {
  it('multiplies exactly, without binary floats', () => {
    expect(multiplyDecimal('50', '1.05')).toBe('52.5');
    expect(multiplyDecimal('0.1', '0.2')).toBe('0.02');
    expect(multiplyDecimal('-2.5', '4')).toBe('-10');
    expect(multiplyDecimal('0.0001', '1.05')).toBe('0.000105');
    expect(multiplyDecimal('123456789012345678901234567890', '1.05')).toBe(
      '129629628462962962846296296284.5',
    );
  });
});

describe('addDecimal', () => {
  it('adds and subtracts exactly, without binary floats', () => {
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('14.1', '12.5', true)).toBe('1.6');
    expect(addDecimal('12.5', '14.1', true)).toBe('-1.6');
    expect(addDecimal('-0.5', '0.5')).toBe('0');
    expect(addDecimal('99999999999999999999.99999999', '0.00000001')).toBe('100000000000000000000');
  });
});

describe('divideDecimal', () => {
  it('divides exactly, rounding the last place half away from zero like PostgreSQL', () => {
    expect(divideDecimal('2.65', '3')).toBe('0.88333333');
    expect(divideDecimal('2', '3')).toBe('0.66666667');
    expect(divideDecimal('-2', '3')).toBe('-0.66666667');
    expect(divideDecimal('2', '-3')).toBe('-0.66666667');
    expect(divideDecimal('-1.5', '-0.5')).toBe('3');
    expect(divideDecimal('12.5', '0.25', 2)).toBe('50');
    expect(divideDecimal('0.000000005', '1')).toBe('0.00000001');
    expect(divideDecimal('-0.000000004', '1')).toBe('0');
    expect(divideDecimal('123456789012345678901234567890.5', '0.5', 0)).toBe(
      '246913578024691357802469135781',
    );
    expect(() => divideDecimal('1', '0')).toThrow(RangeError);
  });
});

describe('divideDecimal edge cases', () => {
  it('rounds the half away from zero on both signs, with many decimals', () => {
    expect(divideDecimal('1', '8', 2)).toBe('0.13'); // 0.125
    expect(divideDecimal('-1', '8', 2)).toBe('-0.13');
    expect(divideDecimal('1', '16', 3)).toBe('0.063'); // 0.0625
    expect(divideDecimal('0.123456789012345678901234567890', '1', 29)).toBe(
      '0.12345678901234567890123456789',
    );
    expect(divideDecimal('-0.123456789012345678901234567895', '1', 29)).toBe(
      '-0.1234567890123456789012345679',
    );
    expect(divideDecimal('1', '3', 30)).toBe('0.333333333333333333333333333333');
  });
});

describe('sumDecimals', () => {
  it('adds exactly, skipping nulls and what is not a plain decimal', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(Array<string>(10).fill('0.1'))).toBe('1');
    expect(sumDecimals(['12.5', '-0.48', null, 'x', '1e3', '3'])).toBe('15.02');
    expect(sumDecimals(['-0.5', '0.5'])).toBe('0');
    expect(sumDecimals(['-0.000000000000000000000000000001', '-1'])).toBe(
      '-1.000000000000000000000000000001',
    );
    expect(sumDecimals([])).toBe('0');
  });
});

describe('unitsToDecimal', () => {
  it('scales integer units exactly (USDC has 6 decimals, POL 18: wei)', () => {
    expect(unitsToDecimal(`0x${123_456_789n.toString(16)}`, 6)).toBe('123.456789');
    expect(unitsToDecimal(`0x${(10n ** 18n * 3n + 5n).toString(16)}`, 18)).toBe('3.000000000000000005');
    expect(unitsToDecimal('0x1', 18)).toBe('0.000000000000000001');
    expect(unitsToDecimal(`0x${(10n ** 30n).toString(16)}`, 18)).toBe('1000000000000');
    expect(unitsToDecimal('0x0', 6)).toBe('0');
    expect(unitsToDecimal('0x', 6)).toBe('0');
    expect(unitsToDecimal('1500000', 6)).toBe('1.5');
    expect(unitsToDecimal(-1500000n, 6)).toBe('-1.5');
    expect(unitsToDecimal(-5n, 18)).toBe('-0.000000000000000005');
  });
});

describe('normalDecimal', () => {
  it('writes numeric text in its shortest form and leaves null and non-numbers alone', () => {
    expect(normalDecimal('0.50000000')).toBe('0.5');
    expect(normalDecimal('-12.3400')).toBe('-12.34');
    expect(normalDecimal('-0.000')).toBe('0');
    expect(normalDecimal(null)).toBeNull();
    expect(normalDecimal('NaN')).toBe('NaN');
  });
});
