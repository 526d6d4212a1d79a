import type { Prisma } from "../db.server";
import { MAX_BATCH_BYTES, MAX_BATCH_REQUESTS, type CatalogItemRequest } from "../meta/index.server";
import { itemRequests, productItems, retailerId, type ShopContext } from "./items.server";
import { variantsLeftOut, type ProductSnapshot } from "./product-payload";
import type { ClaimedRow, PushedRow } from "./store/outbox.server";

/**
 * What a claimed product sends to Meta and the status it will have once
 * sent, and how products fill items_batch calls. Pure: the worker
 * (sync.server.ts) claims, plans with these, sends and records.
 */

export interface PlannedRow {
  row: ClaimedRow;
  requests: CatalogItemRequest[];
  /** The requests' size as JSON: a batch must also stay under Meta's 28 MB. */
  bytes: number;
  result: Omit<PushedRow, "lastBatchId">;
}

// Meta's payload limit, less room for the envelope around the requests.
export const BATCH_BYTES = MAX_BATCH_BYTES - 4096;

const sizeOf = (requests: CatalogItemRequest[]) => (requests.length ? Buffer.byteLength(JSON.stringify(requests)) : 0);

export function asIds(value: Prisma.JsonValue | null): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** What one claimed product should send, and the status it will have once sent. */
export function planRow(row: ClaimedRow, shop: ShopContext): PlannedRow {
  const pushed = asIds(row.pushedRetailerIds);
  const base = { id: row.id, version: row.version };
  if (row.deleted || row.excluded || !row.snapshot) {
    const requests = itemRequests([], pushed);
    return {
      row,
      requests,
      bytes: sizeOf(requests),
      result: {
        ...base,
        pushedRetailerIds: [],
        pushedItems: [],
        status: row.excluded ? "EXCLUDED" : "SYNCED",
        lastError: null,
        itemErrors: null,
      },
    };
  }
  const product = row.snapshot as unknown as ProductSnapshot;
  const { items, problems, excludedBecause } = productItems(product, shop);
  const failed = problems.length > 0;
  // Variants the payload named but did not carry (Shopify sends the first 100 in full) still exist:
  // their items stay as they are, never deleted for being left out (prepareRows normally reads them).
  const leftOut = excludedBecause ? new Set<string>() : new Set(variantsLeftOut(product).map((v) => retailerId(product.id, v)));
  const current = new Set(items.map((i) => i.id));
  const kept = pushed.filter((id) => leftOut.has(id) && !current.has(id));
  const requests = itemRequests(items, pushed.filter((id) => !leftOut.has(id)));
  const bytes = sizeOf(requests);
  if (bytes + 1 > BATCH_BYTES || requests.length > MAX_BATCH_REQUESTS) return tooLarge(row, items.length, bytes);
  return {
    row,
    requests,
    bytes,
    result: {
      ...base,
      pushedRetailerIds: [...items.map((i) => i.id), ...kept],
      pushedItems: items as unknown as Prisma.InputJsonValue,
      // Excluded by its Shopify status (draft, archived...): removed from the catalog, shown as such.
      status: excludedBecause ? "EXCLUDED" : failed ? "FAILED" : "PENDING",
      lastError: excludedBecause ?? (failed ? problems.map((p) => p.reason).filter((r, i, all) => all.indexOf(r) === i).join(" ") : null),
      itemErrors: failed ? (problems as unknown as Prisma.InputJsonValue) : null,
    },
  };
}

/**
 * A product no single items_batch call can carry (each variant repeats the
 * description: 1,000 variants of 9,999 three-byte characters are 30 MB).
 * Sent, it would fail the same way on every retry; instead nothing is sent,
 * the catalog keeps what it had, and the merchant is told what to change.
 */
function tooLarge(row: ClaimedRow, variants: number, bytes: number): PlannedRow {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return failedPlan(
    row,
    `Its ${variants.toLocaleString("en-US")} variants come to ${mb(bytes)} MB for Meta, more than the ${mb(BATCH_BYTES)} MB one catalog update can carry, ` +
      "because every variant repeats the description. Shorten the description or split the product; the catalog keeps its previous version until then.",
  );
}

/** A product that sends nothing and ends FAILED with `reason`; the catalog keeps the items it has (pushedItems null). */
export function failedPlan(row: ClaimedRow, reason: string): PlannedRow {
  return {
    row,
    requests: [],
    bytes: 0,
    result: {
      id: row.id,
      version: row.version,
      pushedRetailerIds: asIds(row.pushedRetailerIds),
      pushedItems: null,
      status: "FAILED",
      lastError: reason,
      itemErrors: null,
    },
  };
}

/**
 * Splits planned rows into items_batch calls of at most `max` requests and
 * `maxBytes` of JSON, keeping each product whole. Long descriptions reach
 * the byte limit first: 5,000 items of 9,999 characters are about 50 MB.
 */
export function chunkByRequests(plans: PlannedRow[], max = MAX_BATCH_REQUESTS, maxBytes = BATCH_BYTES): PlannedRow[][] {
  const chunks: PlannedRow[][] = [];
  let current: PlannedRow[] = [];
  let size = 0;
  let bytes = 0;
  for (const plan of plans) {
    if ((size + plan.requests.length > max || bytes + plan.bytes + 1 > maxBytes) && current.length) {
      chunks.push(current);
      current = [];
      size = 0;
      bytes = 0;
    }
    current.push(plan);
    size += plan.requests.length;
    bytes += plan.bytes + 1;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
