import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One change made through the admin API: who (the key's id, and its name and scope at the time),
 * when, what (action and target) and the state before and after, with every secret redacted.
 * Written in the same transaction as the change, so a change and its entry commit or fail together.
 */
@Entity({ tableName: 'audit_entries' })
export class AuditEntry {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: 'timestamptz' })
  at: Date = new Date();

  @Property({ type: new BigIntType('number'), nullable: true })
  apiKeyId: number | null = null;

  @Property({ type: 'text', nullable: true })
  apiKeyName: string | null = null;

  @Property({ type: 'text', nullable: true })
  scope: string | null = null;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text' })
  targetType!: string;

  @Property({ type: 'text', nullable: true })
  targetId: string | null = null;

  @Property({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null = null;

  @Property({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null = null;

  @Property({ type: 'text', nullable: true })
  requestId: string | null = null;
}
