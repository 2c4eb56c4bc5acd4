import { Migration } from '@mikro-orm/migrations';

/**
 * Fleet pages: a bot filter on trades and analyses, and the watchlist search.
 *
 * - `trades (bot_id, id)`: the trades list filtered by bot reads one bot's newest trades from this
 *   index instead of walking the primary key past every other bot's trades.
 * - `analyses.bot_id`: the bot of the analysed run, copied at insert like `trades.bot_id` (a run
 *   never changes bot), with `(bot_id, id)` so the Analysis page's bot filter reads one bot's rows.
 * - `markets (asset, expires_at)`: the watchlist's asset choices by a loose index scan (one descent
 *   per asset and one probe for a live market of it), not a read of every market.
 * - The watchlist search (`ILIKE` on asset and slug) is helped by a trigram index when the server
 *   has pg_trgm (a trusted extension since PostgreSQL 13; the embedded server ships it). Where it
 *   cannot be created the search still works, reading the rows the list reads anyway.
 */
export class Migration20261211000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index trades_bot_id_id_index on trades (bot_id, id);

      alter table analyses add column bot_id bigint;
      update analyses a set bot_id = r.bot_id from runs r where r.id = a.run_id and r.bot_id is not null;
      create index analyses_bot_id_id_index on analyses (bot_id, id);

      create index markets_asset_expires_at_index on markets (asset, expires_at);

      do $$
      begin
        begin
          create extension if not exists pg_trgm;
        exception when others then
          raise notice 'pg_trgm is not available (%): the markets search runs without its index', sqlerrm;
        end;
        if exists (select 1 from pg_extension where extname = 'pg_trgm') then
          execute 'create index markets_search_trgm_index on markets using gin ((asset || '' '' || coalesce(window_id, '''')) gin_trgm_ops)';
        end if;
      end
      $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index if exists markets_search_trgm_index;
      drop index if exists markets_asset_expires_at_index;
      drop index if exists analyses_bot_id_id_index;
      alter table analyses drop column bot_id;
      drop index if exists trades_bot_id_id_index;
    `);
  }
}
