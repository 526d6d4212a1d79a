import { z } from "zod";

/**
 * The REST-shaped product that products/create and products/update deliver,
 * reduced to what the catalog needs (shopify.app.toml's include_fields lists
 * the same fields). Unknown keys are dropped so the stored snapshot stays small.
 *
 * At API 2026-10 (test/fixtures/shopify/products-create.json is Shopify's
 * example): variants have no `inventory_management` (removed in 2024-07,
 * "Product Variant Field Cleanup"; tracking is the inventory item's `tracked`,
 * reached through `inventory_item_id`), at most the first 100 variants come in
 * full, and `variant_gids` lists every variant (the new product model's
 * webhook changes). `inventory_management` is still read where an older
 * payload has it; `tracked` is the app's own field, filled in by the full
 * sync and the worker (inventory-tracking.server.ts).
 */

const id = z.union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,20}$/)])
  .transform((v) => String(v));
const money = z
  .union([z.string().regex(/^-?\d{1,12}(\.\d{1,6})?$/), z.number().finite()])
  .transform((v) => String(v));
// NUL and unpaired surrogates are not text: PostgreSQL refuses NUL in text and JSON, SQLite's
// JSON refuses a lone surrogate, so such a payload was stored on one database and failed with a
// 500 on the other, on every retry. Refused with a 400 instead (issue 8, hostile-input tests).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isText = (s: string) => !s.includes("\u0000") && !LONE_SURROGATE.test(s);
const text = (max: number) => z.string().max(max).refine(isText, "must be text without NUL characters or unpaired surrogates");
const isoDate = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date");

export const VariantPayload = z.object({
  id,
  title: text(1000).nullish(),
  price: money.nullish(),
  compare_at_price: money.nullish(),
  sku: text(1000).nullish(),
  barcode: text(1000).nullish(),
  inventory_quantity: z.number().int().min(-1e9).max(1e12).nullish(),
  inventory_policy: z.enum(["deny", "continue"]).nullish(),
  inventory_management: text(100).nullish(),
  inventory_item_id: id.nullish(),
  tracked: z.boolean().nullish(),
  option1: text(1000).nullish(),
  option2: text(1000).nullish(),
  option3: text(1000).nullish(),
  image_id: id.nullish(),
  position: z.number().int().nullish(),
});

export const ImagePayload = z.object({
  id: id.nullish(),
  src: text(4000),
  position: z.number().int().nullish(),
  variant_ids: z.array(id).max(10_000).nullish(),
});

// Shopify's ids are 64-bit and its own example payloads use ids above 2^53, which JSON.parse
// rounds; the GraphQL id beside them is text and exact, so it wins when the number is not safe.
// A 64-bit id a double cannot hold exactly (anything larger is no Shopify id and stays refused).
const beyondDoubles = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n > Number.MAX_SAFE_INTEGER && n < 2 ** 64;

function exactIds(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const fromGid = (value: Record<string, unknown>) => {
    const gid = typeof value.admin_graphql_api_id === "string" ? /^gid:\/\/shopify\/\w+\/(\d{1,20})$/.exec(value.admin_graphql_api_id) : null;
    // Only the same id, written exactly: the GraphQL id rounds to the very number given.
    return beyondDoubles(value.id) && gid && Number(gid[1]) === value.id ? { ...value, id: gid[1] } : value;
  };
  const product = fromGid(raw as Record<string, unknown>);
  const variants = product.variants;
  if (!Array.isArray(variants)) return product;
  return {
    ...product,
    variants: variants.map((v) => {
      if (!v || typeof v !== "object") return v;
      const variant = fromGid(v as Record<string, unknown>);
      // An inventory item id past 2^53 cannot be known exactly here: left out, it is looked up by variant.
      const item = variant.inventory_item_id;
      return beyondDoubles(item) ? { ...variant, inventory_item_id: null } : variant;
    }),
  };
}

export const VariantGid = z.object({
  admin_graphql_api_id: z.string().regex(/^gid:\/\/shopify\/ProductVariant\/\d{1,20}$/),
  updated_at: isoDate.nullish(),
});

const ProductFields = z.object({
  id,
  admin_graphql_api_id: text(200).nullish(),
  title: text(10_000),
  body_html: text(1_000_000).nullish(),
  vendor: text(1000).nullish(),
  product_type: text(1000).nullish(),
  handle: text(1000).nullish(),
  status: z.enum(["active", "draft", "archived", "unlisted"]),
  published_at: isoDate.nullish(),
  updated_at: isoDate,
  tags: z.union([text(100_000), z.array(text(1000))]).nullish(),
  variants: z.array(VariantPayload).max(2048).default([]),
  options: z
    .array(z.object({ name: text(1000), position: z.number().int().nullish() }))
    .max(3)
    .nullish(),
  images: z.array(ImagePayload).max(1000).nullish(),
  image: ImagePayload.nullish(),
  variant_gids: z.array(VariantGid).max(2048).nullish(),
});

export const ProductPayload = z.preprocess(exactIds, ProductFields);

export type ProductSnapshot = z.infer<typeof ProductFields>;
export type VariantSnapshot = ProductSnapshot["variants"][number];

/** Variant ids a payload names (`variant_gids`) but does not carry in full: Shopify sends the first 100. */
export function variantsLeftOut(product: ProductSnapshot): string[] {
  if (!product.variant_gids?.length) return [];
  const carried = new Set(product.variants.map((v) => v.id));
  return product.variant_gids.map((g) => g.admin_graphql_api_id.split("/").pop()!).filter((id) => !carried.has(id));
}

/**
 * products/delete carries the deleted product's id and nothing else
 * (test/fixtures/shopify/products-delete.json). Strict, because the topic
 * header is not signed: a captured, signed products/update body re-sent with
 * topic products/delete would otherwise delete the product for good (issue 14).
 */
export const DeletePayload = z.strictObject({ id });
