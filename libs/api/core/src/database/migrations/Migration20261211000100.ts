import { Migration } from '@mikro-orm/migrations';

/**
 * Fleet control, second part:
 * - bot_config_spans: the versions each bot was served and when, one row per unbroken span of one
 *   version (and pause state), from its config polls: "the versions it ran and when" on its page.
 * - markets by condition id and Down token: the exposure view looks windows up by either.
 */
export class Migration20261211000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table bot_config_spans (
        id bigint generated always as identity primary key,
        bot_id bigint not null,
        config_id bigint not null,
        paused boolean not null,
        started_at timestamptz not null,
        last_seen_at timestamptz not null
      );
      create index bot_config_spans_bot_id_id_index on bot_config_spans (bot_id, id);
      insert into bot_config_spans (bot_id, config_id, paused, started_at, last_seen_at)
        select bot_id, config_id, paused, polled_at, polled_at from bot_polls;
      create index markets_condition_id_index on markets (condition_id);
      create index markets_token_id_down_index on markets (token_id_down);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(
      'drop index markets_token_id_down_index; drop index markets_condition_id_index; drop table bot_config_spans;',
    );
  }
}
