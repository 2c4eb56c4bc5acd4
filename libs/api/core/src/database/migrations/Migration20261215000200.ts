import { Migration } from '@mikro-orm/migrations';

/**
 * The trades page's bot + asset index without `status`. With `status` in an index, the update that
 * fills a trade (placed → filled, a bot's most frequent write) could never be a HOT update: it wrote
 * a new entry into each of the table's ten indexes instead of none (the A/B bench found half the
 * trade/updates non-HOT, against one in eight before the index). A filter on status now reads the
 * bot's trades of that asset newest first and keeps the matches: immediate for the statuses most
 * trades have, longer for a rare one (see the README's history figures).
 */
export class Migration20261215000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      drop index if exists trades_bot_id_asset_status_id_index;
      create index trades_bot_id_asset_id_index on trades (bot_id, asset, id);
    `);
  }
}
