import { Migration } from '@mikro-orm/migrations';

/**
 * Fleet control (owned by the fleet lib):
 * - bot_profiles: a bot's tags (a bot is the first key of its rotation chain: api_keys.bot_id);
 * - config_assignments: a config version assigned to one bot or to a tag, over the fleet default
 *   (the active version); at most one per bot and one per tag;
 * - fleet_pauses: the brake as a state over the served config (fleet, a tag or one bot), not a new
 *   config version; a resume deletes the row (the audit log keeps both);
 * - bot_polls: what each bot was last served by GET /api/bot/config, and when (written from memory,
 *   at most once a second per instance, not once per poll).
 */
export class Migration20261210000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table bot_profiles (
        bot_id bigint primary key,
        tags text[] not null default '{}',
        updated_at timestamptz not null default now()
      );
      create index bot_profiles_tags_idx on bot_profiles using gin (tags);

      create table config_assignments (
        id bigserial primary key,
        target_kind text not null check (target_kind in ('bot', 'tag')),
        target text not null,
        config_id bigint not null references config_versions (id),
        assigned_at timestamptz not null default now(),
        assigned_by text,
        unique (target_kind, target)
      );

      create table fleet_pauses (
        id bigserial primary key,
        target_kind text not null check (target_kind in ('fleet', 'tag', 'bot')),
        target text not null default '',
        paused_at timestamptz not null default now(),
        paused_by text,
        unique (target_kind, target)
      );

      create table bot_polls (
        bot_id bigint primary key,
        api_key_id bigint not null,
        config_id bigint not null,
        paused boolean not null,
        polled_at timestamptz not null
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(
      'drop table bot_polls; drop table fleet_pauses; drop table config_assignments; drop table bot_profiles;',
    );
  }
}
