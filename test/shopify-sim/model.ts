import type { ProductFixture, VariantFixture } from "../fixtures/products";

/**
 * The stand-in's store, seen through the Admin GraphQL schema: a product
 * fixture (the shop's product in REST terms) as Product / ProductVariant /
 * InventoryItem / MediaImage objects. Connections are plain arrays here; the
 * server pages them (first/after) and the bulk export writes them out as
 * lines of their own. A fixture variant's `inventory_management` is the
 * store's record of whether the inventory item is tracked ("shopify" =
 * tracked); 2026-10 payloads never carry that field (see webhooks.ts).
 */

export const productGid = (id: number | string) => `gid://shopify/Product/${id}`;
export const variantGid = (id: number | string) => `gid://shopify/ProductVariant/${id}`;
export const inventoryItemGid = (id: number | string) => `gid://shopify/InventoryItem/${id}`;

/** The inventory item of a variant (1:1): an explicit id, or one derived from the variant's. */
export function inventoryItemIdOf(v: VariantFixture): number {
  return v.inventory_item_id ?? v.id * 10 + 7;
}

export function isTracked(v: VariantFixture) {
  return v.inventory_management === "shopify";
}

export type Model = Record<string, unknown> & { __typename: string; id: string };

export function variantModel(p: ProductFixture, v: VariantFixture): Model {
  const image = v.image_id ? p.images.find((i) => i.id === v.image_id) : undefined;
  return {
    __typename: "ProductVariant",
    id: variantGid(v.id),
    legacyResourceId: String(v.id),
    title: v.title,
    displayName: `${p.title} - ${v.title}`,
    price: v.price,
    compareAtPrice: v.compare_at_price,
    sku: v.sku,
    barcode: v.barcode,
    inventoryQuantity: v.inventory_quantity,
    inventoryPolicy: v.inventory_policy.toUpperCase(),
    position: v.position,
    inventoryItem: {
      __typename: "InventoryItem",
      id: inventoryItemGid(inventoryItemIdOf(v)),
      legacyResourceId: String(inventoryItemIdOf(v)),
      sku: v.sku,
      tracked: isTracked(v),
      requiresShipping: true,
      createdAt: p.updated_at,
      updatedAt: v.inventory_updated_at ?? p.updated_at,
    },
    selectedOptions: p.options
      .map((o, i) => ({ __typename: "SelectedOption", name: o.name, value: [v.option1, v.option2, v.option3][i] }))
      .filter((o) => o.value != null),
    image: image ? { __typename: "Image", id: `gid://shopify/ProductImage/${image.id}`, url: image.src } : null,
    createdAt: p.updated_at,
    updatedAt: p.updated_at,
  };
}

export function productModel(p: ProductFixture): Model {
  const media = (p.images ?? []).map((i) => ({
    __typename: "MediaImage",
    id: `gid://shopify/MediaImage/${i.id}`,
    alt: null,
    mediaContentType: "IMAGE",
    image: { __typename: "Image", id: `gid://shopify/ProductImage/${i.id}`, url: i.src },
  }));
  const variants = [...p.variants].sort((a, b) => a.position - b.position).map((v) => variantModel(p, v));
  const model: Model = {
    __typename: "Product",
    id: productGid(p.id),
    legacyResourceId: String(p.id),
    title: p.title,
    descriptionHtml: p.body_html,
    vendor: p.vendor,
    productType: p.product_type,
    handle: p.handle,
    status: p.status.toUpperCase(),
    publishedAt: p.published_at,
    updatedAt: p.updated_at,
    createdAt: p.updated_at,
    tags: p.tags.split(",").map((t) => t.trim()).filter(Boolean),
    onlineStoreUrl: p.published_at ? `https://example.com/products/${p.handle}` : null,
    options: p.options.map((o) => ({ __typename: "ProductOption", id: `gid://shopify/ProductOption/${p.id}${o.position}`, name: o.name, position: o.position, values: [] })),
    media,
    variants,
    variantsCount: { __typename: "Count", count: variants.length, precision: "EXACT" },
  };
  for (const v of variants) v.product = model;
  return model;
}
