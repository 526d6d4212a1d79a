import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { openDatabase, type Provider, type TestDatabase } from "./open-database";
import { pgAdmin, withDatabase } from "./postgres";

export type { Provider, TestDatabase };

/** The providers this run tests: SQLite always, PostgreSQL when reachable. */
export function providers(): Provider[] {
  return inject("postgresUrl") ? ["sqlite", "postgresql"] : ["sqlite"];
}

/** True when a PostgreSQL-only suite must be skipped (the setup printed why). */
export const noPostgres = () => !inject("postgresUrl");

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
  return openDatabase(provider, url, inject("postgresUrl"));
}
