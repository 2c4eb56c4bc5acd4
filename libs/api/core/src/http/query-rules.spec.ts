import { boundedTextProblem, parseStrictIsoInstant, parseWholeNumber } from './query-rules';

describe('parseWholeNumber', () => {
  it.each(['1', '42', '9007199254740991'])('accepts %s', (text) =>
    expect(parseWholeNumber(text, 1, Number.MAX_SAFE_INTEGER)).toBe(Number(text)),
  );
  it.each(['0', '-1', '1e3', '0x10', ' 1', '1.0', '99999999999999999999', '9007199254740992', '', 'abc'])(
    'refuses %j',
    (text) => expect(parseWholeNumber(text, 1, Number.MAX_SAFE_INTEGER)).toBeNull(),
  );
  it('refuses arrays (a parameter given twice)', () =>
    expect(parseWholeNumber(['1', '2'], 1, 10)).toBeNull());
});

describe('parseStrictIsoInstant', () => {
  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T12:30', '2026-01-31T12:30:00.000Z'],
    ['2026-01-31T12:30:15.123456Z', '2026-01-31T12:30:15.123Z'],
    ['2026-01-31T12:30:00+02:00', '2026-01-31T10:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('accepts %s', (text, iso) => expect(parseStrictIsoInstant(text)?.toISOString()).toBe(iso));

  it.each([
    '0000-01-01',
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-01-01 (hello)',
    '2026-01-01T24:00',
    '2026-1-1',
    '10000-01-01',
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59-01:00',
    'now',
    '1700000000000',
  ])('refuses %j', (text) => expect(parseStrictIsoInstant(text)).toBeNull());
});

describe('boundedTextProblem', () => {
  it('finds NUL, lone surrogates and overlong text', () => {
    expect(boundedTextProblem('B\u0000TC', 10)).toMatch(/NUL/);
    expect(boundedTextProblem('a\ud800', 10)).toMatch(/surrogate/);
    expect(boundedTextProblem('\udc00a', 10)).toMatch(/surrogate/);
    expect(boundedTextProblem('x'.repeat(11), 10)).toMatch(/at most 10/);
    expect(boundedTextProblem('BTC 😀', 10)).toBeNull();
  });
});
