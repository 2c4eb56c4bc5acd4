import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** One metrics push of a run: the known keys normalised, and every unknown key exactly as sent. */
@Entity({ tableName: 'run_metric_points' })
@Index({ properties: ['runId', 'at'] })
export class RunMetricPoint {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number') })
  runId!: number;

  /** The key and bot that pushed the point (copied from the run: the series answers by bot without a join). */
  @Property({ type: new BigIntType('number'), nullable: true })
  apiKeyId: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  botId: number | null = null;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();

  @Property({ type: 'jsonb', fieldName: 'metric_values' })
  values!: Record<string, unknown>;

  @Property({ type: 'jsonb' })
  extra!: Record<string, unknown>;
}
