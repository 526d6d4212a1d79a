import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import type { Db } from "../db.server";
import { AdminApiError, toSnapshot, type ProductNode } from "./admin-products.server";
import type { ProductSnapshot } from "./product-payload";
import { dropStagedExport, stagedChildren, stagedParents, stageLines, type ExportLine } from "./store/export-lines.server";

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

const LINES_PER_TRANSACTION = 600;

/** Stages the export at `url` for this run (replacing an interrupted attempt); returns the number of products. */
export async function stageBulkExport(db: Db, shop: string, runId: string, url: string): Promise<number> {
  await dropStagedExport(db, shop); // an interrupted attempt, or an earlier run's leftovers
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new AdminApiError(`Could not download Shopify's product export (HTTP ${res.status}); the full sync will try again.`);
  let pending: ExportLine[] = [];
  const flush = async () => {
    await stageLines(db, shop, runId, pending);
    pending = [];
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
    pending.push({ line: ++line, parentId, data: text });
    if (pending.length >= LINES_PER_TRANSACTION) await flush();
  }
  await flush();
  return products;
}

type Line = Record<string, unknown> & { id?: string };

/** Up to `limit` staged products after line `afterLine`, each with its variants and media, in file order. */
export async function stagedProducts(db: Db, shop: string, runId: string, afterLine: number, limit: number) {
  const roots = await stagedParents(db, shop, runId, afterLine, limit);
  if (roots.length === 0) return { products: [] as ProductSnapshot[], lastLine: null };
  const parents = roots.map((r) => JSON.parse(r.data) as Line);
  const byParent = new Map<string, Line[]>();
  for (const { parentId, data } of await stagedChildren(db, shop, runId, parents.map((p) => String(p.id)))) {
    const list = byParent.get(parentId) ?? [];
    list.push(JSON.parse(data) as Line);
    byParent.set(parentId, list);
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
  return { products, lastLine: roots[roots.length - 1].line };
}
