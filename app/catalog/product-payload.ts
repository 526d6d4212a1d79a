import { z } from "zod";

/**
 * The REST-shaped product that products/create and products/update deliver,
 * reduced to what the catalog needs (shopify.app.toml's include_fields lists
 * the same fields). Unknown keys are dropped so the stored snapshot stays small.
 */

const id = z.union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,16}$/)])
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

export const ProductPayload = z.object({
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
});

export type ProductSnapshot = z.infer<typeof ProductPayload>;

/**
 * products/delete carries the deleted product's id and nothing else
 * (test/fixtures/shopify/products-delete.json). Strict, because the topic
 * header is not signed: a captured, signed products/update body re-sent with
 * topic products/delete would otherwise delete the product for good (issue 14).
 */
export const DeletePayload = z.strictObject({ id });
