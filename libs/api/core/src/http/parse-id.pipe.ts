import {
  ArgumentMetadata,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  PipeTransform,
} from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { BadInputError } from '../errors/api-errors';
import { MAX_ID, parseWholeNumber } from './query-rules';

const ID_RULE = `must be a whole number from 1 to ${MAX_ID}, written as plain digits`;

/** The id in a path parameter, or a 400 naming the parameter. */
export function parseIdParam(value: unknown, name: string): number {
  const parsed = parseWholeNumber(value, 1, MAX_ID);
  if (parsed === null) {
    throw new BadInputError(`Path parameter "${name}" ${ID_RULE}.`, [{ field: name, message: ID_RULE }]);
  }
  return parsed;
}

/**
 * A path parameter naming a row (`/runs/:id`): plain digits, 1 to 2^53 - 1. Anything else (a sign,
 * an exponent, hex, 20 digits, a NUL) is a 400 naming the parameter before the handler runs, where
 * Nest's ParseIntPipe let `1e3` and out-of-range values through to PostgreSQL.
 *
 * It reads the raw text from the request: the global ValidationPipe would first turn `1e3` or
 * `0x10` into a number for a `@Param() id: number`, and the pipe could no longer tell them apart.
 * The OpenAPI spec documents it as the path parameter `id` (the name every route here uses).
 */
export const IdParam = createParamDecorator(
  (name: string | undefined, ctx: ExecutionContext): number => {
    const key = name ?? 'id';
    const params = ctx.switchToHttp().getRequest<{ params?: Record<string, unknown> }>().params ?? {};
    return parseIdParam(params[key], key);
  },
  [
    (target: object, key: string | symbol | undefined) => {
      if (key === undefined) return;
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor) ApiParam({ name: 'id', type: Number })(target, key, descriptor);
    },
  ],
);

/** The same rule as a pipe, for a parameter read some other way. */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    return parseIdParam(value, metadata.data ?? 'id');
  }
}
