import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { NotificationKind, Severity } from '../notification-content';

/** One notification: what the in-app inbox shows, and what every channel delivers. */
@Entity({ tableName: 'notifications' })
export class Notification {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: 'text' })
  kind!: NotificationKind;

  @Property({ type: 'text' })
  severity!: Severity;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text' })
  bodyText!: string;

  @Property({ type: 'text' })
  bodyHtml!: string;

  @Property({ type: 'text', nullable: true })
  link: string | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  runId: number | null = null;

  /** The bot it is about (its run's, or a low balance's source), for a bot's page; null: none (a test, a watched address). */
  @Property({ type: new BigIntType('number'), nullable: true })
  botId: number | null = null;

  /** The content it was rendered from (facts, paragraphs), for webhooks and the admin app. */
  @Property({ type: 'jsonb' })
  data: Record<string, unknown> = {};

  @Property({ type: 'text', nullable: true, unique: true })
  dedupeKey: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  readAt: Date | null = null;
}
