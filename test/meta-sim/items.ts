/**
 * Catalog item validation as Meta applies it to items_batch requests. Meta
 * accepts the call and reports these per item in the batch status; items
 * with errors are not saved.
 */

export const AVAILABILITY = new Set(["in stock", "out of stock", "preorder", "available for order", "discontinued"]);
export const CONDITION = new Set(["new", "refurbished", "used", "used_like_new", "used_good", "used_fair", "cpo", "open_box_new"]);
/** "12.34 USD": amount (up to 2 decimals), one space, ISO 4217 code. */
export const PRICE = /^\d{1,12}(\.\d{1,2})? [A-Z]{3}$/;
const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;

export const MAX_RETAILER_ID = 100;
const MAX_TITLE = 200;
const MAX_DESCRIPTION = 9_999;
const MAX_ADDITIONAL_IMAGES = 20;

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "");

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

  const text = (field: string, max: number) => {
    const v = item[field];
    if (present(v) && typeof v !== "string") problems.push(`Field "${field}" must be text.`);
    else if (typeof v === "string" && v.length > max) problems.push(`Field "${field}" is longer than ${max} characters.`);
  };
  text("title", MAX_TITLE);
  text("description", MAX_DESCRIPTION);

  for (const field of ["price", "sale_price"]) {
    const v = item[field];
    if (present(v) && (typeof v !== "string" || !PRICE.test(v))) {
      problems.push(`Invalid ${field} "${String(v)}": use the amount and an ISO 4217 currency code, e.g. "12.34 USD".`);
    }
  }
  const availability = item.availability;
  if (present(availability) && !AVAILABILITY.has(String(availability))) {
    problems.push(`Invalid availability "${String(availability)}": use one of ${[...AVAILABILITY].join(", ")}.`);
  }
  const condition = item.condition;
  if (present(condition) && !CONDITION.has(String(condition))) {
    problems.push(`Invalid condition "${String(condition)}": use one of ${[...CONDITION].join(", ")}.`);
  }
  for (const field of ["link", "image_link"]) {
    const v = item[field];
    if (present(v) && (typeof v !== "string" || !HTTP_URL.test(v))) problems.push(`Invalid ${field} "${String(v)}": must be an http(s) URL.`);
  }
  const extra = item.additional_image_link;
  if (present(extra)) {
    const list = Array.isArray(extra) ? extra : String(extra).split(",").map((s) => s.trim());
    if (list.length > MAX_ADDITIONAL_IMAGES) problems.push(`Field "additional_image_link" has more than ${MAX_ADDITIONAL_IMAGES} images.`);
    if (list.some((u) => typeof u !== "string" || !HTTP_URL.test(u))) problems.push('Invalid additional_image_link: every image must be an http(s) URL.');
  }
  const inventory = item.inventory;
  if (present(inventory) && !Number.isInteger(typeof inventory === "string" ? Number(inventory) : inventory)) {
    problems.push(`Invalid inventory "${String(inventory)}": must be an integer.`);
  }
  return problems;
}
