import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes measured against 1,000,000 trades: the watchlist counts trades per token with an
 * index-only scan, and the trades explorer's keyset pages sorted by price or size read an index
 * instead of sorting the table.
 */
export class Migration20261202000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index trades_token_id_created_at_index on trades (token_id, created_at);
      drop index if exists trades_token_id_index;
      create index trades_price_id_index on trades (price, id);
      create index trades_size_id_index on trades (size, id);
    `);
  }
}
