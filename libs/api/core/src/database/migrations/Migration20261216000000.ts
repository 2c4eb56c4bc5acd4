import { Migration } from '@mikro-orm/migrations';

/**
 * `trades` loses its `(bot_id, id)` index: `(bot_id, asset, id)` serves a bot's trades page as well
 * (the bot's assets by a loose scan of it, each asset's newest trades from it, merged by id), and
 * every index of `trades` is one more entry written by every insert. With it the partitioned table
 * had one index more than the table before partitioning, and its inserts were that much slower.
 */
export class Migration20261216000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop index if exists trades_bot_id_id_index;');
  }

  override async down(): Promise<void> {
    this.addSql('create index if not exists trades_bot_id_id_index on trades (bot_id, id);');
  }
}
