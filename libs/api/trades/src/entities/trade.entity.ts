import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { TimestampTextType } from './timestamp-text.type';

export type TradeSide = 'buy' | 'sell';
export type TradeStatus = 'placed' | 'filled' | 'cancelled' | 'failed';
export const TRADE_STATUSES: readonly TradeStatus[] = ['placed', 'filled', 'cancelled', 'failed'];

/** One order a bot placed, and what became of it. */
@Entity({ tableName: 'trades' })
@Index({ properties: ['runId', 'id'] })
@Index({ properties: ['botId', 'asset', 'id'] })
@Index({ properties: ['createdAt'] })
@Index({ properties: ['tokenId', 'createdAt'] })
@Index({ properties: ['price', 'id'] })
@Index({ properties: ['size', 'id'] })
export class Trade {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number') })
  runId!: number;

  /** The bot that owns the trade's run, copied at insert (a run never changes bot): another bot gets 404. */
  @Property({ type: new BigIntType('number'), nullable: true })
  botId: number | null = null;

  @Property({ type: new BigIntType('number') })
  cycle!: number;

  @Property({ type: 'text' })
  asset!: string;

  @Property({ type: 'text' })
  windowDuration!: string;

  @Property({ type: 'text' })
  side!: TradeSide;

  @Property({ type: 'text' })
  outcome!: string;

  @Property({ type: 'decimal' })
  price!: string;

  @Property({ type: 'decimal' })
  size!: string;

  @Property({ type: 'text', nullable: true })
  strategy: string | null = null;

  @Property({ type: 'text', nullable: true })
  conditionId: string | null = null;

  @Property({ type: 'text', nullable: true })
  tokenId: string | null = null;

  @Property({ type: 'text' })
  status: TradeStatus = 'placed';

  @Property({ type: 'decimal', nullable: true })
  fillPrice: string | null = null;

  @Property({ type: 'decimal', nullable: true })
  fillSize: string | null = null;

  /** Kept as PostgreSQL text so the microseconds a bot sends survive (a JS Date keeps milliseconds). */
  @Property({ type: TimestampTextType, nullable: true })
  fillTimestamp: string | null = null;

  @Property({ type: 'text', nullable: true })
  resolvedOutcome: string | null = null;

  @Property({ type: 'decimal', nullable: true })
  pnl: string | null = null;

  /** Fields this server does not know, as the bot sent them. */
  @Property({ type: 'jsonb' })
  extra: Record<string, unknown> = {};

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
