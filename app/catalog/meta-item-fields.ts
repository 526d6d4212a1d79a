/**
 * Meta's catalog item fields as the app sends them, checked before sending:
 * what Meta accepts (enums, formats, lengths) and how Shopify's values map
 * onto it. Sources, beside each rule:
 * - [fields] https://developers.facebook.com/docs/commerce-platform/catalog/fields
 *   (Required, Checkout and Optional fields tables);
 * - [sdk] Meta's generated Business SDK, ProductItem enums
 *   (facebook/facebook-python-business-sdk v25.0.2, facebook_business/adobjects/productitem.py);
 * - [woo] / [magento] Meta's own integrations, facebook/facebook-for-woocommerce
 *   (includes/ProductAttributeMapper.php normalize_gender_value / normalize_age_group_value)
 *   and magento/meta-for-magento2 (Catalog/Model/Product/Feed/Builder.php getGender).
 * Pure: shared by the worker, the full sync and the product page.
 */

/** Character limits ([fields]): "Max character limit: N" of each field. */
export const MAX_CHARS = {
  id: 100,
  item_group_id: 100,
  title: 200,
  description: 9999,
  brand: 100,
  color: 200,
  size: 200,
  material: 200,
  pattern: 100,
} as const;

/** [fields] additional_image_link: "URLs for up to 20 additional images", "Maximum character limit: 2000". */
export const MAX_ADDITIONAL_IMAGES = 20;
export const MAX_ADDITIONAL_IMAGE_CHARS = 2000;

/** [fields] gender: "Supported values: female, male, unisex." ([sdk] ProductItem.Gender, the same three). */
export const GENDERS = ["female", "male", "unisex"] as const;

/** [fields] age_group: "Accepted values: adult, all ages, teen, kids, toddler, infant, newborn." ([sdk] ProductItem.AgeGroup). */
export const AGE_GROUPS = ["adult", "all ages", "teen", "kids", "toddler", "infant", "newborn"] as const;

// What merchants write for each value: Meta's WooCommerce integration maps
// men/man/boy/boys/masculine, women/woman/girl/girls/feminine and
// unisex/uni sex/uni-sex/neutral/all the same way [woo]; Meta's Magento one
// maps Men/Boys, Women/Girls, Unisex [magento].
const GENDER_WORDS: Record<(typeof GENDERS)[number], string[]> = {
  male: ["male", "men", "man", "mens", "boy", "boys", "masculine", "gents", "gentlemen"],
  female: ["female", "women", "woman", "womens", "girl", "girls", "feminine", "ladies", "lady"],
  unisex: ["unisex", "uni sex", "uni-sex", "neutral", "gender neutral", "all", "all genders", "everyone"],
};

// [woo] normalize_age_group_value.
const AGE_GROUP_WORDS: Record<(typeof AGE_GROUPS)[number], string[]> = {
  adult: ["adult", "adults", "grown-up", "grownup"],
  "all ages": ["all ages", "everyone", "any"],
  teen: ["teen", "teens", "teenager", "teenagers", "adolescent"],
  kids: ["kid", "kids", "child", "children"],
  toddler: ["toddler", "toddlers"],
  infant: ["infant", "infants", "baby", "babies"],
  newborn: ["newborn", "newborns"],
};

const normalize = (value: string) =>
  value
    .trim()
    .toLowerCase()
    .replace(/['’]s\b/g, "s")
    .replace(/\s+/g, " ");

function lookup<T extends string>(words: Record<T, string[]>, value: string): T | null {
  const wanted = normalize(value);
  for (const [field, list] of Object.entries(words) as [T, string[]][]) if (list.includes(wanted)) return field;
  return null;
}

export const genderValue = (value: string) => lookup(GENDER_WORDS, value);
export const ageGroupValue = (value: string) => lookup(AGE_GROUP_WORDS, value);

/** The Shopify option names (lower-cased, trimmed) that become Meta's dedicated variant fields. */
export const OPTION_FIELDS: Record<string, "color" | "size" | "material" | "pattern" | "gender" | "age_group"> = {
  color: "color",
  colour: "color",
  size: "size",
  material: "material",
  pattern: "pattern",
  gender: "gender",
  "age group": "age_group",
  age_group: "age_group",
};

/** The optional fields an item can lose while it lives (a sale ends, images go, an option is renamed). */
export const CLEARABLE_FIELDS = ["sale_price", "additional_image_link", "color", "size", "material", "pattern", "gender", "age_group"] as const;

/** [fields] price: "a number, followed by a space and then the 3-letter ISO 4217 currency code", a period as decimal point, no symbol. */
export const isCurrencyCode = (code: string) => /^[A-Z]{3}$/.test(code);

/** "12.34 USD"; null when the amount is not a non-negative number. */
export function formatPrice(amount: string, currency: string): string | null {
  const n = Number(amount);
  return Number.isFinite(n) && n >= 0 ? `${n.toFixed(2)} ${currency}` : null;
}

/** [fields] link and image_link "must begin with http:// or https://" (and a URL has no whitespace). */
export function isItemUrl(value: string | null | undefined): value is string {
  if (typeof value !== "string" || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname.includes(".");
  } catch {
    return false;
  }
}

/**
 * Up to 20 additional images whose list, comma-separated, stays within 2,000
 * characters; the first ones win. Meta splits the list at commas, semicolons,
 * spaces and "|" [fields], so an image whose URL holds one is left out.
 */
export function additionalImages(urls: string[]): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (const url of urls) {
    if (!isItemUrl(url) || /[,;|]/.test(url)) continue;
    if (kept.length === MAX_ADDITIONAL_IMAGES) break;
    const next = chars + (kept.length ? 1 : 0) + url.length;
    if (next > MAX_ADDITIONAL_IMAGE_CHARS) break;
    kept.push(url);
    chars = next;
  }
  return kept;
}

const list = (values: readonly string[]) => `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
const capitalized = (values: readonly string[]) => values.map((v) => v.charAt(0).toUpperCase() + v.slice(1));

/** What to change in Shopify when an option value cannot become Meta's field. */
export function unmappableOption(optionName: string, value: string, field: "gender" | "age_group"): string {
  const accepted = field === "gender" ? list(capitalized(GENDERS)) : list(capitalized(AGE_GROUPS));
  const known = field === "gender" ? "Men, Women, Boys, Girls and Unisex are understood too" : "Kids, Children, Baby and Teenager are understood too";
  const other = field === "gender" ? "Fit" : "Age";
  return (
    `The option “${optionName.trim()}” has the value “${value}”, which Meta does not accept for ${field === "gender" ? "gender" : "age group"}: ` +
    `Meta takes ${accepted} (${known}). In Shopify, change the value to one of those, or rename the option (for example to “${other}”) if it means something else.`
  );
}
