import { Migration } from '@mikro-orm/migrations';
import { pnlRollupTable, pnlTriggerFunctions } from './Migration20261214000000';

/**
 * Realised P&L by UTC day, bot, asset and window (`pnl_daily`, owned by the trades lib), kept by the
 * same trigger functions as `pnl_hourly` (one more upsert per statement that writes resolved trades):
 * a calendar of weeks or months reads a whole UTC day inside one bucket as one row instead of 24.
 * Filled from the hourly rows, which hold the existing trades exactly.
 */
export class Migration20261214000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ${pnlRollupTable('day')}
      ${pnlTriggerFunctions(['hour', 'day'])}

      insert into pnl_daily (day, bot_id, asset, window_duration, pnl, trades, wins, losses)
      select date_trunc('day', hour, 'UTC'), bot_id, asset, window_duration, sum(pnl), sum(trades), sum(wins), sum(losses)
        from pnl_hourly
       group by 1, bot_id, asset, window_duration;
      analyze pnl_daily;
    `);
  }
}
