import { Migration } from '@mikro-orm/migrations';

/** The suggestions weigh a run's effects with the latest analyses of other runs on the same config version: read by (config_id, run_id). */
export class Migration20261211000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index analyses_config_id_run_id_id_index on analyses (config_id, run_id, id);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index analyses_config_id_run_id_id_index;');
  }
}
