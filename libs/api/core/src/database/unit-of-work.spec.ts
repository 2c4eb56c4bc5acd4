import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { EmbeddedPostgres, startEmbeddedPostgres } from '@polymaker/api/embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DomainEvent } from '../events/domain-events';
import { readSettings } from '../settings/settings';
import { UnitOfWork } from './unit-of-work';

class Noted extends DomainEvent {
  static readonly eventName = 'test.noted';
  readonly eventName = Noted.eventName;
  constructor(readonly label: string) {
    super();
  }
}

/** The unit of work against a real PostgreSQL: what commits, what rolls back, which events go out. */
describe('UnitOfWork', () => {
  let pg: EmbeddedPostgres;
  let dir: string;
  let orm: MikroORM;
  let uow: UnitOfWork;
  const emitted: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join('/tmp', 'polymaker-uow-pg-'));
    chmodSync(dir, 0o755);
    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
    const databaseUrl = pg.url;
    orm = await MikroORM.init({
      driver: PostgreSqlDriver,
      clientUrl: databaseUrl,
      entities: [],
      discovery: { warnWhenNoEntities: false },
    });
    await orm.em.fork().execute('create table notes (label text not null)');
    // a server installed in another zone than UTC (Debian's PostgreSQL takes the machine's)
    await orm.em.fork().execute("alter database postgres set timezone to 'America/New_York'");
    const emitter = new EventEmitter2();
    emitter.on(Noted.eventName, (event: Noted) => emitted.push(event.label));
    uow = new UnitOfWork(orm.em, emitter, orm, readSettings({ DATABASE_URL: databaseUrl }));
    // owed work of an event: written in the transaction that publishes it
    uow.listenInTransaction<Noted>(Noted.eventName, (event, sql) =>
      sql.query('insert into notes (label) values ($1)', [`owed ${event.label}`]).then(() => undefined),
    );
  }, 120_000);
  afterAll(async () => {
    await uow?.onApplicationShutdown();
    await orm?.close(true);
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    emitted.length = 0;
    await orm.em.fork().execute('truncate notes');
  });
  const labels = async () =>
    (await orm.em.fork().execute<{ label: string }[]>('select label from notes order by label')).map(
      (row) => row.label,
    );

  it("runs raw SQL in UTC whatever the database's default zone (day arithmetic and series stay on UTC days)", async () => {
    const [zone] = await uow.sql((sql) => sql.query<{ TimeZone: string }>('show timezone'));
    expect(zone.TimeZone).toBe('UTC');
    const days = await uow.sql((sql) =>
      sql.query<{ d: string }>(
        "select to_char(d at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as d from generate_series('2026-10-31 00:00Z'::timestamptz, '2026-11-02 00:00Z', interval '1 day') d",
      ),
    );
    expect(days.map((row) => row.d)).toEqual(['2026-10-31 00:00', '2026-11-01 00:00', '2026-11-02 00:00']);
  });

  it('drops the events of a failed savepoint with its writes; the outer unit commits the rest and emits its own', async () => {
    await uow.run(async (em) => {
      await em.execute("insert into notes (label) values ('outer')");
      uow.publish(new Noted('before'));
      await expect(
        uow.savepoint(async (inner) => {
          await inner.execute("insert into notes (label) values ('inner')");
          uow.publish(new Noted('inside'));
          throw new Error('the nested work failed');
        }),
      ).rejects.toThrow('the nested work failed');
      uow.publish(new Noted('after'));
    });
    expect(await labels()).toEqual(['outer', 'owed after', 'owed before']);
    expect(emitted).toEqual(['before', 'after']);
  });

  it('keeps the writes and events of a savepoint that succeeds', async () => {
    await uow.run(async () => {
      await uow.savepoint(async (inner) => {
        await inner.execute("insert into notes (label) values ('inner')");
        uow.publish(new Noted('inside'));
      });
    });
    expect(await labels()).toEqual(['inner', 'owed inside']);
    expect(emitted).toEqual(['inside']);
  });

  it('emits nothing and keeps nothing when the whole unit fails', async () => {
    await expect(
      uow.run(async (em) => {
        await em.execute("insert into notes (label) values ('outer')");
        uow.publish(new Noted('lost'));
        throw new Error('the unit failed');
      }),
    ).rejects.toThrow('the unit failed');
    expect(await labels()).toEqual([]);
    expect(emitted).toEqual([]);
  });

  it('answers a control read while every connection of the main pool is taken by slow writes', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((done) => (release = done));
    // 20 units of work hold the main pool (its size) and one more waits for a connection.
    const writes = Array.from({ length: 21 }, () =>
      uow.sql(async (sql) => {
        await sql.query("insert into notes (label) values ('slow')");
        await held;
      }),
    );
    await new Promise((done) => setTimeout(done, 200));
    expect(uow.sqlPoolWaiting).toBeGreaterThan(0);
    const [row] = await uow.sql((sql) => sql.query<{ answer: number }>('select 42 as answer'), {
      control: true,
    });
    expect(row.answer).toBe(42);
    release();
    await Promise.all(writes);
    expect((await labels()).filter((label) => label === 'slow')).toHaveLength(21);
  });
});
