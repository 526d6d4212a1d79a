import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The SQLite and PostgreSQL schemas must define the same models and fields
 * (prisma/schema.prisma says so): a column added to one only would work in
 * development and fail in production, or the other way round.
 */

const root = path.resolve(import.meta.dirname, "../..");

/** Every model with its field lines, whitespace and comments folded away. */
function models(file: string): Record<string, string[]> {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const out: Record<string, string[]> = {};
  for (const match of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    out[match[1]] = match[2]
      .split("\n")
      .map((line) => line.replace(/\/\/.*$/, "").replace(/\s+/g, " ").trim())
      .filter(Boolean);
  }
  return out;
}

describe("database schemas", () => {
  it("SQLite and PostgreSQL define the same models and fields", () => {
    const sqlite = models("prisma/schema.prisma");
    const postgres = models("prisma/postgresql/schema.prisma");
    expect(Object.keys(sqlite).length).toBeGreaterThan(5);
    expect(postgres).toEqual(sqlite);
  });

  it("each provider has a migration for every migration of the other", () => {
    const dirs = (p: string) => fs.readdirSync(path.join(root, p)).filter((d) => /^\d{14}_/.test(d)).sort();
    expect(dirs("prisma/postgresql/migrations")).toEqual(dirs("prisma/migrations"));
  });
});
