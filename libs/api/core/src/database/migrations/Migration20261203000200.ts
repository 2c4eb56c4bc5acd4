import { Migration } from '@mikro-orm/migrations';

/**
 * Bots are isolated from each other. A bot is one bot API key and every key rotated from it:
 * `api_keys.bot_id` is the id of the first key of the rotation chain. Runs, their trades and the
 * markets a bot reports carry that bot id, so a bot's request can be checked against its own rows in
 * the same statement that reads them. Reported markets are kept per bot (one row per bot and token);
 * the watchlist groups them by token.
 */
export class Migration20261203000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table api_keys add column bot_id bigint;
      with recursive chain (id, bot_id) as (
        select id, id from api_keys where rotated_from_id is null
        union all
        select k.id, c.bot_id from api_keys k join chain c on k.rotated_from_id = c.id
      )
      update api_keys k set bot_id = c.bot_id from chain c where c.id = k.id;
      update api_keys set bot_id = id where bot_id is null;
      alter table api_keys alter column bot_id set not null;
      create index api_keys_bot_id_index on api_keys (bot_id);

      alter table runs add column bot_id bigint;
      update runs r set bot_id = k.bot_id from api_keys k where k.id = r.api_key_id;
      create index runs_bot_id_status_index on runs (bot_id, status);

      alter table trades add column bot_id bigint;
      update trades t set bot_id = r.bot_id from runs r where r.id = t.run_id and r.bot_id is not null;

      alter table markets add column bot_id bigint;
      update markets m set bot_id = k.bot_id from api_keys k where k.id = m.last_api_key_id;
      alter table markets drop constraint markets_token_id_key;
      create unique index markets_token_id_bot_id_unique on markets (token_id, bot_id);
      create index markets_last_reported_at_index on markets (last_reported_at);
    `);
  }
}
