import { BadInputError } from '../errors/api-errors';
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body';

const refusal = (text: string): { message: string; details?: { field: string; message: string }[] } => {
  try {
    parseJsonBody(text);
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return (error as BadInputError).getResponse() as {
      message: string;
      details?: { field: string; message: string }[];
    };
  }
  throw new Error(`accepted ${text.slice(0, 80)}`);
};

describe('parseJsonBody', () => {
  it('parses ordinary bodies as JSON.parse does', () => {
    const body = {
      runId: 1,
      price: 0.52,
      size: '10',
      nested: { a: [1, 2, { b: 'x' }] },
      emoji: '😀',
      neg: -0.30000000000000004,
      e: 1e-7,
    };
    expect(parseJsonBody(JSON.stringify(body))).toEqual(body);
    expect(parseJsonBody('[]')).toEqual([]);
    expect(parseJsonBody('"[[[[" ')).toBe('[[[[');
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more, without recursing`, () => {
    expect(() => parseJsonBody(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).not.toThrow();
    expect(refusal(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`).message).toMatch(
      /nested more than 32 levels deep/,
    );
    expect(refusal(`{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_001)}`).message).toMatch(
      /nested more than 32 levels/,
    );
    // brackets inside strings do not count, escaped quotes do not end a string
    expect(parseJsonBody(JSON.stringify({ note: `\\"${'['.repeat(100)}` }))).toEqual({
      note: `\\"${'['.repeat(100)}`,
    });
  });

  it('refuses NUL and unpaired surrogates in strings and keys, naming the path', () => {
    const nul = refusal(JSON.stringify({ trades: [{}, {}, {}, { asset: 'B\u0000TC' }] }));
    expect(nul.details).toEqual([
      { field: 'trades[3].asset', message: expect.stringMatching(/must not contain NUL/) },
    ]);
    expect(nul.message).toMatch(/^Invalid body: trades\[3\]\.asset must not contain NUL/);
    const surrogate = refusal('{"extra":{"note":"a\\ud800b"}}');
    expect(surrogate.details?.[0].field).toBe('extra.note');
    const key = refusal('{"extra":{"bad\\u0000key":1}}');
    expect(key.details?.[0]).toEqual({
      field: 'extra',
      message: expect.stringMatching(/has a key "bad\\u0000key" that must not contain NUL/),
    });
    expect(refusal('["\\udc00"]').details?.[0].field).toBe('[0]');
    expect(refusal('"\\u0000"').details?.[0].field).toBe('body');
  });

  it('refuses prototype poisoning keys as Fastify does', () => {
    expect(refusal('{"__proto__":{"admin":true}}').message).toMatch(
      /__proto__ is a forbidden prototype property/,
    );
    expect(refusal('{"a":{"constructor":{"prototype":{"x":1}}}}').message).toMatch(
      /a\.constructor is a forbidden constructor\.prototype property/,
    );
    expect(parseJsonBody('{"constructor":"fine"}')).toEqual({ constructor: 'fine' });
  });

  it('refuses number literals JavaScript cannot hold, without expanding them', () => {
    expect(refusal('{"totalPnl":1e400}').message).toMatch(/1e400 at character 12 is out of range/);
    expect(refusal('{"totalPnl":1e-400}').message).toMatch(/cannot be held exactly \(it would become 0\)/);
    expect(refusal('{"x":12345678901234567890123}').message).toMatch(/cannot be held exactly/);
    expect(refusal('{"x":1e-100000000}').message).toMatch(/exponent out of range/);
    expect(refusal(`{"x":${'1'.repeat(200_000)}}`).message).toMatch(
      /longer than 100 characters \(got 200000\)/,
    );
    expect(refusal(`{"x":${'1'.repeat(200_000)}}`).message.length).toBeLessThan(300);
    expect(
      parseJsonBody(
        '{"a":0.30000000000000004,"b":1.2345678901234567e-05,"c":9007199254740991,"d":1E5,"e":-0}',
      ),
    ).toEqual({
      a: 0.30000000000000004,
      b: Number('1.2345678901234567e-5'),
      c: 9007199254740991,
      d: 100000,
      e: -0,
    });
  });

  it('refuses what is not JSON, and an empty body', () => {
    expect(refusal('{"runId": 1, "price": ').message).toMatch(/^The body is not valid JSON/);
    expect(refusal('').message).toMatch(/body is empty/);
    expect(refusal('runId=1&price=0.5').message).toMatch(/not valid JSON/);
  });
});
