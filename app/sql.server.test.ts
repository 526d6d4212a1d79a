import { describe, expect, it } from "vitest";
import { asJson, asTime, forPostgres, forSqlite, join, raw, sql } from "./sql.server";

describe("statements written once for both databases", () => {
  const at = new Date("2026-11-30T10:00:00.000Z");
  const statement = sql`UPDATE "T" SET "a" = ${"x"}, "at" = ${asTime(at)}${sql`, "j" = ${asJson({ k: [1] })}`} WHERE "id" IN (${join(["1", "2"])}) AND ${raw(`"flag"`)} = ${true}`;

  it("numbers PostgreSQL's placeholders through nested fragments, with the types it cannot infer", () => {
    expect(forPostgres(statement)).toEqual({
      text: `UPDATE "T" SET "a" = $1, "at" = $2::timestamp(3), "j" = $3::jsonb WHERE "id" IN ($4, $5) AND "flag" = $6`,
      values: ["x", "2026-11-30T10:00:00.000Z", '{"k":[1]}', "1", "2", true],
    });
  });

  it("gives SQLite ? placeholders, dates as Prisma writes them and booleans as 0/1", () => {
    expect(forSqlite(statement)).toEqual({
      text: `UPDATE "T" SET "a" = ?, "at" = ?, "j" = ? WHERE "id" IN (?, ?) AND "flag" = ?`,
      values: ["x", "2026-11-30T10:00:00.000+00:00", '{"k":[1]}', "1", "2", 1],
    });
  });

  it("keeps an empty fragment and NULL JSON as they are", () => {
    expect(forSqlite(sql`SELECT 1${sql``} WHERE ${asJson(null)} IS NULL`)).toEqual({ text: "SELECT 1 WHERE ? IS NULL", values: [null] });
    expect(forPostgres(join([]))).toEqual({ text: "", values: [] });
  });
});
