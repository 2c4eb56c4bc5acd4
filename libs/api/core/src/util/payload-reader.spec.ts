import { BadInputError } from '../errors/api-errors';
import { parseTimestamp, PayloadReader, pgTimestampToIso } from './payload-reader';

describe('PayloadReader', () => {
  it('reads typed fields, accepting numeric strings and upper-case choices', () => {
    const reader = new PayloadReader({ runId: '12', price: '0.5', side: 'SELL', note: 'x', extra: 1 });
    expect(reader.integer('runId', { required: true })).toBe(12);
    expect(reader.decimal('price', { required: true, min: '0', max: '1' })).toBe('0.5');
    expect(reader.oneOf('side', ['buy', 'sell'] as const, { required: true })).toBe('sell');
    expect(reader.string('note')).toBe('x');
    expect(reader.rest()).toEqual({ extra: 1 });
    expect(reader.valid).toBe(true);
  });

  it('collects every problem with its field path and throws one error naming them', () => {
    const reader = new PayloadReader({ price: 2, size: 0, side: 'hold' }, 'trades[4]');
    reader.decimal('price', { required: true, min: '0', max: '1' });
    reader.decimal('size', { required: true, min: '0', exclusiveMin: true });
    reader.oneOf('side', ['buy', 'sell'] as const, { required: true });
    reader.string('asset', { required: true });
    expect(reader.issues.map((issue) => issue.field)).toEqual([
      'trades[4].price',
      'trades[4].size',
      'trades[4].side',
      'trades[4].asset',
    ]);
    expect(() => reader.assertValid('trade')).toThrow(BadInputError);
    expect(() => reader.assertValid('trade')).toThrow(
      /trades\[4\]\.price must be at least 0 and at most 1 \(got 2\)/,
    );
  });

  it('uses aliases for choices (paper is dry_run)', () => {
    const reader = new PayloadReader({ mode: 'Paper' });
    expect(
      reader.oneOf('mode', ['dry_run', 'live'] as const, { required: true, aliases: { paper: 'dry_run' } }),
    ).toBe('dry_run');
  });

  it('refuses a body that is not an object', () => {
    expect(() => PayloadReader.of([1, 2], 'trade body')).toThrow(/trade body must be a JSON object/);
  });
});

describe('parseTimestamp', () => {
  it('reads unix seconds (number or string), milliseconds and ISO text', () => {
    expect(parseTimestamp('1764000900')?.toISOString()).toBe('2025-11-24T16:15:00.000Z');
    expect(parseTimestamp(1764000900)?.toISOString()).toBe('2025-11-24T16:15:00.000Z');
    expect(parseTimestamp(1764000900000)?.toISOString()).toBe('2025-11-24T16:15:00.000Z');
    expect(parseTimestamp('2026-11-24T07:16:50.905897+00:00')?.toISOString()).toBe(
      '2026-11-24T07:16:50.905Z',
    );
  });

  it('refuses text that is no time', () => {
    expect(parseTimestamp('yesterday')).toBeNull();
    expect(parseTimestamp('12/11/2026')).toBeNull();
  });
});

describe('pgTimestampToIso', () => {
  it('keeps microseconds', () => {
    expect(pgTimestampToIso('2026-11-24 07:16:50.905897+00')).toBe('2026-11-24T07:16:50.905897Z');
    expect(pgTimestampToIso('2026-11-24 07:16:50+05:30')).toBe('2026-11-24T07:16:50+05:30');
  });
});

describe('PayloadReader bounds', () => {
  const problemOf = (read: (reader: PayloadReader) => unknown, body: Record<string, unknown>) => {
    const reader = new PayloadReader(body);
    read(reader);
    return reader.issues.map((issue) => `${issue.field} ${issue.message}`).join('; ');
  };

  it('reads integers up to the largest safe integer (bigint columns), refusing anything else by rule', () => {
    const reader = new PayloadReader({ cycle: 1764640000000, fills: '3000000000' });
    expect(reader.integer('cycle', { required: true, min: 0 })).toBe(1764640000000);
    expect(reader.integer('fills', { required: true, min: 0 })).toBe(3000000000);
    expect(problemOf((r) => r.integer('cycle'), { cycle: 1.5 })).toBe(
      'cycle must be a whole number (got 1.5)',
    );
    expect(problemOf((r) => r.integer('cycle'), { cycle: 2 ** 53 })).toMatch(
      /^cycle is out of range: must be at least -9007199254740991 and at most 9007199254740991/,
    );
    expect(problemOf((r) => r.integer('runId'), { runId: '99999999999999999999' })).toMatch(
      /^runId is out of range/,
    );
    expect(problemOf((r) => r.integer('runId'), { runId: '9'.repeat(10_000) })).toMatch(
      /^runId must be at most 30 characters long \(got 10000\) \(got "9{60}…" \(10000 characters\)\)$/,
    );
    expect(problemOf((r) => r.integer('cycle'), { cycle: '1e-100000000' })).toMatch(
      /^cycle has an exponent out of range/,
    );
  });

  it('refuses hostile decimals by rule, without expanding them or echoing them whole', () => {
    const rule = { min: '-1000000000000000', max: '1000000000000000' };
    expect(problemOf((r) => r.decimal('totalPnl', rule), { totalPnl: '1e-100000000' })).toBe(
      'totalPnl has an exponent out of range (at most ±1000) (got "1e-100000000")',
    );
    expect(problemOf((r) => r.decimal('totalPnl', rule), { totalPnl: 1e17 })).toBe(
      'totalPnl must be at least -1000000000000000 and at most 1000000000000000 (got 100000000000000000)',
    );
    expect(problemOf((r) => r.decimal('totalPnl', rule), { totalPnl: '1e400' })).toBe(
      'totalPnl must be at least -1000000000000000 and at most 1000000000000000 (got "1e400")',
    );
    const long = problemOf((r) => r.decimal('price', { min: '0', max: '1' }), {
      price: `0.${'5'.repeat(1_000_000)}`,
    });
    expect(long.length).toBeLessThan(200);
    expect(problemOf((r) => r.decimal('size', { min: '0', exclusiveMin: true }), { size: '1e-41' })).toMatch(
      /size has more than 40 decimal places/,
    );
  });

  it('keeps float noise exactly instead of rounding it', () => {
    const reader = new PayloadReader({
      price: 0.30000000000000004,
      size: '1.2345678901234567e-05',
      tiny: '1e-20',
    });
    expect(reader.decimal('price', { min: '0', max: '1' })).toBe('0.30000000000000004');
    expect(reader.decimal('size', { min: '0', exclusiveMin: true })).toBe('0.000012345678901234567');
    expect(reader.decimal('tiny', { min: '0', exclusiveMin: true })).toBe('0.00000000000000000001');
    expect(reader.valid).toBe(true);
  });

  it('refuses NUL and unpaired surrogates in text', () => {
    expect(problemOf((r) => r.string('asset'), { asset: 'B\u0000TC' })).toBe(
      'asset must not contain NUL (\\u0000) characters (got "B\\u0000TC")',
    );
    expect(problemOf((r) => r.string('asset'), { asset: 'B\ud800TC' })).toMatch(
      /^asset must not contain unpaired UTF-16 surrogates/,
    );
  });

  it('refuses times that PostgreSQL would not read the same way', () => {
    expect(problemOf((r) => r.timestampText('fillTimestamp'), { fillTimestamp: '2026-02-30' })).toMatch(
      /^fillTimestamp must be an ISO 8601 time/,
    );
    expect(
      problemOf((r) => r.timestampText('fillTimestamp'), { fillTimestamp: '2026-01-01 (hello)' }),
    ).toMatch(/^fillTimestamp must be an ISO 8601 time/);
  });
});

describe('parseTimestamp strictness', () => {
  it.each([
    ['2026-11-24', '2026-11-24T00:00:00.000Z'],
    ['2026-11-24T07:16', '2026-11-24T07:16:00.000Z'],
    ['2026-11-24 07:16:50', '2026-11-24T07:16:50.000Z'],
    ['2026-11-24T07:16:50.905897Z', '2026-11-24T07:16:50.905Z'],
    ['2026-11-24T07:16:50+05:30', '2026-11-24T01:46:50.000Z'],
    ['2026-11-24T07:16:50+0530', '2026-11-24T01:46:50.000Z'],
    ['2026-11-24T07:16:50-02', '2026-11-24T09:16:50.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['1764000900.5', '2025-11-24T16:15:00.500Z'],
  ])('reads %p', (input, expected) => {
    expect(parseTimestamp(input)?.toISOString()).toBe(expected);
  });

  it.each([
    ['2026-02-30'],
    ['2025-02-29'],
    ['2026-13-01'],
    ['2026-01-01 (hello)'],
    ['2026-01-01T24:00:00Z'],
    ['2026-01-01T10:60:00Z'],
    ['2026-01-01T10:00:00.1234567Z'],
    ['2026-01-01T10:00:00+16:00'],
    ['0000-01-01'],
    ['1969-12-31T23:59:59Z'],
    ['+275760-09-13'],
    ['2026-01-01Z'],
    [' 2026-01-01T10:00:00Z junk'],
    [1e20],
    [-5],
    ['9'.repeat(100)],
    [`2026-01-01T10:00:00.${'1'.repeat(100_000)}Z`],
  ])('refuses %p', (input) => {
    expect(parseTimestamp(input)).toBeNull();
  });
});
