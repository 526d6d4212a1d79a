import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ColumnTypeEnum, type SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prismaSqliteAdapter, SqliteConnection, sqliteFile } from "./sqlite.server";

// The adapter Prisma runs on for SQLite, against a real file, through the interface Prisma calls.
describe("the SQLite connection and its Prisma adapter", () => {
  let dir: string;
  let connection: SqliteConnection;
  let adapter: SqlDriverAdapter;
  const q = (sql: string, args: unknown[] = []) => ({ sql, args, argTypes: args.map(() => ({ scalarType: "unknown" as const, arity: "scalar" as const })) });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sqlite-adapter-"));
    connection = new SqliteConnection(path.join(dir, "t.sqlite"));
    adapter = await prismaSqliteAdapter(connection).connect();
    await adapter.executeScript(`CREATE TABLE "T" ("id" TEXT PRIMARY KEY, "n" INTEGER NOT NULL, "ok" BOOLEAN, "at" DATETIME, "j" JSONB)`);
  });
  afterEach(async () => {
    await adapter.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("binds Prisma's values as @prisma/adapter-libsql does and reports the declared column types", async () => {
    const at = new Date("2026-11-30T10:00:00.000Z");
    expect(await adapter.executeRaw(q(`INSERT INTO "T" VALUES (?, ?, ?, ?, ?)`, ["a", 1, true, at, '{"x":1}']))).toBe(1);
    const result = await adapter.queryRaw(q(`SELECT "id", "n", "ok", "at", "j", count(*) AS c FROM "T"`));
    expect(result.columnNames).toEqual(["id", "n", "ok", "at", "j", "c"]);
    expect(result.columnTypes).toEqual([ColumnTypeEnum.Text, ColumnTypeEnum.Int32, ColumnTypeEnum.Boolean, ColumnTypeEnum.DateTime, ColumnTypeEnum.Json, ColumnTypeEnum.UnknownNumber]);
    expect(result.rows).toEqual([["a", 1, 1, "2026-11-30T10:00:00.000+00:00", '{"x":1}', 1]]);
  });

  it("never leaves the connection inside a transaction whose COMMIT was not sent", async () => {
    const tx = await adapter.startTransaction();
    await tx.executeRaw(q(`INSERT INTO "T" ("id", "n") VALUES ('lost', 1)`));
    await tx.commit();
    expect((await adapter.queryRaw(q(`SELECT count(*) FROM "T"`))).rows).toEqual([[0]]);
  });

  it("turns a unique constraint into the error Prisma reports as P2002", async () => {
    await adapter.executeRaw(q(`INSERT INTO "T" ("id", "n") VALUES ('a', 1)`));
    await expect(adapter.executeRaw(q(`INSERT INTO "T" ("id", "n") VALUES ('a', 2)`))).rejects.toMatchObject({
      cause: { kind: "UniqueConstraintViolation", constraint: { fields: ["id"] } },
    });
  });

  it("keeps everything else off the connection while a transaction is open, and rolls back", async () => {
    const tx = await adapter.startTransaction();
    await tx.executeRaw(q(`INSERT INTO "T" ("id", "n") VALUES ('in-tx', 1)`));
    // Outside the transaction: waits for it, so it does not join it (and sees the rollback).
    const outside = adapter.queryRaw(q(`SELECT count(*) FROM "T"`));
    // As Prisma 6.19 ends a transaction whose options say usePhantomQuery: false: the SQL, then the hook.
    await tx.executeRaw(q("ROLLBACK"));
    await tx.rollback();
    expect((await outside).rows).toEqual([[0]]);
  });

  it("commits, and runs the store's transactions in turn with Prisma's", async () => {
    const tx = await adapter.startTransaction();
    const store = connection.transaction(() => connection.run(`INSERT INTO "T" ("id", "n") VALUES ('store', 2)`, []));
    await tx.executeRaw(q(`INSERT INTO "T" ("id", "n") VALUES ('prisma', 1)`));
    await tx.executeRaw(q("COMMIT"));
    await tx.commit();
    await store;
    expect(connection.all(`SELECT "id" FROM "T" ORDER BY "n"`, [])).toEqual([["prisma"], ["store"]]);
  });

  it("reads the file a URL names", () => {
    expect(sqliteFile("file:./prisma/dev.sqlite")).toBe("./prisma/dev.sqlite");
    expect(sqliteFile("file:///tmp/a%20b.sqlite?mode=rwc")).toBe("/tmp/a b.sqlite");
  });
});
