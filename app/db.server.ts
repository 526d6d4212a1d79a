import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
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

export function createDb(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Db {
  if (providerOf(url) === "sqlite") {
    const SqlitePrisma = generatedClient("sqlite");
    return new SqlitePrisma({ adapter: new PrismaLibSQL({ url }) });
  }
  const PostgresPrisma = generatedClient("postgresql");
  const pg = new PostgresPrisma({
    adapter: new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) }),
  });
  return pg as unknown as Db;
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
