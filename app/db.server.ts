import { createClient, type Client, type Config, type InStatement, type Transaction, type TransactionMode } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import type { ArgType, SqlDriverAdapter, SqlQueryable } from "@prisma/driver-adapter-utils";
import Database from "libsql";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PrismaClient as SqliteClient } from "../prisma/generated/sqlite";

export type { Prisma } from "../prisma/generated/sqlite";

// The generated clients (prisma/generated, made by `npm run setup`/postinstall)
// load their WebAssembly from beside themselves, so they are required at run
// time from the project root, never bundled into the server build.
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "prisma", "schema.prisma"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("Cannot find the project root (prisma/schema.prisma)");
    dir = parent;
  }
  return dir;
}

const requireGenerated = createRequire(import.meta.url);
function generatedClient(provider: DbProvider): typeof SqliteClient {
  const dir = path.join(projectRoot(), "prisma", "generated", provider);
  if (!fs.existsSync(dir)) {
    throw new Error(`The Prisma client for ${provider} is missing: run "npm run setup" (or npm install).`);
  }
  return requireGenerated(dir).PrismaClient;
}

/**
 * Prisma in its Rust-free mode: the client talks to the database through a
 * JavaScript driver adapter chosen from DATABASE_URL, so nothing downloads an
 * engine binary. Both generated clients expose the same model API (the two
 * schemas are kept identical by a test), so the app is typed against one.
 */
export type Db = SqliteClient;

export type DbProvider = "sqlite" | "postgresql";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export function providerOf(url: string): DbProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(
    'DATABASE_URL must start with "file:" (SQLite) or "postgresql://" (PostgreSQL)',
  );
}

/**
 * SQLite through one connection. @libsql/client hands its connection to each
 * transaction and opens a new one for whatever comes next. Under Prisma that
 * buys nothing (the adapter holds its lock from BEGIN to COMMIT, so nothing
 * else runs on the client meanwhile) and cost a lot: a SQLite connection
 * opened per transaction (every webhook is one), and the per-connection
 * pragmas of prepareDb lost after the first transaction, so a write that met
 * the worker's lock failed at once with SQLITE_BUSY (a 500 to Shopify)
 * instead of waiting, and every commit synced the disk. Benchmark (issue 7):
 * SQLite ingest went from 133 deliveries/s with 95 % errors to the figures in
 * the README. Transactions here run BEGIN/COMMIT on the one connection.
 */
export function keepOneConnection(client: Client): Client {
  async function transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    await client.execute(mode === "write" ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    let open = true;
    const end = async (sql: "COMMIT" | "ROLLBACK") => {
      if (!open) return;
      try {
        await client.execute(sql);
        open = false;
      } catch (error) {
        // Never leave the shared connection inside a transaction.
        open = false;
        if (sql === "COMMIT") await client.execute("ROLLBACK").catch(() => undefined);
        throw error;
      }
    };
    return {
      execute: (stmt: InStatement) => client.execute(stmt),
      async batch(stmts: InStatement[]) {
        const results = [];
        for (const stmt of stmts) results.push(await client.execute(stmt));
        return results;
      },
      executeMultiple: () => Promise.reject(new Error("executeMultiple is not supported inside a transaction")),
      commit: () => end("COMMIT"),
      rollback: () => end("ROLLBACK"),
      close: () => void end("ROLLBACK").catch(() => undefined),
      get closed() {
        return !open;
      },
    };
  }
  return {
    execute: (stmt: InStatement) => client.execute(stmt),
    batch: (stmts: InStatement[], mode?: TransactionMode) => client.batch(stmts, mode),
    executeMultiple: (sql: string) => client.executeMultiple(sql),
    transaction,
    sync: () => client.sync(),
    close: () => client.close(),
    get closed() {
      return client.closed;
    },
    get protocol() {
      return client.protocol;
    },
  } as unknown as Client;
}

/** Remembers the driver adapter it gave Prisma, so hot paths can run SQL on it (see sqlTransaction). */
interface SharedAdapter {
  provider: DbProvider;
  url: string;
  direct?: DirectSqlite;
  adapter?: Promise<SqlDriverAdapter>;
}

function sharing<T extends { connect(): Promise<SqlDriverAdapter> }>(factory: T, holder: SharedAdapter): T {
  const connect = factory.connect.bind(factory);
  factory.connect = () => {
    const connected = connect().then((adapter) => {
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = () => {
        if (holder.adapter === connected) holder.adapter = undefined;
        return dispose();
      };
      return adapter;
    });
    holder.adapter = connected;
    return connected;
  };
  return factory;
}

class OneConnectionLibSQL extends PrismaLibSQL {
  createClient(config: Config): Client {
    return keepOneConnection(createClient(config));
  }
}

// On the client object itself, under a global symbol: a second copy of this
// module (the dev server's reloads, a bundle beside the sources) reuses
// globalThis.__db, and must find its adapter too.
const SHARED = Symbol.for("wa-catalog.sharedAdapter");
const shared = {
  get: (client: Db): SharedAdapter | undefined => (client as unknown as Record<symbol, SharedAdapter | undefined>)[SHARED],
  set: (client: Db, holder: SharedAdapter) => Object.defineProperty(client, SHARED, { value: holder }),
};

export function createDb(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Db {
  const holder: SharedAdapter = { provider: providerOf(url), url };
  let client: Db;
  if (providerOf(url) === "sqlite") {
    const SqlitePrisma = generatedClient("sqlite");
    client = new SqlitePrisma({ adapter: sharing(new OneConnectionLibSQL({ url }), holder) });
  } else {
    const PostgresPrisma = generatedClient("postgresql");
    const pg = new PostgresPrisma({
      adapter: sharing(new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) }), holder),
    });
    client = pg as unknown as Db;
  }
  shared.set(client, holder);
  return client;
}

/** One SQL statement for the driver adapter: `$1..$n` placeholders on PostgreSQL, `?1..?n` on SQLite. */
export interface SqlStatement {
  sql: string;
  args: (string | number | boolean | Date | null)[];
  /**
   * PostgreSQL: prepare the statement under this name once per pooled
   * connection and reuse its plan. The adapter sends every query unnamed, so
   * PostgreSQL parses and plans it each time: for the webhook's one-statement
   * ingest that was half of the database's CPU (pgbench: 3,100 against 6,600
   * statements/s). One name per SQL text, which must not vary.
   */
  name?: string;
}

export interface SqlRunner {
  query(statement: SqlStatement): Promise<unknown[][]>;
  execute(statement: SqlStatement): Promise<number>;
}

function argType(value: SqlStatement["args"][number]): ArgType {
  if (value instanceof Date) return { scalarType: "datetime", arity: "scalar" };
  if (typeof value === "number") return { scalarType: Number.isInteger(value) ? "int" : "float", arity: "scalar" };
  if (typeof value === "boolean") return { scalarType: "boolean", arity: "scalar" };
  if (typeof value === "string") return { scalarType: "string", arity: "scalar" };
  return { scalarType: "unknown", arity: "scalar" };
}

/** What @prisma/adapter-pg's queryables hand out as their driver: the pg Pool, or a transaction's PoolClient. */
interface PgDriver {
  query(config: { name: string; text: string; values: unknown[]; rowMode: "array" }): Promise<{ rows: unknown[][] }>;
}

function pgDriver(queryable: SqlQueryable): PgDriver | undefined {
  if (queryable.provider !== "postgres") return undefined;
  const driver = (queryable as { underlyingDriver?: () => unknown }).underlyingDriver?.();
  return driver && typeof (driver as PgDriver).query === "function" ? (driver as PgDriver) : undefined;
}

function runner(queryable: SqlQueryable): SqlRunner {
  const query = (s: SqlStatement) => ({ sql: s.sql, args: s.args, argTypes: s.args.map(argType) });
  return {
    async query(statement) {
      const driver = statement.name ? pgDriver(queryable) : undefined;
      if (driver) {
        // As the adapter sends them, but dates as ISO text: pg would write them in the process's time zone.
        const values = statement.args.map((v) => (v instanceof Date ? v.toISOString() : v));
        return (await driver.query({ name: statement.name!, text: statement.sql, values, rowMode: "array" })).rows;
      }
      return (await queryable.queryRaw(query(statement))).rows;
    },
    execute: (statement) => queryable.executeRaw(query(statement)),
  };
}

async function adapterOf(client: Db): Promise<SqlDriverAdapter> {
  const holder = shared.get(client);
  if (!holder) throw new Error("sqlTransaction needs a client made by createDb");
  if (!holder.adapter) await client.$connect();
  return holder.adapter!;
}

/**
 * Plain SQL on the very driver adapter (connection, pool, lock) Prisma uses
 * for `client`, without Prisma's query layer: in Prisma 6.19's Rust-free
 * mode every query, raw ones included, is compiled to a plan in
 * WebAssembly first, about 0.4 ms of CPU for a one-row SELECT that takes
 * 0.05 ms on the adapter (issue 7's benchmark). For the few statements on
 * the webhook path only; everything else stays on Prisma. BEGIN/COMMIT
 * follow the adapter's protocol as Prisma's own transactions do (libsql
 * issues them itself; pg begins itself and expects COMMIT/ROLLBACK as SQL).
 */
export async function sqlTransaction<T>(client: Db, work: (tx: SqlRunner) => Promise<T>): Promise<T> {
  const tx = await (await adapterOf(client)).startTransaction();
  const end = (sql: "COMMIT" | "ROLLBACK") => (tx.options.usePhantomQuery ? Promise.resolve(0) : tx.executeRaw({ sql, args: [], argTypes: [] }));
  let result: T;
  try {
    result = await work(runner(tx));
    await end("COMMIT");
  } catch (error) {
    await end("ROLLBACK").catch(() => undefined);
    await tx.rollback().catch(() => undefined);
    throw error;
  }
  await tx.commit();
  return result;
}

/** One statement outside a transaction, on the same adapter (see sqlTransaction). */
export async function sqlQuery(client: Db, statement: SqlStatement): Promise<unknown[][]> {
  return runner(await adapterOf(client)).query(statement);
}

/** One write statement outside a transaction, on the same adapter; returns the rows changed. */
export async function sqlExecute(client: Db, statement: SqlStatement): Promise<number> {
  return runner(await adapterOf(client)).execute(statement);
}

/** The database a client made by createDb talks to. */
export function providerOfDb(client: Db): DbProvider {
  const provider = shared.get(client)?.provider;
  if (!provider) throw new Error("providerOfDb needs a client made by createDb");
  return provider;
}

/**
 * SQL for sqlTransaction/sqlQuery, written once with `$1..$n`: SQLite gets
 * `?1..?n` (numbered, so a repeated one binds the same value), PostgreSQL
 * gets `::jsonb` on the parameters listed in `json` (JSON goes in as text).
 */
export function dialect(provider: DbProvider, text: string, json: number[] = []): string {
  if (provider === "postgresql") return json.reduce((s, n) => s.replace(new RegExp(`\\$${n}\\b`, "g"), `$${n}::jsonb`), text);
  return text.replace(/\$(\d+)/g, "?$1");
}

/** `$from, $from+1, ...`: the placeholders of an IN list of `count` values. */
export function placeholders(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(", ");
}

/** A JSON column as read by plain SQL (text on SQLite; the pg adapter may hand it over parsed). */
export function jsonColumn<T = unknown>(value: unknown): T | null {
  if (value == null) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** A boolean column as read by plain SQL (SQLite stores 0/1). */
export function boolColumn(value: unknown): boolean {
  return value === true || value === 1 || value === 1n || value === "1" || value === "true";
}

/**
 * SQLite only: a synchronous connection of its own to the client's database
 * file, with prepared statements kept, for the webhook path (ingest.server.ts).
 * Through @libsql/client each statement was prepared again, and each one that
 * returns no rows threw and caught an exception on the way: a third of a
 * product webhook's CPU (issue 7). The driver is the one @libsql/client runs
 * on, so values are written as Prisma's adapter writes them (sqliteValue).
 * Its busy timeout is 0: transaction() waits for the write lock itself.
 */
export class DirectSqlite {
  private readonly conn: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.conn = new Database(file);
    this.conn.pragma("journal_mode = WAL");
    // Waiting for the write lock is transaction()'s job; reads never wait in WAL mode.
    this.conn.pragma("busy_timeout = 0");
    this.conn.pragma("synchronous = NORMAL");
  }

  private statement(sql: string, rows: boolean) {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.conn.prepare(sql);
      if (rows) stmt.raw(true);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Rows changed. */
  run(statement: SqlStatement): number {
    return this.statement(statement.sql, false).run(...statement.args.map(sqliteValue)).changes;
  }

  /** The first row, as an array, or undefined. */
  get(statement: SqlStatement): unknown[] | undefined {
    return this.statement(statement.sql, true).get(...statement.args.map(sqliteValue)) as unknown[] | undefined;
  }

  /**
   * Runs `work` in BEGIN IMMEDIATE ... COMMIT (ROLLBACK if it throws). While
   * another connection (the worker) holds the write lock it tries again
   * every millisecond, yielding to the event loop, for up to 10 s. SQLite's
   * own busy timeout sleeps inside the call, blocking every request of the
   * process, and in steps that grow to 100 ms: against a worker that writes
   * in short transactions back to back, webhooks waited up to 330 ms for a
   * lock that was free most of the time (issue 7, p99 at 500/s).
   */
  transaction<T>(work: () => T): Promise<T> {
    // One transaction of this process waits for the lock at a time; the others queue behind it.
    const run = this.queue.then(() => this.whenFree(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private queue: Promise<unknown> = Promise.resolve();

  private async whenFree<T>(work: () => T): Promise<T> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (;;) {
      try {
        this.conn.exec("BEGIN IMMEDIATE");
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    try {
      const result = work();
      this.conn.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.conn.inTransaction) this.conn.exec("ROLLBACK");
      throw error;
    }
  }
}

const BUSY_WAIT_MS = 10_000;

/** A value as Prisma's libsql adapter binds it (dates as ISO 8601 with "+00:00"). */
function sqliteValue(value: SqlStatement["args"][number]) {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** The client's DirectSqlite (made on first use), or null on PostgreSQL. */
export function directSqlite(client: Db): DirectSqlite | null {
  const holder = shared.get(client);
  if (!holder) throw new Error("directSqlite needs a client made by createDb");
  if (holder.provider !== "sqlite") return null;
  holder.direct ??= new DirectSqlite(sqliteFile(holder.url));
  return holder.direct;
}

/** The file a "file:" URL names: file:./relative/to/cwd.sqlite, file:/absolute.sqlite or file:///absolute.sqlite. */
export function sqliteFile(url: string) {
  const path = url.slice("file:".length).split("?")[0];
  return decodeURIComponent(path.startsWith("//") ? path.slice(2) : path);
}

/**
 * SQLite serves several processes (web + worker) only in WAL mode with a busy
 * timeout; without them a concurrent write fails instead of waiting.
 */
export async function prepareDb(db: Db, url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL) {
  if (providerOf(url) !== "sqlite") return;
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 10000");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
}

declare global {
  var __db: Db | undefined;
  var __dbReady: Promise<void> | undefined;
}

// One client per process; the dev server's module reloads reuse it.
export const db: Db = (globalThis.__db ??= createDb());
globalThis.__dbReady ??= prepareDb(db).catch(() => undefined);
export const dbReady = globalThis.__dbReady;

export default db;
