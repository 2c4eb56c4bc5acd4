import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type RunStatus = 'running' | 'completed' | 'stopped' | 'error' | 'stale';
export type RunMode = 'dry_run' | 'live';

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'stopped', 'error', 'stale'];
export const STOP_STATUSES = ['completed', 'stopped', 'error'] as const;
export type StopStatus = (typeof STOP_STATUSES)[number];

/** One bot session, from run/start to run/stop (or to being closed as stale). */
@Entity({ tableName: 'runs' })
@Index({ properties: ['status', 'lastUpdateAt'] })
@Index({ properties: ['startedAt'] })
@Index({ properties: ['botId', 'status'] })
export class Run {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  /** The API key the bot used: one key per bot gives a per-bot dashboard. */
  @Property({ type: new BigIntType('number'), nullable: true })
  apiKeyId: number | null = null;

  /** The bot that owns the run (its key's bot: a rotated key keeps its bot's runs); other bots get 404. */
  @Property({ type: new BigIntType('number'), nullable: true })
  botId: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  configId: number | null = null;

  @Property({ type: 'text' })
  mode!: RunMode;

  @Property({ type: 'text' })
  status: RunStatus = 'running';

  @Property({ type: 'decimal', nullable: true })
  startingBankroll: string | null = null;

  @Property({ type: 'timestamptz' })
  startedAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  lastUpdateAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  stoppedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  /** The latest value of every contract metric key (money as decimal strings). */
  @Property({ type: 'jsonb' })
  metrics: Record<string, unknown> = {};

  /** The latest value of every key this server does not know, as the bot sent it. */
  @Property({ type: 'jsonb' })
  extra: Record<string, unknown> = {};

  @Property({ type: 'decimal', nullable: true })
  totalPnl: string | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  totalFills: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  totalOrders: number | null = null;

  @Property({ type: 'integer', nullable: true })
  overallScore: number | null = null;

  /** The body of the first run/stop response; a repeated stop answers with it. */
  @Property({ type: 'jsonb', nullable: true })
  stopResult: Record<string, unknown> | null = null;
}
