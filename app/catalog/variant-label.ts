/**
 * A catalog item in the merchant's words: the Shopify variant it comes from, by its title and
 * options ("M / Blue", "Size: M · Color: Blue"), instead of the retailer id `shopify_8000011_800001101`
 * (issue 16). Read from the product's stored snapshot; a variant it no longer has keeps a plain name.
 */

export interface VariantLabel {
  /** The variant's title, or "Only variant" for a product without options. */
  title: string;
  /** "Size: M · Color: Blue"; empty when the product has no options. */
  options: string;
}

interface SnapshotLike {
  options?: { name: string; position?: number | null }[] | null;
  variants?: { id: string | number; title?: string | null; option1?: string | null; option2?: string | null; option3?: string | null }[] | null;
}

/** Shopify's title for the one variant of a product without options. */
const DEFAULT_TITLE = "Default Title";

export function variantLabel(snapshot: unknown, retailerId: string): VariantLabel {
  const variantId = /^shopify_\d+_(\d+)$/.exec(retailerId)?.[1];
  const product = (snapshot && typeof snapshot === "object" ? snapshot : {}) as SnapshotLike;
  const variant = variantId ? product.variants?.find((v) => String(v.id) === variantId) : undefined;
  // Still in the catalog, gone from Shopify's latest version of the product: its removal is on its way.
  if (!variant) return { title: variantId ? `Variant no longer in Shopify (ID ${variantId})` : retailerId, options: "" };
  const names = [...(product.options ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0)).map((o) => o.name);
  const values = [variant.option1, variant.option2, variant.option3];
  const options = values
    .map((value, i) => (value && value !== DEFAULT_TITLE ? `${names[i] ?? `Option ${i + 1}`}: ${value}` : null))
    .filter(Boolean)
    .join(" · ");
  const title = !variant.title || variant.title === DEFAULT_TITLE ? "Only variant" : variant.title;
  return { title, options };
}
