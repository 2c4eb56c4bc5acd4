import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsconfig-paths';
import type { TestPostgres } from '@polymaker/testing';

declare global {
  var __TEST_POSTGRES__: TestPostgres | undefined;
}

// Jest loads globalSetup outside its module resolver: teach Node the workspace path aliases.
const root = join(__dirname, '../../../..');
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
register({ baseUrl: root, paths: compilerOptions.paths });

/** One PostgreSQL server for the whole run; each spec file creates its own database on it. */
export default async function globalSetup(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestPostgres } = require('@polymaker/testing') as typeof import('@polymaker/testing');
  const postgres = await startTestPostgres();
  globalThis.__TEST_POSTGRES__ = postgres;
  process.env['PM_TEST_PG_URL'] = postgres.serverUrl;
}
