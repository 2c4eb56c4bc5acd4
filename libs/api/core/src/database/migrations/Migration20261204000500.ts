import { Migration } from '@mikro-orm/migrations';

/**
 * The metric series carries the key and bot that pushed each point, so the wallet (and later a bot's
 * own page) reads balances from the metrics module alone instead of joining the runs table.
 */
export class Migration20261204000500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table run_metric_points add column if not exists api_key_id bigint, add column if not exists bot_id bigint;
      update run_metric_points p set api_key_id = r.api_key_id, bot_id = r.bot_id from runs r where r.id = p.run_id;
      create index if not exists run_metric_points_wallet_by_key
        on run_metric_points (api_key_id, at desc, id desc) where (metric_values ->> 'walletBalance') is not null;
    `);
  }
}
