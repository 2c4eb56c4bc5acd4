import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One markets/report call, kept as sent. */
@Entity({ tableName: 'market_reports' })
export class MarketReport {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number'), nullable: true })
  apiKeyId: number | null = null;

  @Property({ type: 'timestamptz' })
  reportedAt: Date = new Date();

  @Property({ type: 'integer' })
  marketCount!: number;

  @Property({ type: 'jsonb' })
  markets!: unknown[];
}
