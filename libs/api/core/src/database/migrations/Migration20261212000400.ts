import { Migration } from '@mikro-orm/migrations';

/**
 * experiments: two or more config versions compared over the segments run with them (the first is
 * the baseline), on some bots or all, from started_at until ended_at; promoted_* says which version
 * won and where it went (the fleet default or a tag).
 */
export class Migration20261212000400 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table experiments (
        id bigint generated always as identity primary key,
        name text not null,
        config_ids bigint[] not null,
        bot_ids bigint[] not null default '{}',
        status text not null default 'running' check (status in ('running', 'stopped', 'promoted')),
        started_at timestamptz not null default now(),
        ended_at timestamptz,
        created_by text,
        source_analysis_id bigint,
        promoted_config_id bigint,
        promoted_to text,
        note text
      );
      create index experiments_started_at_index on experiments (started_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table experiments;');
  }
}
