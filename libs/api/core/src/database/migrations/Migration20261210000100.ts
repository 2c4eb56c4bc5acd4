import { Migration } from '@mikro-orm/migrations';

/** When the last low-balance alert of each source went out: another waits WALLET_ALERT_COOLDOWN_MINUTES. */
export class Migration20261210000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table wallet_alert_states add column last_alert_at timestamptz;');
    // Sources below the threshold now were alerted when they crossed: their cooldown counts from then.
    this.addSql('update wallet_alert_states set last_alert_at = changed_at where below and alerts > 0;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table wallet_alert_states drop column last_alert_at;');
  }
}
