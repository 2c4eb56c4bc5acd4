import { Type } from '@mikro-orm/core';
import { pgTimestampToIso } from '@polymaker/api/core';

/**
 * A timestamptz column read and written as ISO text, so the microseconds PostgreSQL keeps are not
 * cut to the milliseconds of a JS Date.
 */
export class TimestampTextType extends Type<string | null, string | null> {
  override convertToDatabaseValue(value: string | null): string | null {
    return value;
  }

  override convertToJSValue(value: string | Date | null): string | null {
    if (value === null || value === undefined) return null;
    return value instanceof Date ? value.toISOString() : pgTimestampToIso(value);
  }

  override getColumnType(): string {
    return 'timestamptz';
  }

  override compareAsType(): string {
    return 'string';
  }
}
