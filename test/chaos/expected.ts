import type { ChaosShop, FinalProduct, Product, Variant } from "./scenario";

/**
 * What the Meta catalog must hold for a shop, computed from the final
 * Shopify state with the mapping rules as the README and issue 6 state them,
 * written out here again on purpose (it does not import the app's mapping):
 *
 * - one item per variant; `id` = `shopify_<product id>_<variant id>`,
 *   `item_group_id` = `shopify_<product id>`;
 * - draft, archived, unlisted or unpublished products have no items
 *   (status EXCLUDED); deleted products have none either;
 * - a product without an image has no items and is FAILED ("no image");
 * - `title` (at most 200 characters) and `description` (the body's plain
 *   text, else the title; at most 9,999): a longer text is cut on a
 *   character boundary, trailing whitespace dropped, and ends with "…";
 * - `price` "12.34 EUR" in the shop's currency; when compare-at is higher,
 *   `price` is the compare-at price and `sale_price` the price;
 * - `availability` "in stock" when inventory is not tracked, the policy is
 *   "continue" or the quantity is positive, else "out of stock";
 *   `inventory` the quantity, never below 0; `condition` "new";
 * - `link` https://<primary domain>/products/<handle, URI-encoded>?variant=<id>;
 * - `image_link` the variant's image, else the product's first image; a
 *   variant whose image URL has a space is not sent, and its product is
 *   FAILED ("Invalid image_link");
 * - `additional_image_link` the product's other images in order (when any),
 *   leaving out URLs with a space, comma, semicolon or "|", at most 20 and
 *   2,000 characters comma-separated (Meta's catalog field reference);
 * - `brand` the vendor, else the shop's domain (at most 100 characters);
 * - options named color/colour, size, material, pattern (any case, trimmed)
 *   become those fields (at most 200, 200, 200 and 100 characters); others
 *   are not sent (the run has no gender or age group options).
 *
 * Products Meta refuses (the run's simulator requires `color`) are FAILED
 * with Meta's message and have no items.
 */

export type ExpectedStatus = "SYNCED" | "FAILED" | "EXCLUDED" | "DELETED";

export interface ExpectedProduct {
  productId: string;
  status: ExpectedStatus;
  /** For FAILED and EXCLUDED: what lastError must contain. */
  reason: RegExp | null;
  items: Map<string, Record<string, unknown>>;
}

const OPTION_FIELDS: Record<string, string> = { color: "color", colour: "color", size: "size", material: "material", pattern: "pattern" };
const OPTION_MAX: Record<string, number> = { color: 200, size: 200, material: 200, pattern: 100 };
const hasSpace = (url: string) => /\s/.test(url);

function additional(urls: string[]): string[] {
  const kept: string[] = [];
  for (const url of urls) {
    if (hasSpace(url) || /[,;|]/.test(url)) continue;
    if (kept.length === 20 || [...kept, url].join(",").length > 2000) break;
    kept.push(url);
  }
  return kept;
}

function imageOf(product: Product, v: Variant): string | undefined {
  const images = [...product.images].sort((a, b) => a.position - b.position);
  const own = v.image_id === null ? undefined : images.find((i) => i.id === v.image_id);
  return own?.src ?? product.image?.src ?? images[0]?.src;
}

/** At most `max` UTF-16 units, cut between characters (never inside a surrogate pair), "…" at the end. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = "";
  for (const ch of text) {
    if (kept.length + ch.length > max - 1) break;
    kept += ch;
  }
  return `${kept.trimEnd()}…`;
}

function money(amount: string, currency: string) {
  return `${Number(amount).toFixed(2)} ${currency}`;
}

function inStock(v: Variant) {
  return v.inventory_management === null || v.inventory_policy === "continue" || v.inventory_quantity > 0;
}

function item(product: Product, text: string, v: Variant, shop: ChaosShop): Record<string, unknown> {
  const images = [...product.images].sort((a, b) => a.position - b.position);
  const imageLink = imageOf(product, v);
  const compareAt = v.compare_at_price === null ? null : Number(v.compare_at_price);
  const onSale = compareAt !== null && compareAt > Number(v.price);
  const out: Record<string, unknown> = {
    id: `shopify_${product.id}_${v.id}`,
    item_group_id: `shopify_${product.id}`,
    title: cut(product.title, 200),
    description: cut(text || product.title, 9999),
    availability: inStock(v) ? "in stock" : "out of stock",
    condition: "new",
    price: money(onSale ? v.compare_at_price! : v.price, shop.currency),
    link: `https://${shop.primaryDomain ?? shop.domain}/products/${encodeURIComponent(product.handle)}?variant=${v.id}`,
    image_link: imageLink,
    brand: cut(product.vendor || (shop.primaryDomain ?? shop.domain), 100),
    inventory: Math.max(0, v.inventory_quantity),
  };
  if (onSale) out.sale_price = money(v.price, shop.currency);
  const others = additional(images.map((i) => i.src).filter((src) => src !== imageLink));
  if (others.length) out.additional_image_link = others;
  const values = [v.option1, v.option2, v.option3];
  product.options.forEach((o, i) => {
    const field = OPTION_FIELDS[o.name.trim().toLowerCase()];
    if (field && values[i]) out[field] = cut(values[i]!, OPTION_MAX[field]);
  });
  return out;
}

export function expectedProduct(id: number, final: FinalProduct, shop: ChaosShop): ExpectedProduct {
  const productId = String(id);
  const none = new Map<string, Record<string, unknown>>();
  const p = final.product;
  if (!p) return { productId, status: "DELETED", reason: null, items: none };
  if (p.status !== "active") return { productId, status: "EXCLUDED", reason: new RegExp(p.status), items: none };
  if (!p.published_at) return { productId, status: "EXCLUDED", reason: /not published/, items: none };
  if (p.images.length === 0) return { productId, status: "FAILED", reason: /no image/i, items: none };
  if (final.rejection === "no-color") return { productId, status: "FAILED", reason: /Required field "color" is missing/, items: none };
  const sendable = p.variants.filter((v) => !hasSpace(imageOf(p, v) ?? ""));
  const items = new Map(sendable.map((v) => [`shopify_${p.id}_${v.id}`, item(p, final.text, v, shop)] as const));
  if (sendable.length < p.variants.length) return { productId, status: "FAILED", reason: /Invalid image_link/, items };
  return { productId, status: "SYNCED", reason: null, items };
}

/** Every product of a shop, by product id. */
export function expectedShop(products: Map<number, FinalProduct>, shop: ChaosShop): Map<string, ExpectedProduct> {
  return new Map([...products].map(([id, final]) => [String(id), expectedProduct(id, final, shop)]));
}
