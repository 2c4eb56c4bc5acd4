import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Every channel a notification is delivered on. */
export const DELIVERY_CHANNELS = ['email', 'webhook', 'telegram'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** The delivery log: one row per notification and channel, with its attempts and last error. */
@Entity({ tableName: 'notification_deliveries' })
export class NotificationDelivery {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number') })
  notificationId!: number;

  @Property({ type: 'text' })
  channel!: DeliveryChannel;

  /** Recipients or the (masked) URL, as they were when the notification was made. */
  @Property({ type: 'text' })
  target!: string;

  @Property({ type: 'text' })
  status: DeliveryStatus = 'pending';

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'jsonb' })
  detail: Record<string, unknown> = {};

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
