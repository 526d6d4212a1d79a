import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
// The generated clients are CommonJS: default-import them, then pick the class.
import sqliteClient from "@wa-catalog/prisma-sqlite";
import postgresClient from "@wa-catalog/prisma-postgresql";

const SqliteClient = sqliteClient.PrismaClient;
const PostgresClient = postgresClient.PrismaClient;
type SqliteClient = InstanceType<typeof SqliteClient>;

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
    return new SqliteClient({ adapter: new PrismaLibSQL({ url }) });
  }
  const pg = new PostgresClient({
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
  // eslint-disable-next-line no-var
  var __db: Db | undefined;
  // eslint-disable-next-line no-var
  var __dbReady: Promise<void> | undefined;
}

// One client per process; the dev server's module reloads reuse it.
export const db: Db = (globalThis.__db ??= createDb());
globalThis.__dbReady ??= prepareDb(db).catch(() => undefined);
export const dbReady = globalThis.__dbReady;

export default db;
