import { Migration } from '@mikro-orm/migrations';

/**
 * notifications.bot_id: the bot a notification is about (its run's bot, or a low balance's `bot:<id>`
 * source), so a bot's page lists its alerts from an index, not by scanning the inbox.
 */
export class Migration20261211000300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table notifications add column bot_id bigint;
      update notifications n set bot_id = r.bot_id from runs r where r.id = n.run_id and r.bot_id is not null;
      update notifications set bot_id = substring(data->>'source' from '^bot:([0-9]{1,18})$')::bigint
       where bot_id is null and kind = 'wallet-low' and data->>'source' ~ '^bot:[0-9]{1,18}$';
      create index notifications_bot_id_id_index on notifications (bot_id, id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop index notifications_bot_id_id_index; alter table notifications drop column bot_id;');
  }
}
