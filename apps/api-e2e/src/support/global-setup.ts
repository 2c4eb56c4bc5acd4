import './register-paths';
import { startTestPostgres, TestPostgres } from '@polymaker/testing';

declare global {
  var __TEST_POSTGRES__: TestPostgres | undefined;
}

/** One PostgreSQL server for the whole run; each spec file creates its own database on it. */
export default async function globalSetup(): Promise<void> {
  const postgres = await startTestPostgres();
  globalThis.__TEST_POSTGRES__ = postgres;
  process.env['PM_TEST_PG_URL'] = postgres.serverUrl;
}
