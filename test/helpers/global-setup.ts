import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../../prisma/migrate";
import { buildIfStale } from "./build";
import { readRecords, writeReviewIndex } from "./review-index";
import { pgAdmin, pgReachable, PG_TEMPLATE, postgresBaseUrl, withDatabase } from "./postgres";

/**
 * Once per `npm test`: build the app if its sources changed (tests drive the
 * production build over HTTP), migrate a template SQLite file and a template
 * PostgreSQL database that each test copies instead of migrating again.
 */
const root = path.resolve(import.meta.dirname, "../..");
export const OUTPUT = path.join(root, "test/output");

export default async function setup(project: TestProject) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  buildIfStale((line) => console.log(`[setup] ${line}`));

  // Several runs may share the machine (a developer's and CI's): name everything by run.
  const runId = `r${process.pid}`;
  const sqliteTemplate = path.join(OUTPUT, `template-${runId}.sqlite`);
  const pgTemplate = `${PG_TEMPLATE}_${runId}`;
  project.provide("runId", runId);
  migrateDatabase(`file:${sqliteTemplate}`);
  project.provide("sqliteTemplate", sqliteTemplate);
  project.provide("postgresTemplate", pgTemplate);

  const base = postgresBaseUrl();
  if (await pgReachable(base)) {
    await pgAdmin(base, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${pgTemplate} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${pgTemplate}`);
    });
    migrateDatabase(withDatabase(base, pgTemplate));
    project.provide("postgresUrl", base);
    console.log(`[setup] PostgreSQL at ${base.replace(/\/\/[^@/]*@/, "//")}: PostgreSQL tests will run`);
  } else if (process.env.CI) {
    throw new Error(`PostgreSQL is unreachable at ${base}; CI must run the PostgreSQL tests (.ci/run starts it).`);
  } else {
    project.provide("postgresUrl", "");
    console.log(`[setup] PostgreSQL unreachable at ${base}: PostgreSQL tests are SKIPPED (set DATABASE_URL_POSTGRES)`);
  }

  return async () => {
    // The browser tests' captures of this run, with any earlier ones, on one review page.
    if (readRecords().some((r) => r.runId === runId)) console.log(`[teardown] screenshots index: ${writeReviewIndex(runId)}`);
    for (const f of fs.readdirSync(OUTPUT)) if (f.includes(runId) && f.includes(".sqlite")) fs.rmSync(path.join(OUTPUT, f), { force: true });
    if (!(await pgReachable(base))) return;
    await pgAdmin(base, async (client) => {
      const { rows } = await client.query(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2",
        [`wa_t_${runId}_`, pgTemplate],
      );
      for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    runId: string;
    sqliteTemplate: string;
    postgresTemplate: string;
    postgresUrl: string;
  }
}
