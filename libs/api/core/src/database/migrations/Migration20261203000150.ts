import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency records of API key creations and rotations stored the response, the key's secret
 * included. New records keep only the key's view; this clears the secret from the ones left.
 */
export class Migration20261203000150 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      update idempotency_records
         set response_body = jsonb_set(response_body, '{secret}', 'null'::jsonb)
       where jsonb_typeof(response_body) = 'object'
         and response_body ? 'secret'
         and response_body->'secret' <> 'null'::jsonb;
    `);
  }
}
