/**
 * What Meta actually shows (issue 17): the status a merchant reads for a
 * product and each of its variants, from the app's own sync status and
 * Meta's review of the items (read back by review-readback.server.ts).
 * Pure: no I/O, unit-tested in verdict.test.ts.
 *
 *   Pending       a change waits to be sent
 *   Sent          Meta accepted the batch; its review is pending
 *   Live          Meta approved it: shoppers can see it
 *   Rejected      Meta's review refused it (policy)
 *   Needs fixing  Meta shows a problem the merchant can fix in Shopify
 *                 (an image Meta could not download, missing details...)
 *   Failed        the app could not send it (Meta refused the request)
 *   Excluded      kept out of the catalog (draft, unpublished, excluded...)
 */

export const REVIEWS = ["SENT", "LIVE", "REJECTED", "NEEDS_FIXING"] as const;
export type Review = (typeof REVIEWS)[number];
export type Verdict = "PENDING" | Review | "FAILED" | "EXCLUDED";

export const VERDICT_LABEL: Record<Verdict, string> = {
  PENDING: "Pending",
  SENT: "Sent",
  LIVE: "Live",
  REJECTED: "Rejected",
  NEEDS_FIXING: "Needs fixing",
  FAILED: "Failed",
  EXCLUDED: "Excluded",
};

/** Why Meta holds an item back, grouped the way a merchant fixes it. */
export type Cause = "image" | "policy" | "details" | "text" | "whatsapp" | "other";

export const CAUSES: Record<Cause, { label: string; fix: string }> = {
  image: {
    label: "Meta could not use the image",
    fix: "In Shopify, open the product and replace its first image with a JPEG or PNG of at least 500 × 500 px that opens without a login, then save. The app sends it again at once.",
  },
  policy: {
    label: "Rejected under Meta's Commerce Policies",
    fix: "Change what breaks Meta's Commerce Policies in the product's title, description or images in Shopify and save: the app sends it again and Meta reviews it again. If you think Meta is wrong, request another review in Meta Commerce Manager.",
  },
  details: {
    label: "Details Meta needs are missing or invalid",
    fix: "Fill in the details Meta names (for example brand, price or a variant's option values) on the product in Shopify and save.",
  },
  text: {
    label: "Title or description too short or unclear",
    fix: "Rewrite the product's title and description in Shopify so they say plainly what the product is, then save.",
  },
  whatsapp: {
    label: "Not shown on WhatsApp",
    fix: "Meta approved the item but does not show it on WhatsApp. Check the reason Meta gives; most often the product's category or text breaks WhatsApp's Commerce Policy. Change it in Shopify and save.",
  },
  other: {
    label: "Other problems Meta reports",
    fix: "Follow Meta's advice shown with the product, change the product in Shopify and save.",
  },
};

/** An item's verdict as stored in ProductSync.itemReviews. */
export interface ItemVerdict {
  /** The retailer id. */
  r: string;
  verdict: Review;
  cause: Cause | null;
  /** Meta's own words, when it gave any. */
  reason: string | null;
  /** What to change in Shopify, in the merchant's words (Meta's call to action when it gave one). */
  fix: string | null;
  /** The image Meta could not download, when that is the problem. */
  image: string | null;
}

/** What the read-back gets from Meta for one item (app/meta parsers: ItemReview). */
export interface ReviewInput {
  retailerId: string;
  reviewStatus: string | null;
  rejectionReasons: string[];
  issues: { type: string | null; priority: string | null; title: string | null; description: string | null; callToAction: string | null }[];
  imageFetchStatus: string | null;
  imageUrl: string | null;
  capabilities: Record<string, string>;
}

/** Meta's diagnostic and error types, by the cause a merchant fixes. */
export function causeOfType(type: string | null | undefined): Cause {
  const t = (type ?? "").toUpperCase();
  if (/IMAGE/.test(t)) return "image";
  if (/POLICY|PROHIBITED|COUNTERFEIT|ADULT|RESTRICTED/.test(t)) return "policy";
  if (/TITLE|DESCRIPTION/.test(t)) return "text";
  if (/ATTRIBUTE|MISSING|INVALID|PRICE|BRAND|CATEGORY|GTIN|VARIANT/.test(t)) return "details";
  return "other";
}

const sentence = (parts: (string | null | undefined)[]) =>
  parts
    .map((p) => p?.trim())
    .filter((p): p is string => !!p)
    .map((p) => (/[.!?]$/.test(p) ? p : `${p}.`))
    .join(" ") || null;

const REJECTED_CAPABILITY = new Set(["rejected", "refused", "blocked"]);

/** One item's verdict from Meta's review of it. */
export function itemVerdict(review: ReviewInput): ItemVerdict {
  const status = (review.reviewStatus ?? "").toLowerCase();
  const serious = review.issues.filter((i) => (i.priority ?? "").toUpperCase() === "HIGH" || status === "rejected");
  const base = { r: review.retailerId, image: null as string | null };

  if ((review.imageFetchStatus ?? "").toUpperCase() === "FETCH_FAILED") {
    const url = review.imageUrl;
    return {
      ...base,
      verdict: "NEEDS_FIXING",
      cause: "image",
      reason: url ? `Meta could not download the image ${url}.` : "Meta could not download the product's image.",
      fix: CAUSES.image.fix,
      image: url,
    };
  }
  if (status === "rejected") {
    const first = serious[0];
    const cause = first ? causeOfType(first.type) : review.rejectionReasons.length ? causeOfType(review.rejectionReasons[0]) : "policy";
    const reason = sentence([...review.rejectionReasons.map(humanize), first?.title, first?.description]) ?? "Meta rejected the item at review.";
    return { ...base, verdict: "REJECTED", cause: cause === "other" ? "policy" : cause, reason, fix: first?.callToAction ?? CAUSES[cause === "other" ? "policy" : cause].fix };
  }
  if (serious.length > 0) {
    const first = serious[0];
    const cause = causeOfType(first.type);
    return { ...base, verdict: "NEEDS_FIXING", cause, reason: sentence([first.title, first.description]), fix: first.callToAction ?? CAUSES[cause].fix };
  }
  if (status === "approved") {
    const refused = Object.entries(review.capabilities).filter(([, s]) => REJECTED_CAPABILITY.has(s));
    const whatsapp = refused.find(([c]) => c === "whatsapp");
    if (whatsapp) {
      return { ...base, verdict: "NEEDS_FIXING", cause: "whatsapp", reason: "Meta approved the item but rejected it for WhatsApp.", fix: CAUSES.whatsapp.fix };
    }
    return { ...base, verdict: "LIVE", cause: null, reason: null, fix: null };
  }
  // pending, outdated (Meta re-reviews a changed item) or not said: still under review.
  return { ...base, verdict: "SENT", cause: null, reason: null, fix: null };
}

/** Meta's reason codes (e.g. "PROHIBITED_CONTENT") read as words. */
export function humanize(code: string): string {
  if (!/^[A-Z0-9_]+$/.test(code)) return code;
  const words = code.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const WORST_FIRST: Review[] = ["REJECTED", "NEEDS_FIXING", "SENT", "LIVE"];

/** A product's review from its items': the worst one wins; no items read yet is Sent. */
export function productReview(items: Pick<ItemVerdict, "verdict">[]): Review {
  if (items.length === 0) return "SENT";
  for (const v of WORST_FIRST) if (items.some((i) => i.verdict === v)) return v;
  return "SENT";
}

/**
 * The one status a merchant reads for a product, on every page and in every count (issue 16 point 4,
 * issue 17): the app's own columns first, then Meta's review of what it accepted.
 * - EXCLUDED: kept out of the catalog (by the merchant or its Shopify status), even while a change to it waits.
 * - PENDING: a change waits for the worker (`dirty`), or Meta has not yet finished the batch that carried it.
 * - FAILED: the app could not send it (Meta refused the request, or no image / no price); nothing waiting.
 * - SENT, LIVE, REJECTED, NEEDS_FIXING: Meta accepted its last change; its review (`review`, from productReview), Sent until read.
 * app/catalog/store/products.server.ts writes the same definition as a database filter (STATUS_WHERE).
 */
export function verdictOf(row: { status: string; dirty?: boolean; review: string | null }): Verdict {
  if (row.status === "EXCLUDED") return "EXCLUDED";
  if (row.dirty) return "PENDING";
  if (row.status === "FAILED") return "FAILED";
  if (row.status !== "SYNCED") return "PENDING";
  return (REVIEWS as readonly string[]).includes(row.review ?? "") ? (row.review as Review) : "SENT";
}

/** Every status, in the order pages offer them: what needs the merchant first, then what is on its way, then Live, then Excluded. */
export const VERDICTS: readonly Verdict[] = ["FAILED", "REJECTED", "NEEDS_FIXING", "PENDING", "SENT", "LIVE", "EXCLUDED"];

export const isVerdict = (value: unknown): value is Verdict => (VERDICTS as readonly unknown[]).includes(value);

/** Stored item verdicts, read defensively (the column is JSON). */
export function readItemVerdicts(value: unknown): ItemVerdict[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    if (!v || typeof v !== "object") return [];
    const o = v as Record<string, unknown>;
    if (typeof o.r !== "string" || !(REVIEWS as readonly string[]).includes(o.verdict as string)) return [];
    const text = (x: unknown) => (typeof x === "string" ? x : null);
    const cause = typeof o.cause === "string" && o.cause in CAUSES ? (o.cause as Cause) : null;
    return [{ r: o.r, verdict: o.verdict as Review, cause, reason: text(o.reason), fix: text(o.fix), image: text(o.image) }];
  });
}

/**
 * When to read a product's review again: an item still under review soon
 * (`firstMs`, doubling per check, at most 30 minutes); a Live one after
 * `recheckMs` (Meta can withdraw an approval); a refused one after a quarter
 * of that (a Shopify change sends it again anyway, and re-schedules it).
 */
export function nextReviewCheck(review: Review, checks: number, now: Date, opts: { firstMs: number; recheckMs: number }): Date {
  let delay: number;
  if (review === "SENT") delay = Math.min(opts.firstMs * 2 ** Math.min(checks, 20), Math.max(opts.firstMs, 30 * 60_000));
  else if (review === "LIVE") delay = opts.recheckMs;
  else delay = Math.max(opts.firstMs, Math.round(opts.recheckMs / 4));
  return new Date(now.getTime() + delay);
}

/** A percentile of a list of numbers (nearest rank); null for an empty list. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** A shop's counts in words, in the tabs' order, leaving out the statuses no product has: "1 rejected, 2 sent, 5 live". */
export function countsInWords(counts: Record<Verdict, number>): string {
  const parts = VERDICTS.filter((v) => counts[v] > 0).map((v) => `${counts[v]} ${VERDICT_LABEL[v].toLowerCase()}`);
  return parts.length ? parts.join(", ") : "no products yet";
}
