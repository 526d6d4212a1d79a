import fs from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import type { ProductFixture, VariantFixture } from "../fixtures/products";
import { inventoryItemGid, inventoryItemIdOf, isTracked, productGid, variantGid } from "./model";

/**
 * Webhook bodies as Shopify sends them at API version 2026-10, built from the
 * stand-in's store. The shapes follow Shopify's own example payloads, kept
 * verbatim in test/fixtures/shopify/ (source URL in each), and a test checks
 * that every key built here is one Shopify's example has:
 *
 * - products/create|update variants carry no `inventory_management`,
 *   `fulfillment_service`, `grams`, `weight`, `weight_unit` or
 *   `requires_shipping` since 2024-07 ("Product Variant Field Cleanup",
 *   https://shopify.dev/changelog/product-variant-field-cleanup): whether a
 *   variant is tracked lives on its inventory item, named by `inventory_item_id`.
 * - At most 100 variants in full; `variant_gids` lists every variant with its
 *   `updated_at`: "The Product/update webhook will return a full variant
 *   payload for the first 100 records. To support variants 101+, the payload
 *   will also include the full list of variant_ids with the updated_at field."
 *   (https://shopify.dev/docs/api/admin/migrate/new-product-model, key product
 *   API changes; the example payload names the field `variant_gids`.)
 * - Subscriptions with `include_fields` get only those fields (dot notation
 *   for nested ones): the stand-in applies the app's own shopify.app.toml, so
 *   a field the app needs but does not declare is missing here as in production.
 */

export const WEBHOOK_VARIANT_LIMIT = 100;

function restVariant(p: ProductFixture, v: VariantFixture) {
  return {
    admin_graphql_api_id: variantGid(v.id),
    barcode: v.barcode,
    compare_at_price: v.compare_at_price,
    created_at: p.updated_at,
    id: v.id,
    inventory_policy: v.inventory_policy,
    position: v.position,
    price: v.price,
    product_id: p.id,
    sku: v.sku,
    taxable: true,
    title: v.title,
    updated_at: v.updated_at ?? p.updated_at,
    option1: v.option1,
    option2: v.option2,
    option3: v.option3,
    image_id: v.image_id,
    inventory_item_id: inventoryItemIdOf(v),
    inventory_quantity: v.inventory_quantity,
    old_inventory_quantity: v.inventory_quantity,
  };
}

function restImage(p: ProductFixture, i: ProductFixture["images"][number]) {
  return {
    id: i.id,
    alt: null,
    position: i.position,
    product_id: p.id,
    created_at: p.updated_at,
    updated_at: p.updated_at,
    admin_graphql_api_id: `gid://shopify/ProductImage/${i.id}`,
    width: 1200,
    height: 1200,
    src: i.src,
    variant_ids: i.variant_ids,
  };
}

/** products/create and products/update, full (before include_fields). */
export function productWebhookBody(p: ProductFixture): Record<string, unknown> {
  const variants = [...p.variants].sort((a, b) => a.position - b.position);
  const images = p.images.map((i) => restImage(p, i));
  return {
    admin_graphql_api_id: productGid(p.id),
    body_html: p.body_html,
    created_at: p.updated_at,
    handle: p.handle,
    id: p.id,
    product_type: p.product_type,
    published_at: p.published_at,
    template_suffix: null,
    title: p.title,
    updated_at: p.updated_at,
    vendor: p.vendor,
    status: p.status,
    published_scope: "global",
    tags: p.tags,
    variants: variants.slice(0, WEBHOOK_VARIANT_LIMIT).map((v) => restVariant(p, v)),
    options: p.options.map((o) => ({
      id: Number(`${p.id}${o.position}`),
      product_id: p.id,
      name: o.name,
      position: o.position,
      values: [...new Set(variants.map((v) => [v.option1, v.option2, v.option3][o.position - 1]).filter(Boolean))],
    })),
    images,
    image: images[0] ?? null,
    media: [],
    variant_gids: variants.map((v) => ({ admin_graphql_api_id: variantGid(v.id), updated_at: new Date(v.updated_at ?? p.updated_at).toISOString() })),
    has_variants_that_requires_components: false,
    category: null,
  };
}

/** inventory_items/create and inventory_items/update: the inventory item alone (no variant id). */
export function inventoryItemWebhookBody(p: ProductFixture, v: VariantFixture): Record<string, unknown> {
  return {
    id: inventoryItemIdOf(v),
    sku: v.sku,
    created_at: p.updated_at,
    updated_at: v.inventory_updated_at ?? p.updated_at,
    requires_shipping: true,
    cost: null,
    country_code_of_origin: null,
    province_code_of_origin: null,
    harmonized_system_code: null,
    tracked: isTracked(v),
    country_harmonized_system_codes: [],
    weight_value: 0,
    weight_unit: "kg",
    admin_graphql_api_id: inventoryItemGid(inventoryItemIdOf(v)),
  };
}

/** Keeps only `fields` (dot notation: "variants.id" keeps each variant's id). */
export function applyIncludeFields(body: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields?.length) return body;
  const out: Record<string, unknown> = {};
  const nested = new Map<string, string[]>();
  for (const field of fields) {
    const [head, ...rest] = field.split(".");
    if (!(head in body)) continue;
    if (rest.length === 0) out[head] = body[head];
    else nested.set(head, [...(nested.get(head) ?? []), rest.join(".")]);
  }
  for (const [head, sub] of nested) {
    if (head in out) continue;
    const value = body[head];
    out[head] = Array.isArray(value)
      ? value.map((v) => (v && typeof v === "object" ? applyIncludeFields(v as Record<string, unknown>, sub) : v))
      : value && typeof value === "object"
        ? applyIncludeFields(value as Record<string, unknown>, sub)
        : value;
  }
  return out;
}

interface Subscription {
  topics?: string[];
  uri: string;
  include_fields?: string[];
}

/** The app's declared subscription for `topic` (shopify.app.toml), as Shopify reads it. */
export function appSubscription(topic: string): Subscription | undefined {
  const file = path.resolve(import.meta.dirname, "../../shopify.app.toml");
  const toml = parse(fs.readFileSync(file, "utf8")) as unknown as { webhooks: { subscriptions: Subscription[] } };
  return toml.webhooks.subscriptions.find((s) => s.topics?.includes(topic));
}

/** What the app receives for `topic` about `p` (and variant `v` for inventory items): Shopify's body, less undeclared fields. */
export function deliveredBody(topic: "products/create" | "products/update" | "inventory_items/create" | "inventory_items/update", p: ProductFixture, v?: VariantFixture) {
  const sub = appSubscription(topic);
  if (!sub) throw new Error(`shopify.app.toml does not subscribe to ${topic}`);
  const body = topic.startsWith("products/") ? productWebhookBody(p) : inventoryItemWebhookBody(p, v ?? p.variants[0]);
  return { uri: sub.uri, body: applyIncludeFields(body, sub.include_fields) };
}
