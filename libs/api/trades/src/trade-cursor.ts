import { registerDecorator, ValidationArguments } from 'class-validator';

export const TRADE_SORTS = ['id', 'price', 'size', 'cycle'] as const;
export type TradeSort = (typeof TRADE_SORTS)[number];

/** The keyset position after a page: the sort column's value (null when sorting by id) and the id. */
export type TradeCursor = [string | number | null, number];

// price is numeric(20,10), size numeric(30,10): plain decimals only, no exponent, bounded length.
const DECIMAL = /^-?\d{1,30}(\.\d{1,20})?$/;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

export function encodeTradeCursor(value: string | number | null, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

/**
 * Decodes a cursor and checks it against the sort it is used with: an id (1 to 2^53 - 1) and, for
 * price and size, a plain decimal string, for cycle a whole number within bigint. Null when it does
 * not fit, so garbage is a 400, never a database error.
 */
export function decodeTradeCursor(cursor: unknown, sort: TradeSort): TradeCursor | null {
  if (typeof cursor !== 'string' || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [value, id] = parsed as unknown[];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return null;
  switch (sort) {
    case 'id':
      return value === null ? [null, id] : null;
    case 'price':
    case 'size':
      return typeof value === 'string' && DECIMAL.test(value) ? [value, id] : null;
    case 'cycle': {
      const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof text !== 'string' || !/^-?\d{1,19}$/.test(text)) return null;
      const big = BigInt(text);
      return big <= BIGINT_MAX && big >= -BIGINT_MAX - 1n ? [text, id] : null;
    }
    default:
      return null;
  }
}

/** Validates `cursor` against the `sort` of the same query, so a bad cursor is refused before any work. */
export function IsTradeCursor(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isTradeCursor',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) =>
          `${args.property} is not a cursor of this query (sort "${sortOf(args.object)}"): pass the nextCursor of the previous page unchanged, with the same sort`,
      },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const sort = sortOf(args.object);
          return sort !== null && decodeTradeCursor(value, sort) !== null;
        },
      },
    });
  };
}

function sortOf(query: object): TradeSort | null {
  const sort = (query as { sort?: unknown }).sort ?? 'id';
  return (TRADE_SORTS as readonly unknown[]).includes(sort) ? (sort as TradeSort) : null;
}
