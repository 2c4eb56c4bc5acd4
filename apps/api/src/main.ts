import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { SwaggerModule } from '@nestjs/swagger';
import { ApiKeysService } from '@polymaker/api/auth';
import { ConfigService } from '@polymaker/api/config';
import {
  createRootLogger,
  EmbeddedPostgres,
  loadDotEnv,
  readSettings,
  Settings,
  SettingsError,
  superviseEmbeddedPostgres,
  SupervisorEvent,
} from '@polymaker/api/core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { serveAdminApp } from './admin-app';
import { createApp } from './bootstrap';
import { buildOpenApiDocument } from './openapi';

const SHUTDOWN_TIMEOUT_MS = 20_000;

function serverVersion(): string {
  const file = resolve(process.cwd(), 'package.json');
  if (!existsSync(file)) return '0.0.0';
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
}

function settingsOrExit(): Settings {
  loadDotEnv();
  try {
    return readSettings();
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`${error.message}\nFix the environment (or .env) and start again.\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** `main.js --write-openapi FILE`: writes the spec without any database. */
async function writeOpenApi(file: string): Promise<void> {
  const settings = settingsOrExit();
  const logger = createRootLogger('warn');
  const version = serverVersion();
  const app = await createApp({
    settings,
    databaseUrl: 'postgresql://localhost/unused',
    version,
    logger,
    connect: false,
  });
  await app.init();
  writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(app, version), null, 2)}\n`);
  await app.close();
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Instances started together on one database (`docker compose up` with replicas) take turns here: the
 * migrations, the key seed and the first config version run under a session advisory lock, so the next
 * instance finds them done instead of racing them (two `create table api_keys` at once: one start fails).
 */
async function oneStartAtATime<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtextextended('polymaker-startup', 0))");
    return await work();
  } finally {
    await client.end().catch(() => undefined); // the session's end releases the lock
  }
}

/** The embedded PostgreSQL's supervisor: an unexpected exit is an error; the restart says when it is back. */
function logSupervisor(logger: ReturnType<typeof createRootLogger>, event: SupervisorEvent): void {
  const entry = { component: 'postgres', ...event };
  if (event.type === 'exited') logger.error(entry, 'embedded PostgreSQL exited unexpectedly; restarting it');
  else if (event.type === 'restarted')
    logger.warn(entry, 'embedded PostgreSQL restarted; database connections recover on their own');
  else logger.warn(entry, 'embedded PostgreSQL did not restart yet; trying again');
}

async function serve(): Promise<void> {
  const settings = settingsOrExit();
  const logger = createRootLogger(settings.logLevel);
  const version = serverVersion();
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = settings.databaseUrl;
  if (!databaseUrl) {
    embedded = await superviseEmbeddedPostgres({
      dataDir: join(settings.dataDir, 'postgres'),
      log: (line) => logger.debug({ component: 'postgres' }, line),
      onEvent: (event) => logSupervisor(logger, event),
    });
    databaseUrl = await ensureDatabase(embedded.url, 'polymaker');
    logger.info({ dataDir: settings.dataDir, port: embedded.port }, 'embedded PostgreSQL started');
  }

  const app = await createApp({ settings, databaseUrl, version, logger });
  const orm = app.get(MikroORM);
  const { generatedAdminKey } = await oneStartAtATime(databaseUrl, async () => {
    const applied = await orm.getMigrator().up();
    if (applied.length > 0)
      logger.info({ migrations: applied.map((m) => m.name) }, 'database migrations applied');
    const seeded = await app.get(ApiKeysService).seed();
    await app.get(ConfigService).ensureInitialVersion();
    return seeded;
  });

  const adminRoot = await serveAdminApp(app, settings.adminDistDir);
  const document = buildOpenApiDocument(app, version);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'PolyMaker API',
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      await app.close();
      if (embedded) await embedded.stop();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: settings.port, host: settings.host, backlog: settings.resilience.listenBacklog });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const base = `http://localhost:${port}`;
  logger.info({ port, version }, 'Command Center listening');
  const lines = [
    '',
    `  PolyMaker Command Center ${version} is running`,
    `  Admin app   ${adminRoot ? `${base}/` : 'not built (npx nx build admin)'}`,
    `  Bot API     ${base}/api/bot   (POLYMAKER_URL=${settings.publicUrl})`,
    `  Admin API   ${base}/api/v1`,
    `  API docs    ${base}/docs      (spec: ${base}/docs-json)`,
    `  Database    ${embedded ? `embedded PostgreSQL, data in ${settings.dataDir}` : 'DATABASE_URL'}`,
  ];
  if (generatedAdminKey) {
    lines.push(
      '',
      '  No admin key existed, so one was generated. It is shown this once; store it now:',
      `    ADMIN API KEY: ${generatedAdminKey}`,
      '  (or set ADMIN_API_KEY in .env before the first start)',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

const openapiFlag = process.argv.indexOf('--write-openapi');
const task =
  openapiFlag >= 0 ? writeOpenApi(resolve(process.argv[openapiFlag + 1] ?? 'openapi.json')) : serve();
task.catch((error: Error) => {
  process.stderr.write(`Command Center failed to start: ${error.message}\n${error.stack ?? ''}\n`);
  process.exit(1);
});
