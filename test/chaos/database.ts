import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createDb, prepareDb } from "../../app/db.server";
import { migrateDatabase } from "../../prisma/migrate";
import { ROOT } from "../helpers/app-process";
import type { Provider, TestDatabase } from "../helpers/databases";
import { pgAdmin, pgReachable, postgresBaseUrl, withDatabase } from "../helpers/postgres";

/** A fresh, migrated database for `npm run chaos` (outside Vitest, so without the test setup's templates). */
export async function createChaosDatabase(provider: Provider): Promise<TestDatabase> {
  const id = `wa_chaos_${process.pid}_${randomBytes(3).toString("hex")}`;
  let url: string;
  if (provider === "sqlite") {
    const dir = path.join(ROOT, "test/output");
    fs.mkdirSync(dir, { recursive: true });
    url = `file:${path.join(dir, `${id}.sqlite`)}`;
  } else {
    const base = postgresBaseUrl();
    if (!(await pgReachable(base))) throw new Error(`PostgreSQL is unreachable at ${base} (set DATABASE_URL_POSTGRES)`);
    await pgAdmin(base, (c) => c.query(`CREATE DATABASE ${id}`));
    url = withDatabase(base, id);
  }
  migrateDatabase(url);
  const db = createDb(url);
  await prepareDb(db, url);
  return {
    provider,
    url,
    db,
    async drop() {
      await db.$disconnect();
      if (provider === "sqlite") {
        for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(url.slice(5) + suffix, { force: true });
      } else {
        await pgAdmin(postgresBaseUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`));
      }
    },
  };
}
