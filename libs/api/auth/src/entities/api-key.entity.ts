import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { ApiKeyScope } from '@polymaker/api/core';

export type ApiKeySource = 'generated' | 'chosen' | 'env';

/** An API key: only its SHA-256 hash and a short visible prefix are stored. */
@Entity({ tableName: 'api_keys' })
export class ApiKey {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  scope!: ApiKeyScope;

  @Property({ type: 'text' })
  prefix!: string;

  @Property({ type: 'text', unique: true, hidden: true })
  hash!: string;

  @Property({ type: 'text' })
  source!: ApiKeySource;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  /** Set on a rotated key given a grace period: it stops working at this time. */
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  rotatedFromId: number | null = null;

  /** The bot this key speaks for: the first key of its rotation chain (its own id for a new key). */
  @Property({ type: new BigIntType('number') })
  botId!: number;
}
