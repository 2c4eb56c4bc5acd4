import { Migration } from '@mikro-orm/migrations';

/** notification_deliveries: Telegram is a delivery channel beside email and the webhook. */
export class Migration20261213000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table notification_deliveries drop constraint if exists notification_deliveries_channel_check;
      alter table notification_deliveries add constraint notification_deliveries_channel_check
        check (channel in ('email', 'webhook', 'telegram'));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      delete from notification_deliveries where channel = 'telegram';
      alter table notification_deliveries drop constraint if exists notification_deliveries_channel_check;
      alter table notification_deliveries add constraint notification_deliveries_channel_check
        check (channel in ('email', 'webhook'));
    `);
  }
}
