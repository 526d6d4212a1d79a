/**
 * Why a product failed, grouped by what the merchant has to do about it.
 * Plain code with no server imports: the catalog page and the product page
 * block (extensions/product-sync-status) both use it, so they never disagree.
 */

// Meta's and our own messages, grouped by what the merchant has to do.
const ERROR_KINDS: { kind: string; match: RegExp; action: string }[] = [
  { kind: "Store setting Meta cannot use", match: /store currency|primary domain/i, action: "Fix the store setting the message names in Shopify Settings." },
  { kind: "Option value Meta does not accept", match: /Meta does not accept for/i, action: "Change the option value in Shopify as the message says; the product syncs again on save." },
  { kind: "Missing image", match: /image/i, action: "Add a product image (JPEG or PNG, at least 500×500) in Shopify." },
  { kind: "Missing or invalid price", match: /price/i, action: "Set a price on every variant in Shopify." },
  { kind: "Missing attribute Meta requires", match: /missing|required/i, action: "Fill in the field Meta names (for example color or size as a product option)." },
  { kind: "Invalid value", match: /invalid|not a valid|must be/i, action: "Correct the value Meta names in Shopify; the product syncs again on save." },
];

export function classifyError(message: string) {
  return ERROR_KINDS.find((k) => k.match.test(message)) ?? { kind: "Other", action: "Read Meta's message; fix the product in Shopify or contact support with it." };
}
