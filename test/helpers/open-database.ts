import fs from "node:fs";
import { closeDb, createDb, type Db } from "../../app/db.server";
import { sqliteFile } from "../../app/sqlite.server";
import { pgAdmin } from "./postgres";

/**
 * A database the tests, the chaos run and the benchmarks made for themselves,
 * opened by URL, with the `drop` that removes it again (the SQLite file and
 * its WAL companions, or the PostgreSQL database through `adminUrl`).
 * Free of Vitest, so the CLIs outside it share it too.
 */

export type Provider = "sqlite" | "postgresql";

export interface TestDatabase {
  provider: Provider;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function openDatabase(provider: Provider, url: string, adminUrl: string): Promise<TestDatabase> {
  const db = createDb(url);
  return {
    provider,
    url,
    db,
    async drop() {
      await closeDb(db);
      if (provider === "sqlite") {
        for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(sqliteFile(url) + suffix, { force: true });
      } else {
        const database = new URL(url).pathname.slice(1);
        await pgAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      }
    },
  };
}
