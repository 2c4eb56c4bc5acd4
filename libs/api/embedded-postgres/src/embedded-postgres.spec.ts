import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, superviseEmbeddedPostgres, SupervisorEvent } from './embedded-postgres';

/**
 * Starts the real PostgreSQL binaries the way `npm start` does on a fresh checkout: DATA_DIR does
 * not exist yet (and, as root, PostgreSQL must run as the postgres user and reach it).
 */
describe('startEmbeddedPostgres', () => {
  jest.setTimeout(60_000);
  let root: string;

  beforeEach(() => {
    root = mkdtempSync('/tmp/embedded-pg-spec-');
    chmodSync(root, 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates DATA_DIR, starts, answers queries and keeps its data across restarts', async () => {
    const dataDir = join(root, '.data', 'postgres');
    const first = await startEmbeddedPostgres({ dataDir });
    const client = new Client({ connectionString: first.url });
    await client.connect();
    await client.query('create table kept (v int); insert into kept values (42)');
    await client.end();
    await first.stop();
    expect(statSync(join(root, '.data')).mode & 0o001).toBe(0o001);

    const second = await startEmbeddedPostgres({ dataDir });
    const again = new Client({ connectionString: second.url });
    await again.connect();
    expect((await again.query('select v from kept')).rows).toEqual([{ v: 42 }]);
    await again.end();
    await second.stop();
  });

  it('repairs a DATA_DIR an earlier run left closed (0700)', async () => {
    const dataRoot = join(root, '.data');
    mkdirSync(dataRoot, { mode: 0o700 });
    chmodSync(dataRoot, 0o700);
    const pg = await startEmbeddedPostgres({ dataDir: join(dataRoot, 'postgres') });
    await pg.stop();
    expect(statSync(dataRoot).mode & 0o001).toBe(0o001);
  });

  it('supervised: restarts a killed server on the same data and port, and stops for good when asked', async () => {
    const events: SupervisorEvent[] = [];
    const pg = await superviseEmbeddedPostgres({
      dataDir: join(root, '.data', 'postgres'),
      onEvent: (event) => events.push(event),
    });
    const first = new Client({ connectionString: pg.url });
    await first.connect();
    await first.query('create table kept (v int); insert into kept values (7)');
    first.on('error', () => undefined);
    const killed = pg.pid as number;
    process.kill(killed, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (pg.restarts() === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    expect(pg.restarts()).toBe(1);
    expect(pg.pid).not.toBe(killed);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['exited', 'restarted']));
    const again = new Client({ connectionString: pg.url });
    await again.connect();
    expect((await again.query('select v from kept')).rows).toEqual([{ v: 7 }]);
    await again.end();
    const exited = pg.exited;
    await pg.stop();
    await exited;
    await new Promise((done) => setTimeout(done, 1000));
    expect(pg.restarts()).toBe(1); // a requested stop is not restarted
    await first.end().catch(() => undefined);
  });
});
