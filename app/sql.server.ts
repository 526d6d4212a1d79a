import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { driverOf, type Db, type DbProvider } from "./db.server";
import { sqliteTime, type SqliteConnection, type SqliteValue } from "./sqlite.server";

/**
 * SQL without Prisma's query layer, for the sync's hot and bulk statements
 * (docs/decisions/003-outbox.md): Prisma 6.19 compiles every query, raw ones
 * included, to a plan in WebAssembly first (about 0.4 ms of CPU for a
 * one-row statement), and that memory only grows with the largest arguments
 * it ever compiled (a flush's pushed items kept the worker at 600 MB).
 * Statements run on the very pool (PostgreSQL) or connection (SQLite) the
 * client uses (db.server.ts driverOf), through each driver's public API.
 *
 * A statement is written once as a tagged template, `sql\`... ${value}\``:
 * PostgreSQL gets `$1, $2...`, SQLite `?`. Where PostgreSQL cannot infer a
 * value's type (a VALUES list, a SELECT without a table) the value says it
 * (asJson, asTime, typed), and SQLite ignores that.
 */

export type SqlValue = string | number | boolean | Date | null;

class Typed {
  constructor(
    readonly value: SqlValue,
    readonly pgType: string,
  ) {}
}

type Part = SqlValue | Typed | Sql;

export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly (SqlValue | Typed)[],
  ) {}
}

/** A statement or a fragment of one; fragments nest. */
export function sql(strings: TemplateStringsArray | readonly string[], ...parts: Part[]): Sql {
  const texts = [strings[0]];
  const values: (SqlValue | Typed)[] = [];
  parts.forEach((part, i) => {
    if (part instanceof Sql) {
      texts[texts.length - 1] += part.strings[0];
      texts.push(...part.strings.slice(1));
      values.push(...part.values);
      texts[texts.length - 1] += strings[i + 1];
    } else {
      values.push(part);
      texts.push(strings[i + 1]);
    }
  });
  return new Sql(texts, values);
}

/** Fragments (or values) separated by commas. */
export function join(parts: Part[], separator = ", "): Sql {
  if (parts.length === 0) return sql``;
  return sql(["", ...parts.slice(1).map(() => separator), ""], ...parts);
}

/** Text written into the statement as it is (column lists, keywords); never a value from outside. */
export const raw = (text: string) => new Sql([text], []);

export const typed = (value: SqlValue, pgType: string) => new Typed(value, pgType);
/** A value as JSON text (SQLite's JSONB columns hold text); `null` stays NULL. */
export const asJson = (value: unknown) => typed(value == null ? null : JSON.stringify(value), "jsonb");
export const asTime = (value: Date | null) => typed(value, "timestamp(3)");

/** A JSON column as read here (text on SQLite; pg parses jsonb itself). */
export function jsonColumn<T = unknown>(value: unknown): T | null {
  if (value == null) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** A boolean column as read here (SQLite stores 0/1). */
export const boolColumn = (value: unknown) => value === true || value === 1 || value === 1n;

export interface SqlRunner {
  /**
   * The rows, as arrays. `name` (PostgreSQL): prepare the statement once per
   * pooled connection and reuse its plan; its text must never vary. Prisma
   * sends every statement unnamed, so PostgreSQL parses and plans each one:
   * for the webhook's ingest that was half of the database's CPU (pgbench:
   * 3,100 against 6,600 statements/s, issue 7).
   */
  query(statement: Sql, name?: string): Promise<unknown[][]>;
  /** The number of rows the statement changed. */
  run(statement: Sql): Promise<number>;
}

export interface SqlDatabase extends SqlRunner {
  readonly provider: DbProvider;
  /** `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

const databases = new WeakMap<Db, SqlDatabase>();

/** The SQL database under a client made by createDb. */
export function sqlOf(db: Db): SqlDatabase {
  let database = databases.get(db);
  if (!database) {
    const driver = driverOf(db);
    database = driver.provider === "sqlite" ? sqlite(driver.sqlite) : postgres(driver.pool);
    databases.set(db, database);
  }
  return database;
}

function render(statement: Sql, placeholder: (n: number, value: SqlValue | Typed) => string) {
  let text = statement.strings[0];
  statement.values.forEach((value, i) => (text += placeholder(i + 1, value) + statement.strings[i + 1]));
  return text;
}

const plain = (value: SqlValue | Typed) => (value instanceof Typed ? value.value : value);

/** The statement as pg takes it: `$n` placeholders with the types it cannot infer, dates as ISO text. */
export function forPostgres(statement: Sql): { text: string; values: (string | number | boolean | null)[] } {
  return {
    text: render(statement, (n, value) => (value instanceof Typed ? `$${n}::${value.pgType}` : `$${n}`)),
    // pg would write a Date in the process's time zone; the columns hold UTC.
    values: statement.values.map((value) => {
      const v = plain(value);
      return v instanceof Date ? v.toISOString() : v;
    }),
  };
}

/** The statement as SQLite takes it: `?` placeholders, dates as Prisma writes them, booleans as 0/1. */
export function forSqlite(statement: Sql): { text: string; values: SqliteValue[] } {
  return {
    text: render(statement, () => "?"),
    values: statement.values.map((value) => {
      const v = plain(value);
      if (v instanceof Date) return sqliteTime(v);
      if (typeof v === "boolean") return v ? 1 : 0;
      return v;
    }),
  };
}

function postgres(pool: pg.Pool): SqlDatabase {
  const runner = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
    async query(statement, name) {
      return (await client.query({ ...forPostgres(statement), name, rowMode: "array" })).rows;
    },
    async run(statement) {
      return (await client.query(forPostgres(statement))).rowCount ?? 0;
    },
  });
  return {
    provider: "postgresql",
    ...runner(pool),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work(runner(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        // A connection that cannot even roll back goes, rather than back to the pool.
        await client.query("ROLLBACK").catch((e: Error) => (broken = e));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

function sqlite(connection: SqliteConnection): SqlDatabase {
  // For callers that hold the connection (inside transaction()).
  const held: SqlRunner = {
    async query(statement) {
      const { text, values } = forSqlite(statement);
      return connection.all(text, values);
    },
    async run(statement) {
      const { text, values } = forSqlite(statement);
      return connection.run(text, values);
    },
  };
  return {
    provider: "sqlite",
    query: (statement) => connection.alone(() => held.query(statement)),
    run: (statement) => connection.alone(() => held.run(statement)),
    transaction: (work) => connection.transaction(() => work(held)),
  };
}

/**
 * Rows per write transaction. SQLite has one writer at a time and the web
 * process waits for it on every webhook: a flush's thousand updates in one
 * transaction held the lock for up to a third of a second (issue 7).
 */
const WRITE_CHUNK = 50;

/**
 * SQLite: how long the lock stays free between two of those transactions.
 * A writer in the other process waits in SQLite's busy handler, which tries
 * again after 1, 2, 5, 10... ms; transactions back to back kept it waiting
 * for the whole run.
 */
const SQLITE_TURN_MS = 2;

/** Writes `items` a few dozen per transaction; `last` marks the final one (there is always one, if empty). */
export async function chunkedTransactions<T>(
  database: SqlDatabase,
  items: T[],
  work: (tx: SqlRunner, chunk: T[], index: number, last: boolean) => Promise<void>,
) {
  const count = Math.max(1, Math.ceil(items.length / WRITE_CHUNK));
  for (let i = 0; i < count; i++) {
    await database.transaction((tx) => work(tx, items.slice(i * WRITE_CHUNK, (i + 1) * WRITE_CHUNK), i, i === count - 1));
    if (database.provider === "sqlite" && i < count - 1) await sleep(SQLITE_TURN_MS);
  }
}
