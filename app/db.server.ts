import { PrismaPg } from "@prisma/adapter-pg";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { PrismaClient as SqliteClient } from "../prisma/generated/sqlite";
import { envVars } from "./env.server";
import { logger } from "./logger.server";
import { prismaSqliteAdapter, SqliteConnection, sqliteFile } from "./sqlite.server";

export type { Prisma } from "../prisma/generated/sqlite";

/**
 * The database: Prisma in its Rust-free mode, on the driver DATABASE_URL
 * names (docs/decisions/001-two-databases.md). Both generated clients expose the same model
 * API (the two schemas are kept identical by a test), so the app is typed
 * against the SQLite one.
 *
 * One way to reach it: entry points (routes, app/server.ts, app/worker.ts,
 * app/shopify.server.ts) import the process's `db`; every module below them
 * is given `db` (.eslint.config.js enforces it). Tests and CLIs make their
 * own with createDb(url).
 */
export type Db = SqliteClient;

export type DbProvider = "sqlite" | "postgresql";

export function providerOf(url: string): DbProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error('DATABASE_URL must start with "file:" (SQLite) or "postgresql://" (PostgreSQL)');
}

/**
 * The driver connection under a client, for the sync store's hot statements
 * (app/catalog/store/sql.server.ts): the very pool or connection Prisma uses.
 */
export type Driver = { provider: "sqlite"; sqlite: SqliteConnection } | { provider: "postgresql"; pool: pg.Pool };

// The generated clients (prisma/generated, made by `npm run setup`/postinstall)
// load their WebAssembly from beside themselves, so they are required at run
// time from the project root, never bundled into the server build.
function generatedClient(provider: DbProvider): typeof SqliteClient {
  let root = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(root, "prisma", "schema.prisma"))) {
    const parent = path.dirname(root);
    if (parent === root) throw new Error("Cannot find the project root (prisma/schema.prisma)");
    root = parent;
  }
  const dir = path.join(root, "prisma", "generated", provider);
  if (!fs.existsSync(dir)) throw new Error(`The Prisma client for ${provider} is missing: run "npm run setup" (or npm install).`);
  return createRequire(import.meta.url)(dir).PrismaClient;
}

// Kept on globalThis: the dev server reloads this module but keeps its client (db).
declare global {
  var __dbDrivers: WeakMap<Db, Driver> | undefined;
  var __db: Db | undefined;
}
const drivers = (globalThis.__dbDrivers ??= new WeakMap<Db, Driver>());

/** A client for `url`; nothing connects until the first query. */
export function createDb(url: string, options: { poolSize?: number } = {}): Db {
  let client: Db;
  let driver: Driver;
  if (providerOf(url) === "sqlite") {
    const sqlite = new SqliteConnection(sqliteFile(url));
    client = new (generatedClient("sqlite"))({ adapter: prismaSqliteAdapter(sqlite) });
    driver = { provider: "sqlite", sqlite };
  } else {
    // Our own pool, handed to Prisma's adapter (a documented use of PrismaPg), so the store can prepare statements on it.
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle connection the server closed (a restart, a dropped database): the pool discards it and opens another.
    pool.on("error", (error) => logger.warn({ err: error }, "an idle PostgreSQL connection failed; the pool replaces it"));
    client = new (generatedClient("postgresql"))({ adapter: new PrismaPg(pool) });
    driver = { provider: "postgresql", pool };
  }
  drivers.set(client, driver);
  return client;
}

/** The driver under a client made by createDb. */
export function driverOf(db: Db): Driver {
  const driver = drivers.get(db);
  if (!driver) throw new Error("driverOf needs a client made by createDb");
  return driver;
}

/**
 * The process's client, from DATABASE_URL and DATABASE_POOL_SIZE, for entry
 * points only. Nothing connects (and no SQLite file appears) until a query.
 */
const config = envVars("DATABASE_URL", "DATABASE_POOL_SIZE");
export const db: Db = (globalThis.__db ??= createDb(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE }));

/** Disconnects a client made by createDb and closes its driver (scripts and tests, when they are done). */
export async function closeDb(db: Db) {
  await db.$disconnect();
  const driver = driverOf(db);
  if (driver.provider === "postgresql") await driver.pool.end();
  else driver.sqlite.close();
}
