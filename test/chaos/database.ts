import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { migrateDatabase } from "../../prisma/migrate";
import { ROOT } from "../helpers/app-process";
import { openDatabase, type Provider, type TestDatabase } from "../helpers/open-database";
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
  return openDatabase(provider, url, postgresBaseUrl());
}
