import { classifyError } from "../../../app/catalog/failure-kinds";
import { VERDICT_LABEL, type Verdict } from "../../../app/catalog/verdict";

export { VERDICT_LABEL, type Verdict };

/**
 * What the app's status endpoint answers (GET/POST
 * /api/products/{id}/sync-status), and how the block words it for a merchant.
 * Pure: no Shopify globals, no fetch, so tests and the view share it.
 */

export type Connection = "CONNECTED" | "NEEDS_RECONNECT" | "NOT_CONNECTED";
/** A variant's sync status: how far the app got with it before Meta's review (SYNCED: Meta accepted it). */
export type ItemStatus = "PENDING" | "SYNCED" | "FAILED" | "EXCLUDED";
/** The product's one status, as every page of the app shows and counts it: Meta's verdict (app/catalog/verdict.ts). */
export type ProductStatus = Verdict;
export type SyncAction = "sync" | "exclude" | "include";

export interface VariantSync {
  retailerId: string;
  status: ItemStatus;
  error: string | null;
  /** What Meta shows for it (issue 17), with Meta's reason and the fix when Meta holds it back. */
  verdict?: Verdict;
  reason?: string | null;
  fix?: string | null;
  /** The image Meta could not download. */
  image?: string | null;
}

export interface ProductSync {
  productId: string;
  status: ProductStatus;
  excluded: boolean;
  lastError: string | null;
  lastSyncedAt: string | null;
  /** What Meta shows for the product (issue 17); absent from an app older than it. */
  verdict?: Verdict;
  /** When Meta accepted the last change, and when it last gave a verdict. */
  sentAt?: string | null;
  confirmedAt?: string | null;
  variants: VariantSync[];
}

export interface SyncStatus {
  connection: Connection;
  product: ProductSync | null;
}

const CONNECTIONS: readonly string[] = ["CONNECTED", "NEEDS_RECONNECT", "NOT_CONNECTED"];
const ITEM_STATUSES: readonly string[] = ["PENDING", "SYNCED", "FAILED", "EXCLUDED"];
const VERDICTS: readonly string[] = Object.keys(VERDICT_LABEL);
const optVerdict = (v: unknown): Verdict | undefined => (typeof v === "string" && VERDICTS.includes(v) ? (v as Verdict) : undefined);
const optText = (v: unknown): string | null | undefined => (typeof v === "string" ? v : v === null ? null : undefined);
/** Optional fields are copied only when the endpoint sent them, so a round trip gives the same object. */
const present = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === "string";

/**
 * Checks a response body against the endpoint's contract (a few hand-written
 * checks: zod would triple the bundle). Returns null for anything else.
 */
export function parseSyncStatus(body: unknown): SyncStatus | null {
  if (!isRecord(body) || typeof body.connection !== "string" || !CONNECTIONS.includes(body.connection)) return null;
  const connection = body.connection as Connection;
  if (body.product === null || body.product === undefined) return { connection, product: null };
  const p = body.product;
  if (
    !isRecord(p) ||
    typeof p.productId !== "string" ||
    typeof p.status !== "string" ||
    !(VERDICTS.includes(p.status) || p.status === "SYNCED") ||
    typeof p.excluded !== "boolean" ||
    !isNullableString(p.lastError) ||
    !isNullableString(p.lastSyncedAt) ||
    !Array.isArray(p.variants)
  ) {
    return null;
  }
  const variants: VariantSync[] = [];
  for (const v of p.variants) {
    if (!isRecord(v) || typeof v.retailerId !== "string" || typeof v.status !== "string" || !ITEM_STATUSES.includes(v.status) || !isNullableString(v.error)) {
      return null;
    }
    variants.push({
      retailerId: v.retailerId,
      status: v.status as ItemStatus,
      error: v.error,
      ...present({ verdict: optVerdict(v.verdict), reason: optText(v.reason), fix: optText(v.fix), image: optText(v.image) }),
    });
  }
  // An app older than the one status said SYNCED once Meta accepted the product: its verdict, else Sent.
  const status = p.status === "SYNCED" ? (optVerdict(p.verdict) ?? "SENT") : (p.status as ProductStatus);
  return {
    connection,
    product: {
      productId: p.productId,
      status,
      excluded: p.excluded,
      lastError: p.lastError,
      lastSyncedAt: p.lastSyncedAt,
      ...present({ verdict: optVerdict(p.verdict), sentAt: optText(p.sentAt), confirmedAt: optText(p.confirmedAt) }),
      variants,
    },
  };
}

/** "gid://shopify/Product/123" (what `data.selected[0].id` holds) -> "123"; null for anything else. */
export function numericProductId(gid: string | undefined | null): string | null {
  const match = /^gid:\/\/shopify\/Product\/(\d{1,20})$/.exec(gid ?? "") ?? /^(\d{1,20})$/.exec(gid ?? "");
  return match ? match[1] : null;
}

/** The endpoint for one product, relative: the admin resolves it against the app's URL and adds the session token. */
export function statusPath(productId: string) {
  return `/api/products/${encodeURIComponent(productId)}/sync-status`;
}

export type BadgeTone = "success" | "info" | "warning" | "critical" | "neutral" | "caution";

/** A variant's badge before Meta's review, by its sync status. */
export const STATUS_LABELS: Record<ItemStatus, { label: string; tone: BadgeTone }> = {
  PENDING: { label: "Pending", tone: "info" },
  SYNCED: { label: "Sent", tone: "info" },
  FAILED: { label: "Failed", tone: "critical" },
  EXCLUDED: { label: "Excluded", tone: "neutral" },
};

/** The app's badge tones (app/components/catalog/StatusBadge.tsx) in the admin's words. */
const VERDICT_TONES: Record<Verdict, BadgeTone> = {
  PENDING: "info",
  SENT: "info",
  LIVE: "success",
  REJECTED: "critical",
  NEEDS_FIXING: "warning",
  FAILED: "critical",
  EXCLUDED: "neutral",
};

const isItemStatus = (status: string): status is ItemStatus => ITEM_STATUSES.includes(status);

/** The badge: the product's status (Meta's verdict); a variant's verdict once Meta accepted it, else its sync status. */
export function badgeOf(item: { status: ProductStatus | ItemStatus; verdict?: Verdict }): { label: string; tone: BadgeTone } {
  if (!isItemStatus(item.status)) return { label: VERDICT_LABEL[item.status], tone: VERDICT_TONES[item.status] };
  if (item.verdict && item.status === "SYNCED") return { label: VERDICT_LABEL[item.verdict], tone: VERDICT_TONES[item.verdict] };
  if (item.status === "SYNCED") return STATUS_LABELS.SYNCED;
  return { label: VERDICT_LABEL[item.status], tone: VERDICT_TONES[item.status] };
}

/** One sentence on what the status means for this product. */
export function statusSummary(product: ProductSync): string {
  switch (product.status) {
    case "LIVE":
      return "Live: Meta approved it, and shoppers can see it on Facebook, Instagram and WhatsApp.";
    case "SENT":
      return "Sent: Meta accepted the latest change and is reviewing it. This usually takes a few minutes.";
    case "REJECTED":
      return "Rejected: Meta's review refused this product, so shoppers cannot see it.";
    case "NEEDS_FIXING":
      return "Needs fixing: Meta shows a problem to fix in Shopify before shoppers can see this product.";
    case "PENDING":
      return product.excluded
        ? "Being removed from your Meta catalog. This usually takes a few seconds."
        : "Waiting to be sent to your Meta catalog. This usually takes a few seconds.";
    case "FAILED":
      return "Meta did not accept this product, so it is missing from your catalog or out of date there.";
    case "EXCLUDED":
      return product.excluded
        ? "You excluded this product: it is kept out of your Meta catalog."
        : "Not in your Meta catalog.";
  }
}

export interface Explanation {
  /** What went wrong, in a few words ("Missing image"). */
  kind: string;
  /** Meta's (or the app's) own message. */
  message: string;
  /** What the merchant does about it. */
  action: string;
}

/**
 * A Meta error in the merchant's words: the same grouping and advice as the
 * app's catalog page (`classifyError` in app/catalog/failure-kinds.ts, a pure
 * function bundled into the extension), so the two never disagree.
 */
export function explainError(message: string): Explanation {
  const { kind, action } = classifyError(message);
  return { kind, message, action };
}

/** "shopify_12_345" (the catalog item id) -> "345", the Shopify variant id. */
export function variantIdOf(retailerId: string): string | null {
  return /^shopify_\d+_(\d+)$/.exec(retailerId)?.[1] ?? null;
}

/**
 * A variant's own outcome. The endpoint gives every item of a FAILED product
 * the product's status; only the items with an error were refused (by Meta,
 * or never sent for a missing price or image), the others went through.
 */
export function variantOutcome(v: VariantSync): VariantSync {
  return v.status === "FAILED" && !v.error ? { ...v, status: "SYNCED" } : v;
}

/** True when the variants do not all share one status and error: only then does the block list them. */
export function variantsDiffer(variants: VariantSync[]): boolean {
  return new Set(variants.map((v) => `${v.status}\u0000${v.error ?? ""}\u0000${v.verdict ?? ""}\u0000${v.reason ?? ""}`)).size > 1;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "5 minutes ago" for a past ISO time, relative to `now`. */
export function relativeTime(iso: string, now: Date, locale = "en"): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

/** "Nov 1, 2026, 10:00 AM" in the merchant's locale and time zone. */
export function absoluteTime(iso: string, locale = "en", timeZone?: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short", timeZone });
}

export const ACTION_LABELS: Record<SyncAction, { label: string; done: string; failed: string }> = {
  sync: { label: "Sync now", done: "Queued: the product syncs in a few seconds.", failed: "Could not queue the sync" },
  exclude: { label: "Exclude from catalog", done: "Excluded: the product is removed from your Meta catalog.", failed: "Could not exclude the product" },
  include: { label: "Include again", done: "Included: the product is sent to your Meta catalog again.", failed: "Could not include the product" },
};
