import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../../prisma/migrate";
import { pgAdmin, pgReachable, PG_TEMPLATE, postgresBaseUrl, withDatabase } from "./postgres";

/**
 * Once per `npm test`: build the app if its sources changed (tests drive the
 * production build over HTTP), migrate a template SQLite file and a template
 * PostgreSQL database that each test copies instead of migrating again.
 */
const root = path.resolve(import.meta.dirname, "../..");
export const OUTPUT = path.join(root, "test/output");
export const SQLITE_TEMPLATE = path.join(OUTPUT, "template.sqlite");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.includes(".test.")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const marker = path.join(root, "build/server/index.js");
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(root, "app")), fs.statSync(path.join(root, "package-lock.json")).mtimeMs);
  if (built > sources) return;
  console.log("[setup] building the app (sources changed)...");
  execFileSync(path.join(root, "node_modules/.bin/remix"), ["vite:build", "--config", "app/vite.config.ts"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

export default async function setup(project: TestProject) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  buildIfStale();

  for (const f of fs.readdirSync(OUTPUT)) if (f.endsWith(".sqlite") || f.includes(".sqlite-")) fs.rmSync(path.join(OUTPUT, f), { force: true });
  migrateDatabase(`file:${SQLITE_TEMPLATE}`);
  project.provide("sqliteTemplate", SQLITE_TEMPLATE);

  const base = postgresBaseUrl();
  if (await pgReachable(base)) {
    await pgAdmin(base, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${PG_TEMPLATE}`);
    });
    migrateDatabase(withDatabase(base, PG_TEMPLATE));
    project.provide("postgresUrl", base);
    console.log(`[setup] PostgreSQL at ${base.replace(/\/\/[^@/]*@/, "//")}: PostgreSQL tests will run`);
  } else if (process.env.CI) {
    throw new Error(`PostgreSQL is unreachable at ${base}; CI must run the PostgreSQL tests (.ci/run starts it).`);
  } else {
    project.provide("postgresUrl", "");
    console.log(`[setup] PostgreSQL unreachable at ${base}: PostgreSQL tests are SKIPPED (set DATABASE_URL_POSTGRES)`);
  }

  return async () => {
    if (!(await pgReachable(base))) return;
    await pgAdmin(base, async (client) => {
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'wa_t_%' OR datname = '${PG_TEMPLATE}'`);
      for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresUrl: string;
  }
}
