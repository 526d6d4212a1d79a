import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/app-process";

/**
 * The SQLite and PostgreSQL schemas must define the same models and fields
 * (the app is typed against one generated client and runs on both), and
 * each provider's migrations must exist.
 */
function models(file: string) {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const result: Record<string, string[]> = {};
  for (const match of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    result[match[1]] = match[2]
      .split("\n")
      .map((line) => line.replace(/\/\/.*$/, "").trim().replace(/\s+/g, " "))
      .filter(Boolean)
      .sort();
  }
  return result;
}

describe("prisma schemas", () => {
  it("define the same models with the same fields, types and attributes", () => {
    const sqlite = models("prisma/schema.prisma");
    const postgres = models("prisma/postgresql/schema.prisma");
    expect(Object.keys(sqlite).length).toBeGreaterThan(5);
    expect(postgres).toEqual(sqlite);
  });

  it("have migrations for both providers", () => {
    for (const dir of ["prisma/migrations", "prisma/postgresql/migrations"]) {
      const migrations = fs.readdirSync(path.join(ROOT, dir)).filter((d) => /^\d{14}_/.test(d));
      expect(migrations.length, dir).toBeGreaterThan(0);
    }
  });

  it("have the same migrations, one for one, on both providers", () => {
    const dirs = (dir: string) => fs.readdirSync(path.join(ROOT, dir)).filter((d) => /^\d{14}_/.test(d)).sort();
    expect(dirs("prisma/postgresql/migrations")).toEqual(dirs("prisma/migrations"));
  });

  it("migrate the same set of tables on both providers", () => {
    const tables = (dir: string) =>
      fs
        .readdirSync(path.join(ROOT, dir))
        .filter((d) => /^\d{14}_/.test(d))
        .flatMap((d) => [...fs.readFileSync(path.join(ROOT, dir, d, "migration.sql"), "utf8").matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]))
        // SQLite changes a column by rebuilding the table: CREATE TABLE "new_X", copy, DROP "X", RENAME to "X".
        .filter((table) => !table.startsWith("new_"))
        .sort();
    expect(tables("prisma/postgresql/migrations")).toEqual(tables("prisma/migrations"));
  });
});
