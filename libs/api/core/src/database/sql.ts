import type { EntityManager } from '@mikro-orm/postgresql';
import { escapeLiteral, type PoolClient } from 'pg';

/** One statement: PostgreSQL's `$1, $2, ...` placeholders and their values. */
export interface Statement {
  text: string;
  values?: readonly unknown[];
}

/**
 * Plain SQL in the current unit of work, for the hot paths where the ORM's entity tracking is not
 * worth its cost. Each module still writes only its own tables through it.
 */
export interface Sql {
  query<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Several statements in order (in one round trip where the driver allows); one result per statement. */
  batch(statements: readonly Statement[]): Promise<unknown[][]>;
}

/** Plain SQL inside a MikroORM transaction (a route that also uses entities): `$n` become knex's `?`. */
export class EntityManagerSql implements Sql {
  constructor(private readonly em: EntityManager) {}

  query<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    const ordered: unknown[] = [];
    const knexText = text.replace(/\$(\d+)/g, (_, n: string) => {
      ordered.push(values[Number(n) - 1]);
      return '?';
    });
    return this.em.execute<R[]>(knexText, ordered);
  }

  async batch(statements: readonly Statement[]): Promise<unknown[][]> {
    const results: unknown[][] = [];
    for (const statement of statements) results.push(await this.query(statement.text, statement.values));
    return results;
  }
}

/** Plain SQL on either kind of unit of work: the ORM's entity manager (adapted) or a pg client's. */
export function sqlOf(db: EntityManager | Sql): Sql {
  return 'batch' in db ? db : new EntityManagerSql(db);
}

/**
 * A pg client's transaction. BEGIN is not a round trip of its own: it travels with the first
 * statement (values inlined as escaped literals, so the simple protocol can carry both), and
 * `batch` sends its statements together the same way.
 */
export class ClientSql implements Sql {
  private begun = false;
  /** Statements sent; a single-statement unit (`autocommit`) sends exactly one, without BEGIN. */
  private sent = 0;

  constructor(
    private readonly client: PoolClient,
    readonly autocommit: boolean,
  ) {}

  get inTransaction(): boolean {
    return this.begun;
  }

  async query<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    const [rows] = await this.batch([{ text, values }]);
    return rows as R[];
  }

  async batch(statements: readonly Statement[]): Promise<unknown[][]> {
    if (this.autocommit) {
      if (this.sent > 0 || statements.length !== 1) {
        throw new Error(
          'a single-statement unit of work ran more than one statement: use uow.sql() without { single: true }',
        );
      }
      this.sent += 1;
      const result = await this.client.query(statements[0].text, statements[0].values as unknown[]);
      return [result.rows];
    }
    const inlined = statements.map(inline);
    const parts = [...(this.begun ? [] : ['begin']), ...inlined];
    if (statements.length === 1 && this.begun) {
      this.sent += 1;
      const result = await this.client.query(statements[0].text, statements[0].values as unknown[]);
      return [result.rows];
    }
    if (inlined.every((text): text is string => text !== null)) {
      this.begun = true;
      this.sent += statements.length;
      const results = (await this.client.query(parts.join(';\n'))) as unknown as
        { rows: unknown[] }[] | { rows: unknown[] };
      const list = Array.isArray(results) ? results : [results];
      return list.slice(list.length - statements.length).map((result) => result.rows);
    }
    if (!this.begun) {
      await this.client.query('begin');
      this.begun = true;
    }
    const rows: unknown[][] = [];
    for (const statement of statements) {
      this.sent += 1;
      rows.push((await this.client.query(statement.text, statement.values as unknown[])).rows);
    }
    return rows;
  }
}

/**
 * The statement with its values as escaped literals (the types PostgreSQL infers for an untyped
 * literal are those it infers for an untyped parameter), or null when a value has no plain literal.
 */
function inline(statement: Statement): string | null {
  const values = statement.values ?? [];
  let ok = true;
  const text = statement.text.replace(/\$(\d+)/g, (_, n: string) => {
    const literal = toLiteral(values[Number(n) - 1]);
    if (literal === null) ok = false;
    return literal ?? 'null';
  });
  return ok && !statement.text.includes(';') ? text : null;
}

function toLiteral(value: unknown): string | null {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return escapeLiteral(String(value));
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (Array.isArray(value) || Buffer.isBuffer(value)) return null; // pg's array/bytea formats: keep the parameter
  if (typeof value === 'object') return escapeLiteral(JSON.stringify(value));
  return null;
}
