/**
 * Catalog item validation as Meta applies it to items_batch requests. Meta
 * accepts the call and reports these per item in the batch status
 * (check_batch_request_status: errors [{ line, id, message }],
 * ids_of_invalid_requests); items with errors are not saved. Sources:
 * - [fields] https://developers.facebook.com/docs/commerce-platform/catalog/fields
 * - [sdk] Meta's Business SDK v25.0.2, ProductItem enums
 *   (facebook/facebook-python-business-sdk facebook_business/adobjects/productitem.py)
 * The messages are the stand-in's own wording: Meta documents the fields, not its error texts.
 */

/** [sdk] ProductItem.Availability ([fields] lists "in stock" and "out of stock" for commerce). */
export const AVAILABILITY = new Set(["in stock", "out of stock", "preorder", "available for order", "discontinued", "pending", "mark_as_sold", "mark_as_expired"]);
/** [sdk] ProductItem.Condition ([fields]: new, refurbished, used). */
export const CONDITION = new Set(["new", "refurbished", "used", "used_like_new", "used_good", "used_fair", "cpo", "open_box_new"]);
/** [fields] gender: "Supported values: female, male, unisex." [sdk] ProductItem.Gender. */
export const GENDER = new Set(["female", "male", "unisex"]);
/** [fields] age_group: "adult, all ages, teen, kids, toddler, infant, newborn." [sdk] ProductItem.AgeGroup. */
export const AGE_GROUP = new Set(["adult", "all ages", "teen", "kids", "toddler", "infant", "newborn"]);
/** [fields] price: "a number, followed by a space and then the 3-letter ISO 4217 currency code", period as decimal point, no symbol. */
export const PRICE = /^\d{1,12}(\.\d{1,2})? [A-Z]{3}$/;
/** [fields] link / image_link: "Links must begin with http:// or https://". */
const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;

/** [fields] "Max character limit" of each text field. */
const MAX_CHARS: Record<string, number> = {
  item_group_id: 100,
  title: 200,
  description: 9_999,
  rich_text_description: 9_999,
  brand: 100,
  color: 200,
  size: 200,
  material: 200,
  pattern: 100,
  mpn: 100,
  product_type: 750,
};
export const MAX_RETAILER_ID = 100;
/** [fields] additional_image_link: "URLs for up to 20 additional images", "Maximum character limit: 2000". */
const MAX_ADDITIONAL_IMAGES = 20;
const MAX_ADDITIONAL_IMAGE_CHARS = 2000;

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "") && !(Array.isArray(v) && v.length === 0);

/** Problems with the retailer id itself: Meta refuses these on the spot (validation_status). */
export function retailerIdProblem(data: Record<string, unknown>): string | null {
  const id = data.id;
  if (!present(id)) return 'Required field "id" is missing.';
  if (typeof id !== "string" && typeof id !== "number") return 'Field "id" must be a string.';
  if (String(id).length > MAX_RETAILER_ID) return `Field "id" is longer than ${MAX_RETAILER_ID} characters.`;
  return null;
}

/** Every problem of an item as it would be saved; empty when it is valid. */
export function itemProblems(item: Record<string, unknown>, required: readonly string[]): string[] {
  const problems: string[] = [];
  for (const field of required) if (!present(item[field])) problems.push(`Required field "${field}" is missing.`);

  for (const [field, max] of Object.entries(MAX_CHARS)) {
    const v = item[field];
    if (present(v) && typeof v !== "string") problems.push(`Field "${field}" must be text.`);
    else if (typeof v === "string" && v.length > max) problems.push(`Field "${field}" is longer than ${max} characters.`);
  }

  for (const field of ["price", "sale_price"]) {
    const v = item[field];
    if (present(v) && (typeof v !== "string" || !PRICE.test(v))) {
      problems.push(`Invalid ${field} "${String(v)}": use the amount and an ISO 4217 currency code, e.g. "12.34 USD".`);
    }
  }
  const enumField = (field: string, allowed: Set<string>) => {
    const v = item[field];
    if (present(v) && !allowed.has(String(v))) problems.push(`Invalid ${field} "${String(v)}": use one of ${[...allowed].join(", ")}.`);
  };
  enumField("availability", AVAILABILITY);
  enumField("condition", CONDITION);
  enumField("gender", GENDER);
  enumField("age_group", AGE_GROUP);
  for (const field of ["link", "image_link"]) {
    const v = item[field];
    if (present(v) && (typeof v !== "string" || !HTTP_URL.test(v))) problems.push(`Invalid ${field} "${String(v)}": must be an http(s) URL.`);
  }
  const extra = item.additional_image_link;
  if (present(extra)) {
    // A list in items_batch JSON, or one string separated by , ; space or | as in feeds [fields].
    const list = Array.isArray(extra) ? extra : String(extra).split(/[,;| ]+/).filter(Boolean);
    if (list.length > MAX_ADDITIONAL_IMAGES) problems.push(`Field "additional_image_link" has more than ${MAX_ADDITIONAL_IMAGES} images.`);
    if (list.some((u) => typeof u !== "string" || !HTTP_URL.test(u))) problems.push("Invalid additional_image_link: every image must be an http(s) URL.");
    else if (list.join(",").length > MAX_ADDITIONAL_IMAGE_CHARS) problems.push(`Field "additional_image_link" is longer than ${MAX_ADDITIONAL_IMAGE_CHARS} characters.`);
  }
  // [fields] quantity_to_sell_on_facebook: "Enter a whole number"; "previously called inventory. While we still support the old field name..."
  for (const field of ["quantity_to_sell_on_facebook", "inventory"]) {
    const v = item[field];
    if (present(v) && !Number.isInteger(typeof v === "string" ? Number(v) : v)) problems.push(`Invalid ${field} "${String(v)}": must be an integer.`);
  }
  return problems;
}
