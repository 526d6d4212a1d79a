import { invalidParam } from "./graph-error";
import type { SimCatalog, SimItem, SimState } from "./state";

/**
 * Meta's review of catalog items (issue 17). Every item saved by a batch
 * goes to review: `pending` (review_status) until config.reviewDelayMs has
 * passed since it was saved (read when asked, so a test can hold reviews
 * pending and then let them through), then approved, or rejected / left without an image by the first
 * matching rule (config.reviewRules, or an override a test set for that
 * retailer id). A changed item is reviewed again. Field names and enums:
 * Meta's Business SDK `ProductItem` (review_status approved | pending |
 * rejected | outdated; image_fetch_status FETCHED | FETCH_FAILED | ...;
 * review_rejection_reasons; capability_to_review_status) and the `errors`
 * entries of the products edge reference example (error_type,
 * error_priority, title, description, call_to_action). The texts of the
 * simulator's reasons are its own.
 */

export type ReviewOutcome =
  | { kind: "approve" }
  /** Rejected at review (a policy), with Meta's reason code and the error shown on the item. */
  | { kind: "reject"; reason?: string; type?: string; title?: string; description?: string; callToAction?: string; whatsappOnly?: boolean }
  /** Meta could not download the item's image. */
  | { kind: "image_fetch_failed" };

export interface ReviewRule {
  /** Case-insensitive substring of the item's title. */
  titleContains?: string;
  /** Substring of the item's image_link. */
  imageContains?: string;
  outcome: ReviewOutcome;
}

/**
 * The sandbox's and tests' default rules, so that a person sees each verdict:
 * a product titled with "replica" is rejected (counterfeit goods break the
 * Commerce Policies), one whose image lives on `unreachable.example` keeps
 * no image.
 */
export const DEFAULT_REVIEW_RULES: ReviewRule[] = [
  {
    titleContains: "replica",
    outcome: {
      kind: "reject",
      reason: "COUNTERFEIT",
      type: "POLICY_VIOLATION",
      title: "Item rejected for counterfeit goods",
      description: "Items can't promote or sell counterfeit goods, such as replicas of branded products.",
      callToAction: "Remove the words that suggest a replica from the title and description, or remove the item.",
    },
  },
  { titleContains: "whatsapp-restricted", outcome: { kind: "reject", reason: "RESTRICTED_ON_WHATSAPP", type: "POLICY_VIOLATION", whatsappOnly: true } },
  { imageContains: "unreachable.example", outcome: { kind: "image_fetch_failed" } },
];

export interface SimReview {
  /** When the item was saved; its review is pending until config.reviewDelayMs after it. */
  queuedAtMs: number;
  outcome: ReviewOutcome | null;
}

/** An item was saved: Meta reviews it (again). */
export function queueReview(_state: SimState, catalog: SimCatalog, item: SimItem, now = Date.now()) {
  catalog.reviews.set(item.id, { queuedAtMs: now, outcome: null });
}

function decide(state: SimState, catalog: SimCatalog, item: SimItem): ReviewOutcome {
  const forced = state.reviewOverrides.get(`${catalog.id}|${item.id}`);
  if (forced) return forced;
  const title = String(item.title ?? "").toLowerCase();
  const image = String(item.image_link ?? "");
  for (const rule of state.config.reviewRules) {
    if (rule.titleContains && !title.includes(rule.titleContains.toLowerCase())) continue;
    if (rule.imageContains && !image.includes(rule.imageContains)) continue;
    if (!rule.titleContains && !rule.imageContains) continue;
    return rule.outcome;
  }
  return { kind: "approve" };
}

/** The item's review as Graph fields, deciding it once its time has come. */
export function reviewFields(state: SimState, catalog: SimCatalog, item: SimItem, now = Date.now()) {
  const review = catalog.reviews.get(item.id) ?? { queuedAtMs: 0, outcome: null };
  if (!review.outcome && now >= review.queuedAtMs + state.config.reviewDelayMs) {
    review.outcome = decide(state, catalog, item);
    catalog.reviews.set(item.id, review);
  }
  const o = review.outcome;
  const image = typeof item.image_link === "string" ? item.image_link : null;
  if (!o) {
    return { review_status: "pending", review_rejection_reasons: [], errors: [], image_fetch_status: "NO_STATUS", image_url: image, capability_to_review_status: {} };
  }
  if (o.kind === "image_fetch_failed") {
    return {
      review_status: "pending",
      review_rejection_reasons: [],
      errors: [
        {
          error_type: "IMAGE_FETCH_FAILED",
          error_priority: "HIGH",
          title: "Image could not be downloaded",
          description: "We could not download the image at the link provided.",
          call_to_action: "Make sure the image link works and is publicly accessible.",
        },
      ],
      image_fetch_status: "FETCH_FAILED",
      image_url: image,
      capability_to_review_status: {},
    };
  }
  if (o.kind === "reject" && o.whatsappOnly) {
    return {
      review_status: "approved",
      review_rejection_reasons: [],
      errors: [],
      image_fetch_status: "FETCHED",
      image_url: image,
      capability_to_review_status: { whatsapp: "REJECTED", marketplace: "APPROVED" },
    };
  }
  if (o.kind === "reject") {
    return {
      review_status: "rejected",
      review_rejection_reasons: o.reason ? [o.reason] : [],
      errors: [
        {
          error_type: o.type ?? "POLICY_VIOLATION",
          error_priority: "HIGH",
          title: o.title ?? "Item rejected under the Commerce Policies",
          description: o.description ?? "This item doesn't comply with the Commerce Policies.",
          ...(o.callToAction ? { call_to_action: o.callToAction } : {}),
        },
      ],
      image_fetch_status: "FETCHED",
      image_url: image,
      capability_to_review_status: { whatsapp: "REJECTED", marketplace: "REJECTED" },
    };
  }
  return {
    review_status: "approved",
    review_rejection_reasons: [],
    errors: [],
    image_fetch_status: "FETCHED",
    image_url: image,
    capability_to_review_status: { whatsapp: "APPROVED", marketplace: "APPROVED" },
  };
}

/**
 * The products edge's `filter`: a JSON rule, here the forms integrations
 * send to find items, `{"retailer_id":{"is_any":[...]}}` or `{"eq": ...}`,
 * and `review_status` with `eq`. Anything else fails as Graph fails an
 * invalid parameter.
 */
export function itemFilter(value: unknown): ((item: SimItem, review: () => string) => boolean) | null {
  if (value === undefined || value === null || value === "") return null;
  let rule: unknown;
  try {
    rule = typeof value === "string" ? JSON.parse(value) : value;
  } catch {
    throw invalidParam("(#100) Param filter must be a JSON-encoded object");
  }
  if (!rule || typeof rule !== "object" || Array.isArray(rule)) throw invalidParam("(#100) Param filter must be an object");
  const tests: ((item: SimItem, review: () => string) => boolean)[] = [];
  for (const [field, condition] of Object.entries(rule as Record<string, unknown>)) {
    if (!condition || typeof condition !== "object") throw invalidParam(`(#100) Invalid filter on ${field}`);
    const [[op, operand]] = Object.entries(condition as Record<string, unknown>);
    const read = field === "retailer_id" ? (i: SimItem) => i.id : field === "review_status" ? (_: SimItem, r: () => string) => r() : null;
    if (!read) throw invalidParam(`(#100) Filtering on ${field} is not supported by this simulator`);
    if (op === "is_any" && Array.isArray(operand)) {
      const set = new Set(operand.map(String));
      tests.push((i, r) => set.has(read(i, r)));
    } else if (op === "eq") tests.push((i, r) => read(i, r) === String(operand));
    else throw invalidParam(`(#100) Invalid filter operator ${op}`);
  }
  return (item, review) => tests.every((t) => t(item, review));
}

/**
 * GET /{catalog-id}/diagnostics: groups of the catalog's problems
 * (ProductCatalogDiagnosticGroup: title, subtitle, severity MUST_FIX |
 * OPPORTUNITY, type, affected_channels, number_of_affected_items,
 * diagnostics), built from the items' reviews. `diagnostics` entries carry
 * `sample_affected_items` with retailer ids: our reading, Meta documents that
 * field only as list<Object>.
 */
export function diagnosticsOf(state: SimState, catalog: SimCatalog) {
  const rejected: string[] = [];
  const images: string[] = [];
  const whatsapp: string[] = [];
  let withoutGtin = 0;
  for (const item of catalog.items.values()) {
    const f = reviewFields(state, catalog, item);
    if (f.image_fetch_status === "FETCH_FAILED") images.push(item.id);
    else if (f.review_status === "rejected") rejected.push(item.id);
    else if ((f.capability_to_review_status as Record<string, string>).whatsapp === "REJECTED") whatsapp.push(item.id);
    if (!item.gtin && !item.mpn) withoutGtin += 1;
  }
  const sample = (ids: string[]) => ids.slice(0, 5).map((retailer_id) => ({ retailer_id }));
  const groups = [];
  if (rejected.length) {
    groups.push({
      title: "Items rejected for policy violations",
      subtitle: "These items don't comply with the Commerce Policies and can't be shown.",
      severity: "MUST_FIX",
      type: "POLICY_VIOLATION",
      affected_channels: ["shops", "whatsapp"],
      number_of_affected_items: rejected.length,
      diagnostics: [{ title: "Counterfeit or restricted items", call_to_action: "Edit the items so they comply, or request a review.", sample_affected_items: sample(rejected) }],
    });
  }
  if (images.length) {
    groups.push({
      title: "Images could not be downloaded",
      subtitle: "Items without an image can't be shown.",
      severity: "MUST_FIX",
      type: "IMAGE_QUALITY",
      affected_channels: ["shops", "whatsapp"],
      number_of_affected_items: images.length,
      diagnostics: [{ title: "Image link broken", call_to_action: "Provide an image link that is publicly accessible.", sample_affected_items: sample(images) }],
    });
  }
  if (whatsapp.length) {
    groups.push({
      title: "Items not shown on WhatsApp",
      subtitle: "These items were rejected for the WhatsApp channel.",
      severity: "MUST_FIX",
      type: "POLICY_VIOLATION",
      affected_channels: ["whatsapp"],
      number_of_affected_items: whatsapp.length,
      diagnostics: [{ title: "Rejected on WhatsApp", call_to_action: "Review WhatsApp's Commerce Policy.", sample_affected_items: sample(whatsapp) }],
    });
  }
  if (withoutGtin) {
    groups.push({
      title: "Add product identifiers",
      subtitle: "Items with a GTIN or MPN can reach more people.",
      severity: "OPPORTUNITY",
      type: "ATTRIBUTES_MISSING",
      affected_channels: ["shops"],
      number_of_affected_items: withoutGtin,
      diagnostics: [{ title: "Missing GTIN or MPN", call_to_action: "Add a GTIN (barcode) or MPN to your products." }],
    });
  }
  return groups;
}
