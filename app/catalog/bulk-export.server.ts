import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { dialect, placeholders, providerOfDb, sqlExecute, sqlQuery, sqlTransaction, type Db, type SqlRunner } from "../db.server";
import { AdminApiError, toSnapshot, type ProductNode } from "./admin-products.server";
import type { ProductSnapshot } from "./product-payload";

/**
 * A bulk export's JSONL, turned back into products with bounded memory.
 *
 * Shopify writes every node of a connection as a line of its own, children
 * with `__parentId`. Since API 2026-01 `groupObjects` defaults to false:
 * children are no longer right after their parent, only "after their parents
 * in the file" (bulk operations guide, "Download result data"), so a product
 * is complete only once the whole file is read. The lines are staged in
 * BulkExportLine as they stream in (a few hundred per statement), then read
 * back a page of products at a time with their children. The worker never
 * holds more than one page, whatever the order and the shop's size, and
 * nothing here depends on where a child line sits.
 */

const ROWS_PER_STATEMENT = 150; // 5 values each: under SQLite's 999 bound values
const STATEMENTS_PER_TRANSACTION = 4;

/** Stages the export at `url` for this run (replacing an interrupted attempt); returns the number of products. */
export async function stageBulkExport(db: Db, shop: string, runId: string, url: string): Promise<number> {
  await dropStagedExport(db, shop); // an interrupted attempt, or an earlier run's leftovers
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new AdminApiError(`Could not download Shopify's product export (HTTP ${res.status}); the full sync will try again.`);
  const provider = providerOfDb(db);
  const insert = (rows: number) =>
    dialect(
      provider,
      `INSERT INTO "BulkExportLine" ("shop", "runId", "line", "parentId", "data") VALUES ${Array.from({ length: rows }, (_, i) => `(${placeholders(1 + i * 5, 5)})`).join(", ")}`,
    );
  let pending: (string | number | null)[][] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await sqlTransaction(db, async (tx: SqlRunner) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
        await tx.execute({ sql: insert(chunk.length), args: chunk.flat() });
      }
    });
    // Leave SQLite's write lock free a moment for the webhooks (see outbox.server.ts inChunkedTransactions).
    if (provider === "sqlite") await new Promise((resolve) => setTimeout(resolve, 2));
  };

  const lines = createInterface({ input: Readable.fromWeb(res.body as ReadableStream), crlfDelay: Infinity });
  let line = 0;
  let products = 0;
  for await (const text of lines) {
    if (!text.trim()) continue;
    let parsed: { __parentId?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AdminApiError(`Shopify's product export has an unreadable line (${line + 1}); the full sync will try again.`);
    }
    const parentId = typeof parsed.__parentId === "string" ? parsed.__parentId : null;
    if (!parentId) products += 1;
    pending.push([shop, runId, ++line, parentId, text]);
    if (pending.length >= ROWS_PER_STATEMENT * STATEMENTS_PER_TRANSACTION) await flush();
  }
  await flush();
  return products;
}

type Line = Record<string, unknown> & { id?: string };

/** Up to `limit` staged products after line `afterLine`, each with its variants and media, in file order. */
export async function stagedProducts(db: Db, shop: string, runId: string, afterLine: number, limit: number) {
  const provider = providerOfDb(db);
  const roots = await sqlQuery(db, {
    sql: dialect(
      provider,
      `SELECT "line", "data" FROM "BulkExportLine" WHERE "shop" = $1 AND "runId" = $2 AND "parentId" IS NULL AND "line" > $3 ORDER BY "line" LIMIT $4`,
    ),
    args: [shop, runId, afterLine, limit],
  });
  if (roots.length === 0) return { products: [] as ProductSnapshot[], lastLine: null };
  const parents = roots.map((r) => JSON.parse(String(r[1])) as Line);
  const children = await sqlQuery(db, {
    sql: dialect(
      provider,
      `SELECT "parentId", "data" FROM "BulkExportLine" WHERE "shop" = $1 AND "runId" = $2 AND "parentId" IN (${placeholders(3, parents.length)}) ORDER BY "line"`,
    ),
    args: [shop, runId, ...parents.map((p) => String(p.id))],
  });
  const byParent = new Map<string, Line[]>();
  for (const [parentId, data] of children) {
    const list = byParent.get(String(parentId)) ?? [];
    list.push(JSON.parse(String(data)) as Line);
    byParent.set(String(parentId), list);
  }
  const products = parents.map((parent) => {
    const kids = byParent.get(String(parent.id)) ?? [];
    const node = {
      ...(parent as unknown as ProductNode),
      // Variants by their GraphQL type; media lines are MediaImage (others select nothing and are skipped).
      variants: { nodes: kids.filter((k) => String(k.id ?? "").includes("/ProductVariant/")) as unknown as ProductNode["variants"]["nodes"] },
      media: { nodes: kids.filter((k) => "image" in k) as unknown as ProductNode["media"]["nodes"] },
    };
    return toSnapshot(node);
  });
  return { products, lastLine: Number(roots[roots.length - 1][0]) };
}

/** Removes a run's staged lines (or every staged line of the shop). */
export async function dropStagedExport(db: Db, shop: string, runId?: string) {
  const provider = providerOfDb(db);
  await sqlExecute(db, {
    sql: dialect(provider, `DELETE FROM "BulkExportLine" WHERE "shop" = $1${runId ? ` AND "runId" = $2` : ""}`),
    args: runId ? [shop, runId] : [shop],
  });
}
