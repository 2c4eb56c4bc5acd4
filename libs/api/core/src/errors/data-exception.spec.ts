import { dataExceptionCode, toErrorBody } from './http-exception.filter';

/** A PostgreSQL error as the driver raises it: an Error with the SQLSTATE in `code`. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

describe('PostgreSQL data exceptions that slip past validation', () => {
  it.each([
    ['22003', 'numeric field overflow'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22008', 'date/time field value out of range: "2026-02-30"'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
  ])('answers SQLSTATE %s with a 400 that hides the database text', (code, message) => {
    const body = toErrorBody(pgError(code, message), 'req-1');
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: 'req-1' });
    expect(body.message).toMatch(/cannot be stored/);
    expect(body.message).not.toContain(message);
    expect(dataExceptionCode(pgError(code, message))).toBe(code);
  });

  it('leaves other failures alone', () => {
    expect(toErrorBody(pgError('23505', 'duplicate key')).statusCode).not.toBe(400);
    expect(toErrorBody(pgError('ECONNREFUSED', 'connect ECONNREFUSED')).statusCode).not.toBe(400);
    expect(dataExceptionCode({ code: '22003' })).toBeNull(); // not an Error
  });
});
