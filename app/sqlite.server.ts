import Database from "libsql";
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type ArgType,
  type ColumnType,
  type MappedError,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
  type SqlQueryable,
  type SqlResultSet,
  type Transaction,
} from "@prisma/driver-adapter-utils";

/**
 * SQLite through one connection per process, shared by Prisma (the driver
 * adapter below) and the sync store's hot statements (app/catalog/store).
 * Why not @prisma/adapter-libsql: its client opens a new connection after
 * every transaction, without the busy timeout, so a write that met another
 * process's writer failed at once with SQLITE_BUSY (docs/decisions/002-sqlite-one-connection.md).
 *
 * The driver is `libsql` (SQLite built into npm packages, no compiler, no
 * download). WAL lets the web process and the worker read while the other
 * writes; the busy timeout makes a writer wait for the other process's
 * write lock (SQLite retries inside the call) instead of failing. Every
 * transaction begins IMMEDIATE: it takes the write lock up front, because a
 * transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT)
 * when another process wrote in between, busy timeout or not.
 */

export const BUSY_TIMEOUT_MS = 10_000;

/** What SQLite binds: Prisma's and the store's values, converted by the callers. */
export type SqliteValue = string | number | bigint | Buffer | null;

/** A date as Prisma writes it to SQLite (ISO 8601, "+00:00"), so every writer's dates compare as text. */
export const sqliteTime = (date: Date) => date.toISOString().replace("Z", "+00:00");

// Prepared statements are kept: Prisma and the store repeat a few hundred texts at most.
const KEPT_STATEMENTS = 500;

export class SqliteConnection {
  readonly #file: string;
  #db: Database.Database | undefined;
  readonly #statements = new Map<string, Database.Statement>();
  #tail: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.#file = file;
  }

  // Opened on first use, so merely building a client creates no file.
  #open(): Database.Database {
    if (!this.#db) {
      const db = new Database(this.#file);
      db.pragma("journal_mode = WAL");
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma("synchronous = NORMAL");
      this.#db = db;
    }
    return this.#db;
  }

  /** The kept statement for `sql`; statements that return rows give them as arrays. */
  statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#open().prepare(sql);
      if (statement.reader) statement.raw(true);
      if (this.#statements.size >= KEPT_STATEMENTS) this.#statements.delete(this.#statements.keys().next().value!);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The rows of `sql` as arrays; a statement that returns none runs and gives []. */
  all(sql: string, args: SqliteValue[]): unknown[][] {
    const statement = this.statement(sql);
    if (!statement.reader) {
      statement.run(args);
      return [];
    }
    return statement.all(args) as unknown[][];
  }

  /** Runs `sql`; the number of rows it changed. */
  run(sql: string, args: SqliteValue[]): number {
    return this.statement(sql).run(args).changes;
  }

  exec(script: string) {
    this.#open().exec(script);
  }

  /**
   * Waits for the connection and holds it until the returned function is
   * called. A transaction spans awaits, and any statement run on the
   * connection meanwhile would join it: callers take turns.
   */
  async hold(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const before = this.#tail;
    this.#tail = before.then(() => released);
    await before;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  }

  /** Runs `work` with the connection to itself. */
  async alone<T>(work: () => T | Promise<T>): Promise<T> {
    const release = await this.hold();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** BEGIN IMMEDIATE, then `work`, then COMMIT (ROLLBACK if anything throws), with the connection to itself. */
  transaction<T>(work: () => T | Promise<T>): Promise<T> {
    return this.alone(async () => {
      this.begin();
      try {
        const result = await work();
        this.commit();
        return result;
      } catch (error) {
        this.rollback();
        throw error;
      }
    });
  }

  begin() {
    this.exec("BEGIN IMMEDIATE");
  }

  commit() {
    try {
      this.exec("COMMIT");
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  rollback() {
    if (this.#db?.inTransaction) this.exec("ROLLBACK");
  }

  close() {
    this.#statements.clear();
    this.#db?.close();
    this.#db = undefined;
  }
}

/** The file a "file:" URL names: file:./relative/to/cwd.sqlite, file:/absolute.sqlite or file:///absolute.sqlite. */
export function sqliteFile(url: string) {
  const path = url.slice("file:".length).split("?")[0];
  return decodeURIComponent(path.startsWith("//") ? path.slice(2) : path);
}

/**
 * Prisma's driver adapter over the connection (the public interface of
 * @prisma/driver-adapter-utils: https://www.npmjs.com/package/@prisma/driver-adapter-utils).
 * Values go in and come out as @prisma/adapter-libsql has them, so the
 * rows either one wrote read back the same.
 */
export function prismaSqliteAdapter(connection: SqliteConnection): SqlDriverAdapterFactory {
  const adapterName = "wa-catalog-sqlite";
  // `held`: the caller holds the connection already (inside a transaction).
  const queryable = (held: boolean): SqlQueryable => {
    const run = <T>(work: () => T) => (held ? Promise.resolve().then(work) : connection.alone(work)).catch(rethrow);
    return {
      provider: "sqlite",
      adapterName,
      queryRaw: (query) => run(() => resultSet(connection, query)),
      executeRaw: (query) => run(() => connection.run(query.sql, bind(query))),
    };
  };
  const adapter: SqlDriverAdapter = {
    ...queryable(false),
    executeScript: (script) => connection.alone(() => connection.exec(script)).catch(rethrow),
    async startTransaction(isolationLevel) {
      if (isolationLevel && isolationLevel !== "SERIALIZABLE") throw new DriverAdapterError({ kind: "InvalidIsolationLevel", level: isolationLevel });
      const release = await connection.hold();
      try {
        connection.begin();
      } catch (error) {
        release();
        rethrow(error);
      }
      // Prisma sends COMMIT or ROLLBACK through executeRaw, then calls commit() or rollback(),
      // which only hand the connection back (never left inside a transaction that failed to end).
      const end = async () => {
        try {
          connection.rollback();
        } finally {
          release();
        }
      };
      const transaction: Transaction = { ...queryable(true), options: { usePhantomQuery: false }, commit: end, rollback: end };
      return transaction;
    },
    dispose: async () => connection.close(),
  };
  return { provider: "sqlite", adapterName, connect: async () => adapter };
}

function bind(query: SqlQuery): SqliteValue[] {
  return query.args.map((arg, i) => prismaArg(arg, query.argTypes[i]));
}

function prismaArg(arg: unknown, type: ArgType | undefined): SqliteValue {
  if (arg === null || arg === undefined) return null;
  if (arg instanceof Date) return sqliteTime(arg);
  if (typeof arg === "boolean") return arg ? 1 : 0;
  if (typeof arg === "string") {
    if (type?.scalarType === "datetime") return sqliteTime(new Date(arg));
    if (type?.scalarType === "bigint") return BigInt(arg);
    if (type?.scalarType === "decimal") return Number.parseFloat(arg);
    if (type?.scalarType === "bytes") return Buffer.from(arg, "base64");
  }
  if (Array.isArray(arg)) return Buffer.from(arg as number[]);
  return arg as SqliteValue;
}

function resultSet(connection: SqliteConnection, query: SqlQuery): SqlResultSet {
  const statement = connection.statement(query.sql);
  const rows = connection.all(query.sql, bind(query));
  const columns: { name: string; type: string | null }[] = statement.reader ? statement.columns() : [];
  return {
    columnNames: columns.map((c) => c.name),
    columnTypes: columns.map((c, i) => declaredType(c.type) ?? typeOfValues(rows, i)),
    rows: rows.map((row) => row.map(resultValue)),
  };
}

// SQLite's declared column types, as Prisma's migrations write them.
const DECLARED: Record<string, ColumnType> = {
  INTEGER: ColumnTypeEnum.Int32,
  INT: ColumnTypeEnum.Int32,
  BIGINT: ColumnTypeEnum.Int64,
  REAL: ColumnTypeEnum.Double,
  DOUBLE: ColumnTypeEnum.Double,
  FLOAT: ColumnTypeEnum.Float,
  DECIMAL: ColumnTypeEnum.Numeric,
  TEXT: ColumnTypeEnum.Text,
  BOOLEAN: ColumnTypeEnum.Boolean,
  DATETIME: ColumnTypeEnum.DateTime,
  JSONB: ColumnTypeEnum.Json,
  BLOB: ColumnTypeEnum.Bytes,
};

const declaredType = (type: string | null): ColumnType | undefined => (type ? DECLARED[type.toUpperCase()] : undefined);

// An expression's column (count(*), a literal) has no declared type: its first value decides.
function typeOfValues(rows: unknown[][], index: number): ColumnType {
  const value = rows.find((row) => row[index] != null)?.[index];
  if (typeof value === "string") return ColumnTypeEnum.Text;
  if (typeof value === "bigint") return ColumnTypeEnum.Int64;
  if (Buffer.isBuffer(value)) return ColumnTypeEnum.Bytes;
  return value === undefined ? ColumnTypeEnum.Int32 : ColumnTypeEnum.UnknownNumber;
}

function resultValue(value: unknown) {
  if (Buffer.isBuffer(value)) return Array.from(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** libsql's error as the MappedError Prisma turns into its own codes (P2002 for a unique constraint...). */
function rethrow(error: unknown): never {
  if (error instanceof DriverAdapterError) throw error;
  const { message, rawCode } = error as { message?: string; rawCode?: number };
  if (typeof message !== "string" || typeof rawCode !== "number") throw error;
  const fields = () => message.split("constraint failed: ")[1]?.split(", ").map((f) => f.split(".").pop()!);
  let mapped: MappedError;
  if (rawCode === 2067 || rawCode === 1555) mapped = { kind: "UniqueConstraintViolation", constraint: { fields: fields() ?? [] } };
  else if (rawCode === 1299) mapped = { kind: "NullConstraintViolation", constraint: { fields: fields() ?? [] } };
  else if (rawCode === 787 || rawCode === 1811) mapped = { kind: "ForeignKeyConstraintViolation", constraint: { foreignKey: {} } };
  else if ((rawCode & 0xff) === 5) mapped = { kind: "SocketTimeout" };
  else mapped = { kind: "sqlite", extendedCode: rawCode, message };
  throw new DriverAdapterError({ ...mapped, originalCode: String(rawCode), originalMessage: message });
}
