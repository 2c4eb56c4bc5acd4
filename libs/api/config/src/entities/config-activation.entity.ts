import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

export type ActivationAction = 'initial' | 'activate' | 'rollback' | 'pause' | 'resume';

/** The history of which version was active when, and why. */
@Entity({ tableName: 'config_activations' })
export class ConfigActivation {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number') })
  configId!: number;

  @Property({ type: new BigIntType('number'), nullable: true })
  previousConfigId: number | null = null;

  @Property({ type: 'text' })
  action!: ActivationAction;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();
}
