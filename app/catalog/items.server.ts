import type { CatalogItemData, CatalogItemRequest } from "../meta/index.server";
import type { ProductSnapshot } from "./product-payload";

/**
 * Shopify product -> Meta catalog items: one item per variant, grouped by
 * product. Pure functions, so the worker, the full sync and the product page
 * all agree on what a product looks like in the catalog.
 */

export interface ShopContext {
  /** ISO 4217, e.g. "USD". */
  currency: string;
  /** Host products are linked on (the shop's primary domain). */
  domain: string;
}

/** The retailer id of a variant: derived from ids that never change, so it is stable for the variant's life. */
export function retailerId(productId: string, variantId: string) {
  return `shopify_${productId}_${variantId}`;
}

export function itemGroupId(productId: string) {
  return `shopify_${productId}`;
}

export type ItemProblem = { retailerId: string; reason: string };

export interface ProductItems {
  /** Items to upsert (empty when the product must not be in the catalog). */
  items: CatalogItemData[];
  /** Variants that cannot be sent, in the merchant's words. */
  problems: ItemProblem[];
  /** Why the whole product is out of the catalog, if it is. */
  excludedBecause: string | null;
}

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 9999;
const ADDITIONAL_IMAGES_MAX = 20;

// Option names Meta has dedicated fields for (lower-cased Shopify option name -> item field).
const OPTION_FIELDS: Record<string, string> = {
  color: "color",
  colour: "color",
  size: "size",
  material: "material",
  pattern: "pattern",
  gender: "gender",
};

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

/** Plain text from Shopify's body_html: tags out, entities decoded, whitespace folded. */
export function plainText(html: string) {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6])>/gi, "\n")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (entity, code: string) => {
      const lower = code.toLowerCase();
      if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
      if (lower.startsWith("#")) return String.fromCodePoint(Number(lower.slice(1)));
      return ENTITIES[lower] ?? entity;
    })
    .replace(/[ \t\r\f\v]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}

function truncate(text: string, max: number) {
  if (text.length <= max) return text;
  // Never cut between the two halves of a surrogate pair (an emoji, say): a
  // lone surrogate is not valid text, Meta refuses it, and SQLite's JSON
  // refused the pushed item so the product's batch could never be recorded
  // (issue 8, found by the chaos run).
  const end = /[\uD800-\uDBFF]/.test(text[max - 2] ?? "") ? max - 2 : max - 1;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** "12.34 USD": the amount with two decimals, a space, the ISO currency. */
export function formatPrice(amount: string, currency: string) {
  return `${Number(amount).toFixed(2)} ${currency}`;
}

function isHttpUrl(src: string | undefined | null): src is string {
  return typeof src === "string" && /^https?:\/\//i.test(src);
}

/** Why a product must not be in the catalog at all, or null. */
export function exclusionReason(product: ProductSnapshot): string | null {
  if (product.status === "draft") return "The product is a draft in Shopify.";
  if (product.status === "archived") return "The product is archived in Shopify.";
  if (product.status === "unlisted") return "The product is unlisted in Shopify.";
  if (!product.published_at) return "The product is not published on the Online Store.";
  return null;
}

/**
 * Tracked is the inventory item's `tracked` (API 2024-07 took
 * `inventory_management` out of product webhooks); the worker fills it in
 * (inventory-tracking.server.ts). An older payload's `inventory_management`
 * still counts ("shopify" or another service = tracked, null = not).
 */
export function isTracked(variant: ProductSnapshot["variants"][number]): boolean | undefined {
  if (variant.tracked != null) return variant.tracked;
  if (variant.inventory_management !== undefined) return Boolean(variant.inventory_management);
  return undefined;
}

function availability(variant: ProductSnapshot["variants"][number]) {
  // Sold when out of stock, or still in stock: the customer can buy it.
  if (variant.inventory_policy === "continue" || (variant.inventory_quantity ?? 0) > 0) return "in stock";
  // Not tracked: Shopify sells it whatever the count. Unknown counts as tracked: never promise stock that may be gone.
  return isTracked(variant) === false ? "in stock" : "out of stock";
}

export function productItems(product: ProductSnapshot, shop: ShopContext): ProductItems {
  const excludedBecause = exclusionReason(product);
  if (excludedBecause) return { items: [], problems: [], excludedBecause };

  const images = [...(product.images ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const imageById = new Map(images.filter((i) => i.id).map((i) => [i.id!, i.src]));
  const productImage = product.image?.src ?? images[0]?.src;
  const description = truncate(plainText(product.body_html ?? "") || product.title, DESCRIPTION_MAX);
  const optionNames = (product.options ?? []).map((o) => o.name.trim().toLowerCase());

  const items: CatalogItemData[] = [];
  const problems: ItemProblem[] = [];
  for (const variant of product.variants) {
    const id = retailerId(product.id, variant.id);
    const imageLink = (variant.image_id && imageById.get(variant.image_id)) || productImage;
    if (!variant.price) {
      problems.push({ retailerId: id, reason: "The variant has no price. Set a price in Shopify." });
      continue;
    }
    if (!isHttpUrl(imageLink)) {
      problems.push({ retailerId: id, reason: "The product has no image. Add an image in Shopify; Meta requires one." });
      continue;
    }
    const price = Number(variant.price);
    const compareAt = variant.compare_at_price ? Number(variant.compare_at_price) : NaN;
    const onSale = Number.isFinite(compareAt) && compareAt > price;
    const item: CatalogItemData = {
      id,
      item_group_id: itemGroupId(product.id),
      title: truncate(product.title, TITLE_MAX),
      description,
      availability: availability(variant),
      condition: "new",
      price: formatPrice(onSale ? variant.compare_at_price! : variant.price, shop.currency),
      link: `https://${shop.domain}/products/${encodeURIComponent(product.handle ?? product.id)}?variant=${variant.id}`,
      image_link: imageLink,
      brand: truncate(product.vendor || shop.domain, 100),
      inventory: Math.max(0, variant.inventory_quantity ?? 0),
    };
    if (onSale) item.sale_price = formatPrice(variant.price, shop.currency);
    const additional = images.map((i) => i.src).filter((src) => src !== imageLink && isHttpUrl(src));
    if (additional.length) item.additional_image_link = additional.slice(0, ADDITIONAL_IMAGES_MAX);
    const options = [variant.option1, variant.option2, variant.option3];
    optionNames.forEach((name, i) => {
      const field = OPTION_FIELDS[name];
      if (field && options[i]) item[field] = truncate(options[i]!, 100);
    });
    items.push(item);
  }
  return { items, problems, excludedBecause: null };
}

// Optional fields an item may lose while it lives: a sale ends, the extra images go, an option is renamed.
const CLEARABLE_FIELDS = ["sale_price", "additional_image_link", ...new Set(Object.values(OPTION_FIELDS))];

/**
 * An UPDATE changes only the fields it names, so a field the item no longer
 * has is sent as null, which clears it; otherwise Meta kept showing an
 * ended sale price (issue 8, found by the chaos run).
 */
function withClearedFields(item: CatalogItemData): CatalogItemData {
  const data: Record<string, unknown> = { ...item };
  for (const field of CLEARABLE_FIELDS) if (data[field] === undefined) data[field] = null;
  return data as CatalogItemData;
}

/**
 * The batch requests that move the catalog from what was pushed for a
 * product to what it should hold now: UPDATE (upsert) every current item,
 * DELETE every retailer id pushed before that is gone.
 */
export function itemRequests(current: CatalogItemData[], previouslyPushed: string[]): CatalogItemRequest[] {
  const keep = new Set(current.map((i) => i.id));
  return [
    ...current.map((data) => ({ method: "UPDATE" as const, data: withClearedFields(data) })),
    ...previouslyPushed.filter((id) => !keep.has(id)).map((id) => ({ method: "DELETE" as const, data: { id } })),
  ];
}
