/** A lone high surrogate (not followed by a low one) or a lone low surrogate (not preceded by a high one). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a string cannot be stored as PostgreSQL text or jsonb, or null when it can: PostgreSQL refuses
 * NUL characters, and an unpaired UTF-16 surrogate is not Unicode (jsonb refuses it, text would get
 * a replacement character instead). Linear in the length.
 */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates (invalid Unicode)';
  return null;
}
