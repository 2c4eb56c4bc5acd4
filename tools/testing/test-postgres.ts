import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, escapeLiteral } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '@polymaker/api/embedded-postgres';

/**
 * A PostgreSQL server for tests: DATABASE_URL's server when given, else an embedded one in a fresh
 * temporary directory. Each suite asks for its own database.
 */
export interface TestPostgres {
  /** URL of the server's maintenance database. */
  serverUrl: string;
  createDatabase(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  let embedded: EmbeddedPostgres | null = null;
  let dir: string | null = null;
  let serverUrl: string;
  if (given) {
    serverUrl = given;
  } else {
    dir = mkdtempSync(join('/tmp', 'polymaker-test-pg-'));
    chmodSync(dir, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
    serverUrl = embedded.url;
  }
  return {
    serverUrl,
    createDatabase: (prefix) => createDatabase(serverUrl, prefix),
    stop: async () => {
      if (embedded) await embedded.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh database on that server. `timeZone` sets its default session time zone (a server set up in
 * another zone than UTC, as Debian's PostgreSQL takes the machine's): what the API reads must not change.
 */
export async function createDatabase(
  serverUrl: string,
  prefix: string,
  options: { timeZone?: string } = {},
): Promise<string> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
    if (options.timeZone)
      await client.query(`alter database "${name}" set timezone to ${escapeLiteral(options.timeZone)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
