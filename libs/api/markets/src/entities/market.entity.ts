import { BigIntType, Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A market window as one bot reported it (keyed by the Up token id and the bot), with its expiry and
 * report history. Each bot has its own row: a bot's report never changes another bot's.
 */
@Entity({ tableName: 'markets' })
@Index({ properties: ['expiresAt'] })
@Index({ properties: ['asset', 'expiresAt'] })
@Index({ properties: ['lastReportedAt'] })
@Unique({ properties: ['tokenId', 'botId'] })
export class Market {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: 'text' })
  tokenId!: string;

  /** The bot that reported this row (null only for rows reported before bots were told apart). */
  @Property({ type: new BigIntType('number'), nullable: true })
  botId: number | null = null;

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
