import fs from "node:fs";
import path from "node:path";
import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BULK_PRODUCTS_QUERY,
  PRODUCT_MEDIA_QUERY,
  PRODUCT_QUERY,
  PRODUCT_VARIANTS_QUERY,
  PRODUCTS_PER_PAGE,
  PRODUCTS_QUERY,
  VARIANT_INVENTORY_QUERY,
  INVENTORY_LOOKUP_BATCH,
} from "../../app/catalog/admin-products.server";
import { ProductPayload, variantsLeftOut } from "../../app/catalog/product-payload";
import { productPayload } from "../fixtures/products";
import { bulkLines, checkBulkQuery } from "./bulk";
import { MAX_QUERY_COST, requestedCost } from "./cost";
import { productModel } from "./model";
import { adminSchema } from "./schema";
import { createShopifySimulator, PLANS, type ShopifySimulator } from "./server";
import { applyIncludeFields, appSubscription, deliveredBody, inventoryItemWebhookBody, productWebhookBody, WEBHOOK_VARIANT_LIMIT } from "./webhooks";

/**
 * The Admin API stand-in against Shopify's published contracts, and the
 * app's own queries and parsers against the same fixtures
 * (test/fixtures/shopify/, each with its source).
 */

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../fixtures/shopify", name), "utf8"));
const cost = (query: string, variables: Record<string, unknown> = {}) => {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return requestedCost(adminSchema, doc, op, variables);
};
const SHOP = "contract-shop.myshopify.com";

async function graphql(sim: ShopifySimulator, query: string, variables: Record<string, unknown> = {}, shop = SHOP) {
  const res = await fetch(`${sim.url}/${shop}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_test" },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[]; extensions?: { cost: Record<string, unknown> } };
}

describe("query cost, by Shopify's published rules", () => {
  it("prices the reference's example as Shopify does (3 points)", () => {
    const example = fixture("query-cost.json");
    expect(cost(example.query)).toBe(example.body.extensions.cost.requestedQueryCost);
  });

  it("keeps every query the app sends well under the 1,000-point limit", () => {
    const costs = {
      page: cost(PRODUCTS_QUERY, { first: PRODUCTS_PER_PAGE, after: null }),
      product: cost(PRODUCT_QUERY, { id: "gid://shopify/Product/1" }),
      variants: cost(PRODUCT_VARIANTS_QUERY, { id: "gid://shopify/Product/1", after: "x" }),
      media: cost(PRODUCT_MEDIA_QUERY, { id: "gid://shopify/Product/1", after: "x" }),
      inventory: cost(VARIANT_INVENTORY_QUERY, { ids: Array.from({ length: INVENTORY_LOOKUP_BATCH }, (_, i) => `gid://shopify/ProductVariant/${i + 1}`) }),
    };
    for (const [name, value] of Object.entries(costs)) expect(value, name).toBeLessThanOrEqual(0.7 * MAX_QUERY_COST);
    expect(costs.page).toBe(683);
  });

  it("prices the page query the app used to send far over the limit (why small shops' full syncs failed)", () => {
    const before = `query ($first: Int!, $after: String) { products(first: $first, after: $after, sortKey: ID) {
      pageInfo { hasNextPage endCursor }
      nodes { legacyResourceId title options { name position }
        media(first: 20) { nodes { ... on MediaImage { id image { id url } } } }
        variants(first: 100) { pageInfo { hasNextPage } nodes { legacyResourceId inventoryItem { tracked } selectedOptions { name value } image { id url } } } } } }`;
    expect(cost(before, { first: 50 })).toBeGreaterThan(20_000);
  });
});

describe("the Admin API stand-in", () => {
  let sim: ShopifySimulator;
  beforeAll(async () => {
    sim = await createShopifySimulator();
    sim.setProducts(SHOP, [productPayload({ id: 10 }, 3), productPayload({ id: 11 }, 150)]);
  });
  afterAll(() => sim.close());

  it("answers the reference's example with its cost and throttle status", async () => {
    const example = fixture("query-cost.json");
    const answer = await graphql(sim, example.query);
    expect(answer.extensions!.cost.requestedQueryCost).toBe(3);
    expect(Object.keys(answer.extensions!.cost).sort()).toEqual(Object.keys(example.body.extensions.cost).sort());
    expect(Object.keys(answer.extensions!.cost.throttleStatus as object).sort()).toEqual(Object.keys(example.body.extensions.cost.throttleStatus).sort());
  });

  it("refuses a query over 1,000 points before running it, exactly as the reference's sample error", async () => {
    const sample = fixture("max-cost-exceeded.json").body;
    const answer = await graphql(sim, `{ products(first: 250) { nodes { variants(first: 100) { nodes { id inventoryItem { tracked } } } } } }`);
    expect(answer.data).toBeUndefined();
    expect(answer.extensions).toBeUndefined();
    expect(Object.keys(answer.errors![0]).sort()).toEqual(Object.keys(sample.errors[0]).sort());
    expect(Object.keys(answer.errors![0].extensions!).sort()).toEqual(Object.keys(sample.errors[0].extensions).sort());
    expect(answer.errors![0].extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", maxCost: 1000 });
    expect(answer.errors![0].message).toMatch(/^Query cost is \d+, which exceeds the single query max cost limit \(1000\)\./);
  });

  it("refuses fields Shopify removed (ProductVariant.inventoryManagement, 2024-07)", async () => {
    const answer = await graphql(sim, `{ products(first: 1) { nodes { variants(first: 1) { nodes { inventoryManagement } } } } }`);
    expect(answer.errors?.[0].message).toMatch(/inventoryManagement/);
  });

  it("charges the actual cost, refunds the rest, and throttles when the bucket is short", async () => {
    sim.setPlan({ maximumAvailable: 690, restoreRate: 1 });
    const first = await graphql(sim, PRODUCTS_QUERY, { first: PRODUCTS_PER_PAGE, after: null });
    const c = first.extensions!.cost as { requestedQueryCost: number; actualQueryCost: number; throttleStatus: { currentlyAvailable: number } };
    expect(c.requestedQueryCost).toBe(683);
    expect(c.actualQueryCost).toBeLessThan(c.requestedQueryCost);
    expect(c.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(690 - c.actualQueryCost - 1);
    const second = await graphql(sim, PRODUCTS_QUERY, { first: PRODUCTS_PER_PAGE, after: null });
    expect(second.errors?.[0].extensions?.code).toBe("THROTTLED");
    expect(second.extensions!.cost).toMatchObject({ requestedQueryCost: 683, actualQueryCost: null });
    sim.setPlan(PLANS.standard);
  });

  it("pages a product's variants beyond the first page", async () => {
    const answer = await graphql(sim, PRODUCT_VARIANTS_QUERY, { id: "gid://shopify/Product/11", after: null });
    const variants = (answer.data!.product as { variants: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } }).variants;
    expect(variants.nodes).toHaveLength(150);
    expect(variants.pageInfo.hasNextPage).toBe(false);
  });
});

describe("bulk export lines", () => {
  const guide = fixture("bulk-products-variants.jsonl.json");
  const products = Array.from({ length: 60 }, (_, i) => productPayload({ id: 100 + i }, i === 7 ? 150 : 1 + (i % 6)));
  const query = checkBulkQuery(BULK_PRODUCTS_QUERY);
  if ("error" in query) throw new Error(query.error);

  const read = (lines: string[]) => lines.map((l) => JSON.parse(l) as { id?: string; __parentId?: string; position?: number });

  it("accepts the app's bulk query and refuses one without a connection", () => {
    expect("error" in checkBulkQuery(`{ shop { currencyCode } }`)).toBe(true);
    expect("error" in checkBulkQuery(guide.query)).toBe(false);
  });

  it("grouped: the guide's layout, each parent followed by its children", () => {
    const lines = read([...bulkLines(query, products.map(productModel), { grouped: true, seed: 1 })]);
    let parent: string | undefined;
    for (const line of lines) {
      if (!line.__parentId) parent = line.id;
      else expect(line.__parentId).toBe(parent);
    }
    // The guide's own example has the same form.
    let guideParent: string | undefined;
    for (const line of read(guide.lines)) {
      if (!line.__parentId) guideParent = line.id;
      else expect(line.__parentId).toBe(guideParent);
    }
  });

  it("ungrouped (the default since 2026-01): every child after its parent, each parent's in order, many far from it", () => {
    const lines = read([...bulkLines(query, products.map(productModel), { grouped: false, seed: 42 })]);
    const seen = new Set<string>();
    const lastPosition = new Map<string, number>();
    let apart = 0;
    let current: string | undefined;
    for (const line of lines) {
      if (!line.__parentId) {
        seen.add(line.id!);
        current = line.id;
        continue;
      }
      expect(seen.has(line.__parentId)).toBe(true);
      if (line.__parentId !== current) apart += 1;
      if (line.id?.includes("ProductVariant")) {
        expect(line.position!).toBeGreaterThan(lastPosition.get(line.__parentId) ?? 0);
        lastPosition.set(line.__parentId, line.position!);
      }
    }
    const children = lines.filter((l) => l.__parentId).length;
    expect(children).toBe(products.reduce((n, p) => n + p.variants.length + p.images.length, 0));
    expect(apart).toBeGreaterThan(children / 2);
  });
});

describe("webhook bodies at 2026-10, against Shopify's example payloads", () => {
  const example = fixture("products-create.json").body;
  const exampleItem = fixture("inventory-items-update.json").body;

  it("the app parses Shopify's example product payload, with its exact 64-bit ids", () => {
    const parsed = ProductPayload.parse(example);
    expect(parsed.id).toBe("788032119674292922");
    expect(parsed.variants.map((v) => v.id)).toEqual(["642667041472713922", "757650484644203962"]);
    expect(parsed.variants[0]).not.toHaveProperty("inventory_management");
    expect(variantsLeftOut(parsed)).toEqual([]);
  });

  it("builds product bodies with Shopify's keys only, no removed fields, 100 variants and every variant gid", () => {
    const body = productWebhookBody(productPayload({ id: 77 }, 150));
    for (const key of Object.keys(body)) expect(example, key).toHaveProperty(key);
    const variants = body.variants as Record<string, unknown>[];
    for (const key of Object.keys(variants[0])) expect(example.variants[0], key).toHaveProperty(key);
    for (const removed of ["inventory_management", "fulfillment_service", "grams", "weight", "weight_unit", "requires_shipping"]) {
      expect(variants[0]).not.toHaveProperty(removed);
    }
    expect(variants).toHaveLength(WEBHOOK_VARIANT_LIMIT);
    expect(body.variant_gids).toHaveLength(150);
    const parsed = ProductPayload.parse(body);
    expect(variantsLeftOut(parsed)).toHaveLength(50);
  });

  it("builds inventory item bodies with exactly the example's keys", () => {
    const p = productPayload({ id: 78 }, 1);
    expect(Object.keys(inventoryItemWebhookBody(p, p.variants[0])).sort()).toEqual(Object.keys(exampleItem).sort());
  });

  it("delivers what the app's shopify.app.toml include_fields ask for, enough for the catalog", () => {
    const p = productPayload({ id: 79 }, 2);
    const { uri, body } = deliveredBody("products/update", p);
    expect(uri).toBe("/webhooks/products");
    expect(body).not.toHaveProperty("body_html_missing");
    expect(Object.keys((body.variants as object[])[0])).toContain("inventory_item_id");
    expect(body).toHaveProperty("variant_gids");
    expect(ProductPayload.safeParse(body).success).toBe(true);
    expect(appSubscription("inventory_items/update")?.uri).toBe("/webhooks/inventory_items");
    expect(applyIncludeFields({ a: 1, b: [{ c: 1, d: 2 }] }, ["b.c"])).toEqual({ b: [{ c: 1 }] });
  });
});
