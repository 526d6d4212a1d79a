import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDb, prepareDb, type Db } from "../../app/db.server";
import { pgAdmin, withDatabase } from "./postgres";

export type Provider = "sqlite" | "postgresql";

/** The providers this run tests: SQLite always, PostgreSQL when reachable. */
export function providers(): Provider[] {
  return inject("postgresUrl") ? ["sqlite", "postgresql"] : ["sqlite"];
}

/** True when a PostgreSQL-only suite must be skipped (the setup printed why). */
export const noPostgres = () => !inject("postgresUrl");

export interface TestDatabase {
  provider: Provider;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file (copied from the template). */
export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const id = `wa_t_${inject("runId")}_${randomBytes(4).toString("hex")}`;
  let url: string;
  if (provider === "sqlite") {
    const file = path.join(path.dirname(inject("sqliteTemplate")), `${id}.sqlite`);
    fs.copyFileSync(inject("sqliteTemplate"), file);
    url = `file:${file}`;
  } else {
    const base = inject("postgresUrl");
    await pgAdmin(base, (c) => c.query(`CREATE DATABASE ${id} TEMPLATE ${inject("postgresTemplate")}`));
    url = withDatabase(base, id);
  }
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
        await pgAdmin(inject("postgresUrl"), (c) => c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`));
      }
    },
  };
}
