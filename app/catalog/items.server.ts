import { Parser } from "htmlparser2";
import type { CatalogItemData, CatalogItemRequest } from "../meta/index.server";
import {
  additionalImages,
  ageGroupValue,
  CLEARABLE_FIELDS,
  formatPrice,
  genderValue,
  isCurrencyCode,
  isItemUrl,
  MAX_CHARS,
  OPTION_FIELDS,
  unmappableOption,
} from "./meta-item-fields";
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

/**
 * body_html is read up to this many characters. Meta keeps 9,999 characters
 * of description; markup around them rarely passes a few times that, and the
 * product schema lets body_html reach 1 MB. The tokenizer is linear anyway;
 * the cap bounds what one product costs the worker.
 */
export const MAX_HTML_CHARS = 256 * 1024;

/** Closing these (and `<br>`) ends a line; any other tag is a space. */
const LINE_TAGS = new Set(["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6"]);
/** Their content is code, not text. */
const HIDDEN_TAGS = new Set(["script", "style"]);

/**
 * Plain text from Shopify's body_html: tags out, entities decoded, whitespace
 * folded. htmlparser2's tokenizer reads the HTML once, in linear time, and
 * decodes entities as browsers do: an invalid code point (`&#99999999;`,
 * a surrogate, `&#0;`) becomes U+FFFD instead of throwing, an unknown name
 * (`&bogus;`) stays as written. The regular expressions this replaces were
 * quadratic on unclosed `<` (150 KB held the worker 70 s) and threw on
 * invalid code points, failing the shop's whole flush (issue 14).
 */
export function plainText(html: string) {
  let input = html;
  if (input.length > MAX_HTML_CHARS) {
    // Never end on half a surrogate pair.
    const end = /[\uD800-\uDBFF]/.test(input[MAX_HTML_CHARS - 1]) ? MAX_HTML_CHARS - 1 : MAX_HTML_CHARS;
    input = input.slice(0, end);
  }
  const out: string[] = [];
  let hidden = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (HIDDEN_TAGS.has(name)) hidden += 1;
        out.push(name === "br" ? "\n" : " ");
      },
      onclosetag(name) {
        if (HIDDEN_TAGS.has(name)) hidden = Math.max(0, hidden - 1);
        if (name !== "br") out.push(LINE_TAGS.has(name) ? "\n" : " ");
      },
      ontext(text) {
        if (hidden === 0) out.push(text);
      },
    },
    { decodeEntities: true },
  );
  parser.end(input);
  return out
    .join("")
    .replace(/[ \t\r\f\v\u00a0]+/g, " ")
    .replace(/ *\n[\s]*/g, "\n")
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
  const description = truncate(plainText(product.body_html ?? "") || product.title, MAX_CHARS.description);
  const optionNames = (product.options ?? []).map((o) => o.name);
  const link = productLink(shop, product);

  const items: CatalogItemData[] = [];
  const problems: ItemProblem[] = [];
  for (const variant of product.variants) {
    const id = retailerId(product.id, variant.id);
    const problem = (reason: string) => problems.push({ retailerId: id, reason });
    const imageLink = (variant.image_id && imageById.get(variant.image_id)) || productImage;
    if (!variant.price) {
      problem("The variant has no price. Set a price in Shopify.");
      continue;
    }
    if (!isCurrencyCode(shop.currency)) {
      problem(`The store currency “${shop.currency}” is not a currency code Meta accepts (three capital letters such as USD). Check the store currency in Shopify Settings › Store details.`);
      continue;
    }
    if (!link) {
      problem(`The product's address on the store (${shop.domain}) is not a web address Meta accepts. Check the primary domain in Shopify Settings › Domains.`);
      continue;
    }
    if (!imageLink) {
      problem("The product has no image. Add an image in Shopify; Meta requires one.");
      continue;
    }
    if (!isItemUrl(imageLink)) {
      problem("The variant's image has an address Meta cannot read (Invalid image_link: it must be a web address without spaces). Replace the image in Shopify.");
      continue;
    }
    const price = Number(variant.price);
    const compareAt = variant.compare_at_price ? Number(variant.compare_at_price) : NaN;
    const onSale = Number.isFinite(compareAt) && compareAt > price;
    const regular = formatPrice(onSale ? variant.compare_at_price! : variant.price, shop.currency);
    if (!regular) {
      problem(`The variant's price “${variant.price}” is not an amount Meta accepts. Set a price of zero or more in Shopify.`);
      continue;
    }
    const item: CatalogItemData = {
      id,
      item_group_id: itemGroupId(product.id),
      title: truncate(product.title, MAX_CHARS.title),
      description,
      availability: availability(variant),
      condition: "new",
      price: regular,
      link: `${link}?variant=${variant.id}`,
      image_link: imageLink,
      brand: truncate(product.vendor || shop.domain, MAX_CHARS.brand),
      inventory: Math.max(0, variant.inventory_quantity ?? 0),
    };
    if (onSale) item.sale_price = formatPrice(variant.price, shop.currency)!;
    const additional = additionalImages(images.map((i) => i.src).filter((src) => src !== imageLink));
    if (additional.length) item.additional_image_link = additional;
    const unmappable = setOptionFields(item, optionNames, [variant.option1, variant.option2, variant.option3]);
    if (unmappable) {
      problem(unmappable);
      continue;
    }
    items.push(item);
  }
  return { items, problems, excludedBecause: null };
}

/** https://<domain>/products/<handle>, or null when the domain does not make a web address. */
function productLink(shop: ShopContext, product: ProductSnapshot): string | null {
  const link = `https://${shop.domain}/products/${encodeURIComponent(product.handle ?? product.id)}`;
  return isItemUrl(link) ? link : null;
}

/**
 * Copies the options Meta has dedicated fields for onto the item (Meta's
 * character limits; gender and age group mapped onto Meta's values). Returns
 * what to change in Shopify when a gender or age group cannot be mapped: the
 * variant is then not sent, because Meta refuses the whole item for a value
 * outside its list, and leaving the option out would show the variant
 * without the very attribute that tells it apart from its siblings.
 */
function setOptionFields(item: CatalogItemData, names: string[], values: (string | null | undefined)[]): string | null {
  for (const [i, name] of names.entries()) {
    const field = OPTION_FIELDS[name.trim().toLowerCase()];
    const value = values[i]?.trim();
    if (!field || !value) continue;
    if (field === "gender" || field === "age_group") {
      const mapped = field === "gender" ? genderValue(value) : ageGroupValue(value);
      if (!mapped) return unmappableOption(name, value, field);
      item[field] = mapped;
    } else {
      item[field] = truncate(value, MAX_CHARS[field]);
    }
  }
  return null;
}

/**
 * An UPDATE changes only the fields it names, so a field the item no longer
 * has must be sent empty, or Meta keeps showing it (an ended sale price...).
 * Meta documents no way to clear a field in items_batch; Meta's own
 * integrations send the empty value in their UPDATE requests: WooCommerce
 * sends sale_price "" when a sale ends and color/size/gender "" when unset
 * (facebook/facebook-for-woocommerce includes/fbproduct.php add_sale_price,
 * prepare_product), and additional images as a possibly empty list; Magento
 * sends "" for every attribute a product lacks (magento/meta-for-magento2
 * Catalog/Model/Product/Feed/Builder.php buildProductEntry). So do we: "" for
 * text fields, [] for the image list. (null, which we sent before, is not
 * documented anywhere.)
 */
function withClearedFields(item: CatalogItemData): CatalogItemData {
  const data: CatalogItemData = { ...item };
  for (const field of CLEARABLE_FIELDS) if (data[field] === undefined) data[field] = field === "additional_image_link" ? [] : "";
  return data;
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
