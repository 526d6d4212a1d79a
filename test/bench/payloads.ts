import { productPayload } from "../fixtures/products";
import { seededRandom } from "../meta-sim/rng";

/**
 * Benchmark deliveries: products/update bodies shaped like the ones Shopify
 * sends without include_fields (every REST field, about 6 KB for 5
 * variants), and the delivery plans of the figures. A plan is a list of
 * compact tuples; the load generator turns each into a signed request.
 */

/** [product id, updated_at (epoch ms), webhook id, version, index into LoadSpec.shops (default: LoadSpec.shop)] */
export type Delivery = [productId: number, updatedAtMs: number, webhookId: string, version: number, shopIndex?: number];

export const BASE_TIME = Date.parse("2026-11-01T00:00:00Z");

export function productTitle(productId: number, version: number) {
  return `Organic Cotton T-Shirt ${productId} v${version}`;
}

/** The JSON body of one delivery. */
export function deliveryBody(productId: number, updatedAtMs: number, version: number, variants = 5): string {
  const updatedAt = new Date(updatedAtMs).toISOString().replace(".000Z", "Z");
  const base = productPayload({ id: productId, updated_at: updatedAt, title: productTitle(productId, version) }, variants);
  const created = "2026-01-01T00:00:00Z";
  // The fields Shopify adds that the app ignores: they make the body realistic in size.
  const body = {
    ...base,
    created_at: created,
    template_suffix: null,
    published_scope: "global",
    category: { admin_graphql_api_id: "gid://shopify/TaxonomyCategory/aa-1-13-8", name: "T-Shirts", full_name: "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts" },
    has_variants_that_requires_components: false,
    variant_gids: base.variants.map((v) => ({ admin_graphql_api_id: `gid://shopify/ProductVariant/${v.id}`, updated_at: updatedAt })),
    variants: base.variants.map((v) => ({
      ...v,
      price: (Number(v.price) + (version % 7)).toFixed(2),
      product_id: productId,
      admin_graphql_api_id: `gid://shopify/ProductVariant/${v.id}`,
      created_at: created,
      updated_at: updatedAt,
      taxable: true,
      fulfillment_service: "manual",
      grams: 180,
      weight: 0.18,
      weight_unit: "kg",
      inventory_item_id: v.id * 7,
      old_inventory_quantity: v.inventory_quantity,
      requires_shipping: true,
    })),
    options: [{ id: productId * 3, product_id: productId, name: "Size", position: 1, values: base.variants.map((v) => v.option1) }],
    images: base.images.map((i) => ({
      ...i,
      alt: "Organic cotton t-shirt",
      width: 2048,
      height: 2048,
      product_id: productId,
      created_at: created,
      updated_at: updatedAt,
      admin_graphql_api_id: `gid://shopify/ProductImage/${i.id}`,
    })),
    media: base.images.map((i) => ({
      id: i.id + 1,
      product_id: productId,
      position: i.position,
      created_at: created,
      updated_at: updatedAt,
      alt: "Organic cotton t-shirt",
      status: "READY",
      media_content_type: "IMAGE",
      preview_image: { width: 2048, height: 2048, src: i.src, status: "READY" },
      variant_ids: [],
      admin_graphql_api_id: `gid://shopify/MediaImage/${i.id + 1}`,
    })),
  };
  return JSON.stringify(body);
}

export function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * Figure 1: `count` updates spread over `products` products, each a newer
 * state than the last (so every delivery is stored: the costliest path).
 */
export function ingestPlan(count: number, opts: { products: number; firstProductId: number; tag: string; startMs?: number }): Delivery[] {
  const plan: Delivery[] = [];
  const start = opts.startMs ?? BASE_TIME;
  for (let i = 0; i < count; i++) {
    const productId = opts.firstProductId + (i % opts.products);
    const version = Math.floor(i / opts.products) + 1;
    plan.push([productId, start + version * 1000, `${opts.tag}-${i}`, version]);
  }
  return plan;
}

export interface BatchingPlan {
  deliveries: Delivery[];
  /** product id -> the newest version delivered (the final Shopify state). */
  finalVersion: Map<number, { version: number; updatedAtMs: number }>;
  duplicates: number;
  olderThanFinal: number;
}

/**
 * Figure 2: per product 10 deliveries (8 new states, one re-delivery of one
 * of them with the same webhook id, one state older than all of them under
 * a new webhook id), all shuffled together.
 */
export function batchingPlan(opts: { products: number; firstProductId: number; round: number; seed: number }): BatchingPlan {
  // Seeded, so every run sends the same plan.
  const random = seededRandom(opts.seed);
  const deliveries: Delivery[] = [];
  const finalVersion = new Map<number, { version: number; updatedAtMs: number }>();
  const roundStart = BASE_TIME + opts.round * 86_400_000;
  let duplicates = 0;
  for (let p = 0; p < opts.products; p++) {
    const productId = opts.firstProductId + p;
    const states: Delivery[] = [];
    for (let v = 1; v <= 8; v++) {
      const version = opts.round * 100 + v;
      states.push([productId, roundStart + v * 60_000, `r${opts.round}-${productId}-${v}`, version]);
    }
    deliveries.push(...states);
    deliveries.push(states[Math.floor(random() * states.length)]); // Shopify retried this one
    duplicates += 1;
    const oldVersion = opts.round * 100;
    deliveries.push([productId, roundStart, `r${opts.round}-${productId}-old`, oldVersion]);
    finalVersion.set(productId, { version: states[7][3], updatedAtMs: states[7][1] });
  }
  shuffle(deliveries, random);
  // How many deliveries carry a state older than one delivered before them (stale on arrival).
  const newest = new Map<number, number>();
  let olderThanFinal = 0;
  for (const [productId, updatedAtMs] of deliveries) {
    const seen = newest.get(productId) ?? -Infinity;
    if (updatedAtMs < seen) olderThanFinal += 1;
    newest.set(productId, Math.max(seen, updatedAtMs));
  }
  return { deliveries, finalVersion, duplicates, olderThanFinal };
}
