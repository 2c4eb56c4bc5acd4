import { Migration } from '@mikro-orm/migrations';

/**
 * Time under each version (the analysis cuts runs into segments by the version their bot was served):
 * - runs by their end (their stop, else their last report): the runs overlapping a time range are
 *   found from both ends (started before its end, ended after its start) instead of walking every
 *   run started before the range's end;
 * - trades by run and time: a segment's orders, fills and P&L are one index range per segment;
 * - bot_config_spans by bot and start: the spans of a range, and the one in force at its start.
 */
export class Migration20261212000300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index runs_ended_at_index on runs ((coalesce(stopped_at, last_update_at)));
      create index trades_run_id_created_at_index on trades (run_id, created_at);
      create index bot_config_spans_bot_id_started_at_index on bot_config_spans (bot_id, started_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(
      'drop index bot_config_spans_bot_id_started_at_index; drop index trades_run_id_created_at_index; drop index runs_ended_at_index;',
    );
  }
}
