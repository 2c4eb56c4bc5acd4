import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { BadInputError } from '../errors/api-errors';
import { MAX_ID, parseWholeNumber } from './query-rules';

/**
 * A path parameter naming a row (`/runs/:id`): plain digits, 1 to 2^53 - 1. Anything else (a sign,
 * an exponent, 20 digits, a NUL) is a 400 naming the parameter before the handler runs, where
 * Nest's ParseIntPipe let `1e3` and out-of-range values through to PostgreSQL.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const parsed = parseWholeNumber(value, 1, MAX_ID);
    if (parsed === null) {
      const name = metadata.data ?? 'id';
      const rule = `must be a whole number from 1 to ${MAX_ID}, written as plain digits`;
      throw new BadInputError(`Path parameter "${name}" ${rule}.`, [{ field: name, message: rule }]);
    }
    return parsed;
  }
}
