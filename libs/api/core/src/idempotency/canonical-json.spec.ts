import { canonicalJson } from './idempotency.interceptor';

describe('canonicalJson', () => {
  it('is the same for the same body in another key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 1, f: 2 }] }, b: 1 }),
    );
  });

  it('differs when a value differs', () => {
    expect(canonicalJson({ size: 2 })).not.toBe(canonicalJson({ size: 3 }));
  });
});
