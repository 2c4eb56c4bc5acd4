import { Migration } from '@mikro-orm/migrations';

/**
 * Every value a bot sends fits the column it lands in, exactly:
 * - money, prices and sizes become unscaled `numeric`: a bot's float (repr() noise such as
 *   0.30000000000000004 or 1.2345678901234567e-05 included) is stored digit for digit instead of being
 *   rounded to the old scale (or to 0, which then failed `size > 0`). The API bounds what it accepts
 *   (at most 40 significant digits and 40 decimal places, a range per field), so values stay small.
 *   Removing a numeric's precision needs no table rewrite; the range checks stay. The last wallet
 *   balance a bot reported is kept the same way.
 * - counters a bot sends (cycle, total fills and orders) and the report count become bigint:
 *   a millisecond timestamp as cycle, or 3,000,000,000 fills, fit.
 */
export class Migration20261203000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table runs
        alter column starting_bankroll type numeric,
        alter column total_pnl type numeric,
        alter column total_fills type bigint,
        alter column total_orders type bigint;
      alter table trades
        alter column cycle type bigint,
        alter column price type numeric,
        alter column size type numeric,
        alter column fill_price type numeric,
        alter column fill_size type numeric,
        alter column pnl type numeric;
      alter table markets
        alter column report_count type bigint;
      alter table wallet_alert_states
        alter column last_balance type numeric;
    `);
  }
}
