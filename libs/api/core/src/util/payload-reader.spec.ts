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
    expect(reader.issues.map((issue) => issue.field)).toEqual(['trades[4].price', 'trades[4].size', 'trades[4].side', 'trades[4].asset']);
    expect(() => reader.assertValid('trade')).toThrow(BadInputError);
    expect(() => reader.assertValid('trade')).toThrow(/trades\[4\]\.price must be at least 0 and at most 1 \(got 2\)/);
  });

  it('uses aliases for choices (paper is dry_run)', () => {
    const reader = new PayloadReader({ mode: 'Paper' });
    expect(reader.oneOf('mode', ['dry_run', 'live'] as const, { required: true, aliases: { paper: 'dry_run' } })).toBe('dry_run');
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
    expect(parseTimestamp('2026-11-24T07:16:50.905897+00:00')?.toISOString()).toBe('2026-11-24T07:16:50.905Z');
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
