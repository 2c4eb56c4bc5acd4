import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

export type ConfigSource = 'defaults' | 'admin' | 'pause' | 'resume' | 'suggestion';

/** One immutable version of the bot config. Its id is the version number the bot sees as `id`. */
@Entity({ tableName: 'config_versions' })
export class ConfigVersion {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: 'jsonb', fieldName: 'config_values' })
  values!: Record<string, unknown>;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Property({ type: 'text' })
  source!: ConfigSource;

  @Property({ type: new BigIntType('number'), nullable: true })
  basedOnId: number | null = null;

  /** The analysis whose suggestions produced this version, when it came from one. */
  @Property({ type: new BigIntType('number'), nullable: true })
  analysisId: number | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'boolean' })
  isActive = false;
}
