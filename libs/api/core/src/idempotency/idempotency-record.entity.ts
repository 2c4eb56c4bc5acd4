import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A stored response for an `Idempotency-Key`, scoped to the API key that sent it. */
@Entity({ tableName: 'idempotency_records' })
export class IdempotencyRecord {
  @PrimaryKey({ type: new BigIntType('number') })
  apiKeyId!: number;

  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'text' })
  method!: string;

  @Property({ type: 'text' })
  path!: string;

  @Property({ type: 'integer' })
  statusCode!: number;

  @Property({ type: 'jsonb' })
  responseBody!: unknown;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
