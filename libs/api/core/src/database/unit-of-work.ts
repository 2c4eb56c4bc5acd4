import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Pool } from 'pg';
import { isDatabaseUnavailable } from '../errors/database-unavailable';
import type { DomainEvent } from '../events/domain-events';
import { SETTINGS, Settings } from '../settings/settings';
import { ClientSql, EntityManagerSql, Sql } from './sql';

interface Scope {
  /** The ORM's transaction, or null in a plain SQL transaction. */
  em: EntityManager | null;
  sql: Sql;
  events: DomainEvent[];
  /** How many of `events` have had their in-transaction listeners run. */
  dispatched: number;
}

/** Runs inside the transaction of the write that published the event: its writes commit (or roll back) with it. */
export type TransactionListener<E extends DomainEvent = DomainEvent> = (event: E, sql: Sql) => Promise<void>;

/** One database pool's connections now (GET /metrics). */
export interface PoolUse {
  pool: 'main' | 'control' | 'orm';
  /** Connections open (busy and idle). */
  open: number;
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
  max: number;
}

/** Connections of the plain SQL pool (the ORM has its own pool of the same size). */
const SQL_POOL_MAX = 20;
/**
 * Connections of the control pool: the short reads every request depends on (the API keys'
 * fingerprint and lookups) run there, so they never wait behind a burst of writes queued for the
 * main pool. Without it, a fleet-wide burst kept the fingerprint check waiting past the key cache's
 * period, every cached key lapsed, and every request (GET /config too) queued for a key lookup.
 */
const CONTROL_POOL_MAX = 2;

/**
 * One database transaction per unit of work, joined by every nested call, with domain events
 * collected on the way and emitted only after the outermost commit: a listener never sees an
 * event for data that was rolled back. In-transaction listeners (owed data that must commit with
 * the write, e.g. the metric series of run.updated) run just before the commit.
 *
 * Two kinds of transaction: `run` (MikroORM, for entity work) and `sql` (plain SQL on a pg pool of
 * the same database: the bot's hot write paths). A `sql` unit nested in a `run` joins the ORM's
 * transaction; a `run` cannot join a plain SQL transaction.
 */
@Injectable()
export class UnitOfWork implements OnApplicationShutdown {
  private readonly logger = new Logger(UnitOfWork.name);
  private readonly scope = new AsyncLocalStorage<Scope>();
  private readonly inTransaction = new Map<string, TransactionListener[]>();
  private sqlPool: Pool | null = null;
  private controlPool: Pool | null = null;

  constructor(
    private readonly em: EntityManager,
    private readonly emitter: EventEmitter2,
    private readonly orm: MikroORM,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  /** Runs `work` in a transaction (or the one already open) and emits its events after commit. */
  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    if (current) {
      if (!current.em)
        throw new Error('uow.run() inside a plain SQL unit of work: this route must use uow.sql() only');
      return work(current.em);
    }
    const events: DomainEvent[] = [];
    const result = await this.em.fork().transactional((em) => {
      const scope: Scope = { em, sql: new EntityManagerSql(em), events, dispatched: 0 };
      return this.scope.run(scope, async () => {
        const value = await work(em);
        await this.runTransactionListeners(scope);
        return value;
      });
    });
    for (const event of events) this.emit(event);
    return result;
  }

  /**
   * A nested unit that may fail on its own inside an open `uow.run()` transaction: a savepoint. When
   * `work` throws, its writes roll back to the savepoint and the events it queued are dropped with
   * them (no listener ever sees an event for data that was rolled back); the outer unit goes on.
   */
  async savepoint<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    if (!current?.em) throw new Error('uow.savepoint() needs an open uow.run() transaction');
    const queued = current.events.length;
    const dispatched = current.dispatched;
    try {
      return await current.em.transactional((inner) => work(inner));
    } catch (error) {
      current.events.length = queued;
      current.dispatched = Math.min(dispatched, queued);
      throw error;
    }
  }

  /**
   * Runs `work` with plain SQL in a transaction (or the one already open, ORM or plain) and emits its
   * events after commit. `single`: the work is one statement, sent without BEGIN/COMMIT (autocommit)
   * unless a transaction is already open; it must not publish events with in-transaction listeners.
   * `control`: one statement on the control pool (see CONTROL_POOL_MAX), never in a transaction.
   */
  async sql<T>(
    work: (sql: Sql) => Promise<T>,
    options: { single?: boolean; control?: boolean } = {},
  ): Promise<T> {
    const current = options.control ? undefined : this.scope.getStore();
    if (current) return work(current.sql);
    const client = await (options.control ? this.pool('control') : this.pool('main')).connect();
    // A checked-out connection that dies (the database was killed) emits 'error': without a listener that
    // would end the process. The running query fails on its own; the connection is dropped, not reused.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    const release = () => {
      client.removeListener('error', onError);
      client.release(broken);
    };
    const single = options.single === true || options.control === true;
    const sql = new ClientSql(client, single);
    if (single) {
      // One autocommit statement: nothing to join and nothing to hold back (its events are emitted as
      // published, after the statement committed), so no async-local scope is entered for it.
      try {
        return await work(sql);
      } catch (error) {
        if (isDatabaseUnavailable(error)) broken ??= error as Error;
        throw error;
      } finally {
        release();
      }
    }
    const scope: Scope = { em: null, sql, events: [], dispatched: 0 };
    let result: T;
    try {
      result = await this.scope.run(scope, async () => {
        const value = await work(sql);
        await this.runTransactionListeners(scope);
        return value;
      });
      if (sql.inTransaction) await client.query('commit');
    } catch (error) {
      if (isDatabaseUnavailable(error)) broken ??= error as Error;
      if (sql.inTransaction && !broken) {
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
      }
      release();
      throw error;
    }
    release();
    for (const event of scope.events) this.emit(event);
    return result;
  }

  /** Whether the caller runs inside a unit of work (a transaction is open, or about to be). */
  get inUnitOfWork(): boolean {
    return this.scope.getStore() !== undefined;
  }

  /** Reads with a fresh entity manager (or the open transaction's, so a writer sees its own writes). */
  read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    return work(current?.em ?? this.em.fork());
  }

  /** Queues an event for after the commit; outside a transaction it is emitted at once. */
  publish(event: DomainEvent): void {
    const current = this.scope.getStore();
    const owed = this.inTransaction.has(event.eventName);
    if (owed && !current) {
      // Its in-transaction listeners need a transaction to write in: a programming error, not bad input.
      throw new Error(
        `${event.eventName} has in-transaction listeners: publish it inside uow.sql()/uow.run() without { single: true }`,
      );
    }
    if (current) current.events.push(event);
    else this.emit(event);
  }

  /** Whether an event has in-transaction listeners (a unit publishing it cannot be a single autocommit statement). */
  hasTransactionListeners(eventName: string): boolean {
    return this.inTransaction.has(eventName);
  }

  /**
   * Registers a listener that runs inside the transaction of every unit of work publishing
   * `eventName`, before it commits (owed work: the metric point, the outbox job); a listener that
   * throws rolls the whole unit of work back.
   */
  listenInTransaction<E extends DomainEvent>(eventName: string, listener: TransactionListener<E>): void {
    const list = this.inTransaction.get(eventName) ?? [];
    list.push(listener as TransactionListener);
    this.inTransaction.set(eventName, list);
  }

  /** Connections waiting for a free pooled plain SQL connection (the overload guard reads it). */
  get sqlPoolWaiting(): number {
    return this.sqlPool?.waitingCount ?? 0;
  }

  /**
   * The pools' use: the plain SQL pools (main, control) and the ORM's. Pools not opened yet report
   * zero connections. Cheap (counters only), for GET /metrics.
   */
  poolUse(): PoolUse[] {
    const ofPg = (pool: Pool | null, name: 'main' | 'control', max: number): PoolUse => ({
      pool: name,
      open: pool?.totalCount ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
      max,
    });
    const use = [
      ofPg(this.sqlPool, 'main', SQL_POOL_MAX),
      ofPg(this.controlPool, 'control', CONTROL_POOL_MAX),
    ];
    try {
      const knex = this.orm.em.getConnection().getKnex();
      const pool = knex.client.pool;
      if (pool) {
        const used = pool.numUsed();
        const free = pool.numFree();
        use.push({
          pool: 'orm',
          open: used + free,
          idle: free,
          waiting: pool.numPendingAcquires(),
          max: this.orm.config.get('pool')?.max ?? used + free,
        });
      }
    } catch {
      // not connected (the OpenAPI build): no ORM pool to report
    }
    return use;
  }

  async onApplicationShutdown(): Promise<void> {
    const pools = [this.sqlPool, this.controlPool];
    this.sqlPool = null;
    this.controlPool = null;
    await Promise.all(pools.map((pool) => pool?.end().catch(() => undefined)));
  }

  /**
   * Runs now the in-transaction listeners of the events published so far in this unit of work (they
   * run before the commit anyway): for a write that must read what they wrote, e.g. the stop's score
   * after its final metric point.
   */
  async dispatch(): Promise<void> {
    const current = this.scope.getStore();
    if (current) await this.runTransactionListeners(current);
  }

  private async runTransactionListeners(scope: Scope): Promise<void> {
    // A listener may publish more events: they are handled in the same pass.
    while (scope.dispatched < scope.events.length) {
      const event = scope.events[scope.dispatched];
      scope.dispatched += 1;
      for (const listener of this.inTransaction.get(event.eventName) ?? []) await listener(event, scope.sql);
    }
  }

  private pool(which: 'main' | 'control'): Pool {
    const existing = which === 'main' ? this.sqlPool : this.controlPool;
    if (existing) return existing;
    const { dbConnectTimeoutMs, dbAcquireTimeoutMs } = this.settings.resilience;
    const pool = new Pool({
      connectionString: this.orm.config.getClientUrl(),
      max: which === 'main' ? SQL_POOL_MAX : CONTROL_POOL_MAX,
      // pg's one timeout covers both waiting for a free connection and opening one
      connectionTimeoutMillis: Math.max(dbConnectTimeoutMs, dbAcquireTimeoutMs),
      keepAlive: true,
    });
    // UTC sessions whatever the server's default zone: day arithmetic on timestamptz (`+ interval
    // '1 day'`, a series of days) follows the session zone, and the P&L rollups are UTC days and hours.
    // A SET on each new connection (queued before any other query on it), not a startup option, which
    // a connection pooler such as PgBouncer refuses unless told to ignore it.
    pool.on('connect', (client) => {
      client.query("set time zone 'UTC'").catch((error: Error) => {
        this.logger.warn({ err: error.message }, 'could not set the session time zone to UTC');
      });
    });
    // An idle connection that dies (the database restarted) is dropped by the pool; never a crash.
    pool.on('error', (error) => this.logger.warn({ err: error.message }, 'idle database connection lost'));
    if (which === 'main') this.sqlPool = pool;
    else this.controlPool = pool;
    return pool;
  }

  private emit(event: DomainEvent): void {
    try {
      this.emitter.emit(event.eventName, event);
    } catch (error) {
      this.logger.error({ event: event.eventName, err: (error as Error).message }, 'event listener failed');
    }
  }
}
