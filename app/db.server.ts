import { createClient, type Client, type Config, type InStatement, type Transaction, type TransactionMode } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import type { ArgType, SqlDriverAdapter, SqlQueryable } from "@prisma/driver-adapter-utils";
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

const shared = new WeakMap<Db, SharedAdapter>();

export function createDb(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Db {
  const holder: SharedAdapter = {};
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

function runner(queryable: SqlQueryable): SqlRunner {
  const query = (s: SqlStatement) => ({ sql: s.sql, args: s.args, argTypes: s.args.map(argType) });
  return {
    async query(statement) {
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
