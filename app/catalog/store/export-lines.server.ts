import type { Db } from "../../db.server";
import { join, sql, sqlOf } from "../../sql.server";

/**
 * BulkExportLine: a bulk export's JSONL lines, staged as they stream in
 * (bulk-export.server.ts says why), read back a page of products at a time
 * with their children, dropped once the run has stored them.
 */

export interface ExportLine {
  line: number;
  parentId: string | null;
  data: string;
}

const ROWS_PER_STATEMENT = 150;

/** Stages lines of a run's export, a few hundred per transaction. */
export async function stageLines(db: Db, shop: string, runId: string, lines: ExportLine[]) {
  if (lines.length === 0) return;
  await sqlOf(db).transaction(async (tx) => {
    for (let i = 0; i < lines.length; i += ROWS_PER_STATEMENT) {
      const values = lines.slice(i, i + ROWS_PER_STATEMENT).map((l) => sql`(${shop}, ${runId}, ${l.line}, ${l.parentId}, ${l.data})`);
      await tx.run(sql`INSERT INTO "BulkExportLine" ("shop", "runId", "line", "parentId", "data") VALUES ${join(values)}`);
    }
  });
}

/** Up to `limit` top-level lines (products) after line `afterLine`, in file order. */
export async function stagedParents(db: Db, shop: string, runId: string, afterLine: number, limit: number) {
  const rows = await sqlOf(db).query(
    sql`SELECT "line", "data" FROM "BulkExportLine"
        WHERE "shop" = ${shop} AND "runId" = ${runId} AND "parentId" IS NULL AND "line" > ${afterLine} ORDER BY "line" LIMIT ${limit}`,
  );
  return rows.map(([line, data]) => ({ line: Number(line), data: String(data) }));
}

/** The child lines (variants, media) of the given parents, in file order. */
export async function stagedChildren(db: Db, shop: string, runId: string, parentIds: string[]) {
  if (parentIds.length === 0) return [];
  const rows = await sqlOf(db).query(
    sql`SELECT "parentId", "data" FROM "BulkExportLine" WHERE "shop" = ${shop} AND "runId" = ${runId} AND "parentId" IN (${join(parentIds)}) ORDER BY "line"`,
  );
  return rows.map(([parentId, data]) => ({ parentId: String(parentId), data: String(data) }));
}

/** Removes a run's staged lines (or every staged line of the shop). */
export async function dropStagedExport(db: Db, shop: string, runId?: string) {
  await sqlOf(db).run(sql`DELETE FROM "BulkExportLine" WHERE "shop" = ${shop}${runId ? sql` AND "runId" = ${runId}` : sql``}`);
}
