import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A market window a bot reported (keyed by the Up token id), with its expiry and report history. */
@Entity({ tableName: 'markets' })
@Index({ properties: ['expiresAt'] })
export class Market {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: 'text', unique: true })
  tokenId!: string;

  @Property({ type: 'text', nullable: true })
  tokenIdDown: string | null = null;

  @Property({ type: 'text' })
  asset!: string;

  @Property({ type: 'text' })
  window!: string;

  @Property({ type: 'text', nullable: true })
  windowId: string | null = null;

  @Property({ type: 'text', nullable: true })
  conditionId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  firstReportedAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  lastReportedAt: Date = new Date();

  @Property({ type: new BigIntType('number') })
  reportCount = 1;

  @Property({ type: new BigIntType('number'), nullable: true })
  lastApiKeyId: number | null = null;
}
