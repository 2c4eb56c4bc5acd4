import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** One metrics push of a run: the known keys normalised, and every unknown key exactly as sent. */
@Entity({ tableName: 'run_metric_points' })
@Index({ properties: ['runId', 'at'] })
export class RunMetricPoint {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number') })
  runId!: number;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();

  @Property({ type: 'jsonb', fieldName: 'metric_values' })
  values!: Record<string, unknown>;

  @Property({ type: 'jsonb' })
  extra!: Record<string, unknown>;
}
