import { Migration } from '@mikro-orm/migrations';

/**
 * Leases instead of long transactions. A durable job is claimed by a short transaction that sets
 * `leased_until` and `lease_owner` (a token of that claim) and counts the attempt, then commits: the
 * handler's outside call (SMTP, a webhook) runs with no transaction open, and a second short
 * transaction records the outcome only while the lease is still that claim's. A claim whose worker
 * died comes back once `leased_until` has passed.
 *
 * `scheduler_leases`: the same for a scheduled job that calls out (the wallet poll's JSON-RPC read):
 * one row per job, taken by one instance until `leased_until`.
 */
export class Migration20261213000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table outbox_jobs add column leased_until timestamptz, add column lease_owner text;
      create table scheduler_leases (
        job text primary key,
        leased_until timestamptz not null,
        lease_owner text not null
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(
      'drop table scheduler_leases; alter table outbox_jobs drop column leased_until, drop column lease_owner;',
    );
  }
}
