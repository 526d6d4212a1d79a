import { describe, expect, it } from "vitest";
import type { Prisma } from "../db.server";
import { chunkByRequests, planRow, type PlannedRow } from "./batch-plan";
import type { ProductSnapshot } from "./product-payload";
import type { ClaimedRow } from "./store/outbox.server";

const shop = { currency: "USD", domain: "shop.example.com" };

function product(variants: string[], extra: Partial<ProductSnapshot> = {}): ProductSnapshot {
  return {
    id: "10",
    title: "Tee",
    body_html: "A tee",
    handle: "tee",
    status: "active",
    published_at: "2026-11-01T00:00:00Z",
    updated_at: "2026-11-01T00:00:00Z",
    images: [{ id: "1", src: "https://cdn.example.com/tee.jpg", position: 1, variant_ids: [] }],
    variants: variants.map((id, i) => ({ id, price: "10.00", inventory_quantity: 5, inventory_policy: "deny", position: i + 1 })),
    ...extra,
  } as ProductSnapshot;
}

function row(snapshot: ProductSnapshot | null, over: Partial<ClaimedRow> = {}): ClaimedRow {
  return {
    id: "row",
    productId: "10",
    snapshot: snapshot as unknown as Prisma.JsonValue,
    deleted: false,
    excluded: false,
    bulk: false,
    pushedRetailerIds: [],
    version: 3,
    attempts: 0,
    ...over,
  };
}

describe("planRow", () => {
  it("upserts every variant and deletes the variants that disappeared; PENDING until Meta answers", () => {
    const plan = planRow(row(product(["1", "2"]), { pushedRetailerIds: ["shopify_10_1", "shopify_10_3"] }), shop);
    expect(plan.requests.map((r) => `${r.method} ${r.data.id}`)).toEqual(["UPDATE shopify_10_1", "UPDATE shopify_10_2", "DELETE shopify_10_3"]);
    expect(plan.result).toMatchObject({ id: "row", version: 3, status: "PENDING", pushedRetailerIds: ["shopify_10_1", "shopify_10_2"], lastError: null });
    expect(plan.bytes).toBe(Buffer.byteLength(JSON.stringify(plan.requests)));
  });

  it("deletes everything pushed for a deleted or excluded product", () => {
    const deleted = planRow(row(product(["1"]), { deleted: true, pushedRetailerIds: ["shopify_10_1"] }), shop);
    expect(deleted.requests).toEqual([{ method: "DELETE", data: { id: "shopify_10_1" } }]);
    expect(deleted.result).toMatchObject({ status: "SYNCED", pushedRetailerIds: [] });
    expect(planRow(row(product(["1"]), { excluded: true, pushedRetailerIds: ["shopify_10_1"] }), shop).result.status).toBe("EXCLUDED");
  });

  it("removes a draft from the catalog and shows it as excluded with Shopify's reason", () => {
    const plan = planRow(row(product(["1"], { status: "draft" }), { pushedRetailerIds: ["shopify_10_1"] }), shop);
    expect(plan.requests).toEqual([{ method: "DELETE", data: { id: "shopify_10_1" } }]);
    expect(plan.result).toMatchObject({ status: "EXCLUDED", lastError: "The product is a draft in Shopify." });
  });

  it("never deletes a variant the payload named but did not carry (Shopify sends the first 100 in full)", () => {
    const snapshot = product(["1"], {
      variant_gids: [
        { admin_graphql_api_id: "gid://shopify/ProductVariant/1", updated_at: "2026-11-01T00:00:00Z" },
        { admin_graphql_api_id: "gid://shopify/ProductVariant/2", updated_at: "2026-11-01T00:00:00Z" },
      ],
    });
    const plan = planRow(row(snapshot, { pushedRetailerIds: ["shopify_10_1", "shopify_10_2"] }), shop);
    expect(plan.requests.map((r) => r.method)).toEqual(["UPDATE"]);
    expect(plan.result.pushedRetailerIds).toEqual(["shopify_10_1", "shopify_10_2"]);
  });

  it("fails a variant Meta could not take without sending it, and names why", () => {
    const snapshot = product(["1", "2"]);
    snapshot.variants[1].price = null;
    const plan = planRow(row(snapshot), shop);
    expect(plan.requests.map((r) => r.data.id)).toEqual(["shopify_10_1"]);
    expect(plan.result).toMatchObject({ status: "FAILED", lastError: expect.stringMatching(/no price/) });
  });

  it("sends nothing for a product no single call can carry, keeping what the catalog has", () => {
    const snapshot = product(Array.from({ length: 1000 }, (_, i) => String(i + 1)), { body_html: "€".repeat(9999) });
    const plan = planRow(row(snapshot, { pushedRetailerIds: ["shopify_10_1"] }), shop);
    expect(plan.requests).toEqual([]);
    expect(plan.result).toMatchObject({ status: "FAILED", pushedItems: null, pushedRetailerIds: ["shopify_10_1"] });
    expect(plan.result.lastError).toMatch(/Shorten the description or split the product/);
  });
});

describe("chunkByRequests", () => {
  const plan = (id: string, requests: number, bytes = requests * 100): PlannedRow =>
    ({ row: { id }, requests: Array.from({ length: requests }, () => ({ method: "DELETE", data: { id } })), bytes }) as unknown as PlannedRow;
  const ids = (chunks: PlannedRow[][]) => chunks.map((c) => c.map((p) => p.row.id));

  it("fills each call up to the request limit, keeping every product whole", () => {
    expect(ids(chunkByRequests([plan("a", 3), plan("b", 2), plan("c", 4), plan("d", 1)], 5))).toEqual([["a", "b"], ["c", "d"]]);
  });

  it("starts a new call when the bytes would pass the limit", () => {
    expect(ids(chunkByRequests([plan("a", 1, 600), plan("b", 1, 600), plan("c", 1, 10)], 100, 1000))).toEqual([["a"], ["b", "c"]]);
  });

  it("gives a product larger than a call a call of its own, and no empty calls", () => {
    expect(ids(chunkByRequests([plan("big", 8), plan("x", 1)], 5))).toEqual([["big"], ["x"]]);
    expect(chunkByRequests([], 5)).toEqual([]);
  });
});
