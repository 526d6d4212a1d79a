import type { Db } from "../db.server";
import { productsByRetailerIds, recentSends, reviewProblems } from "./store/reviews.server";
import { shopCounts } from "./store/products.server";
import { CAUSES, causeOfType, percentile, readItemVerdicts, type Cause, type Verdict } from "./verdict";

/**
 * What the catalog page shows of Meta's review (issue 17), as plain data:
 * how many products have each verdict, the problems grouped by cause with
 * the fix, Meta's diagnostics with their call to action and the products
 * they name, and the shop's freshness over the last day.
 */

/** The app's promise: a change reaches Meta within seconds (README Performance, figure 3: p99 under 3 s). */
export const PROMISE_MS = 3_000;
/**
 * Meta's partner bar: "near real-time inventory and pricing updates" (Catalog
 * Integration, commerce partners), which the issue quotes as price and stock
 * within 15 minutes.
 */
export const PARTNER_BAR_MS = 15 * 60_000;

export interface CauseGroup {
  cause: Cause;
  label: string;
  fix: string;
  /** Products and items Meta holds back for this cause. */
  products: number;
  items: number;
  /** A few of them, with Meta's words. */
  examples: { productId: string; title: string; verdict: "REJECTED" | "NEEDS_FIXING"; reason: string | null; image: string | null }[];
}

export interface DiagnosticView {
  title: string;
  subtitle: string | null;
  severity: "MUST_FIX" | "OPPORTUNITY" | string;
  channels: string[];
  affectedItems: number | null;
  /** Meta's own call to action, then the app's in Shopify terms. */
  metaAction: string | null;
  fix: string;
  products: { productId: string; title: string }[];
}

export interface ReviewView {
  verdicts: Record<Verdict, number>;
  causes: CauseGroup[];
  diagnostics: { checkedAt: string | null; groups: DiagnosticView[] };
  freshness: { count: number; p50Ms: number | null; p95Ms: number | null; promiseMs: number; partnerBarMs: number };
}

const EXAMPLES = 5;

export async function catalogReview(
  db: Db,
  shop: string,
  connection: { diagnostics: unknown; diagnosticsAt: Date | null } | null,
  now = new Date(),
): Promise<ReviewView> {
  const [counts, problems, sends] = await Promise.all([
    shopCounts(db, shop),
    reviewProblems(db, shop),
    recentSends(db, shop, new Date(now.getTime() - 86_400_000)),
  ]);

  // The one count every page shows (catalog/store/products.server.ts shopCounts).
  const verdicts = counts.byStatus;

  const causes = new Map<Cause, CauseGroup>();
  for (const row of problems) {
    const seenHere = new Set<Cause>();
    for (const item of readItemVerdicts(row.itemReviews)) {
      if (item.verdict !== "REJECTED" && item.verdict !== "NEEDS_FIXING") continue;
      const cause = item.cause ?? "other";
      const group = causes.get(cause) ?? { cause, label: CAUSES[cause].label, fix: CAUSES[cause].fix, products: 0, items: 0, examples: [] };
      group.items += 1;
      if (!seenHere.has(cause)) {
        seenHere.add(cause);
        group.products += 1;
        if (group.examples.length < EXAMPLES) {
          group.examples.push({ productId: row.productId, title: row.title || row.productId, verdict: item.verdict, reason: item.reason, image: item.image });
        }
      }
      causes.set(cause, group);
    }
  }

  const diagnostics = await diagnosticViews(db, shop, connection?.diagnostics);
  const lags = sends.flatMap((s) => (s.changedAt && s.sentAt ? [Math.max(0, s.sentAt.getTime() - s.changedAt.getTime())] : []));
  return {
    verdicts,
    causes: [...causes.values()].sort((a, b) => b.products - a.products),
    diagnostics: { checkedAt: connection?.diagnosticsAt?.toISOString() ?? null, groups: diagnostics },
    freshness: { count: lags.length, p50Ms: percentile(lags, 50), p95Ms: percentile(lags, 95), promiseMs: PROMISE_MS, partnerBarMs: PARTNER_BAR_MS },
  };
}

type StoredGroup = {
  title?: unknown;
  subtitle?: unknown;
  severity?: unknown;
  type?: unknown;
  channels?: unknown;
  affectedItems?: unknown;
  diagnostics?: { callToAction?: unknown; retailerIds?: unknown }[];
};

const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);

/** The stored diagnostics (app/meta DiagnosticGroup), must-fix first, each with the products it names. */
async function diagnosticViews(db: Db, shop: string, stored: unknown): Promise<DiagnosticView[]> {
  if (!Array.isArray(stored)) return [];
  const groups = stored as StoredGroup[];
  const ids = groups.flatMap((g) => (g.diagnostics ?? []).flatMap((d) => (Array.isArray(d.retailerIds) ? d.retailerIds.filter((r): r is string => typeof r === "string") : [])));
  const products = new Map((await productsByRetailerIds(db, shop, ids)).map((p) => [p.productId, p]));
  const views = groups.map((g): DiagnosticView => {
    const named = new Map<string, { productId: string; title: string }>();
    for (const d of g.diagnostics ?? []) {
      for (const r of Array.isArray(d.retailerIds) ? d.retailerIds : []) {
        const productId = typeof r === "string" ? /^shopify_(\d+)_/.exec(r)?.[1] : undefined;
        const product = productId ? products.get(productId) : undefined;
        if (product) named.set(product.productId, { productId: product.productId, title: product.title || product.productId });
      }
    }
    const type = text(g.type);
    const channels = Array.isArray(g.channels) ? g.channels.filter((c): c is string => typeof c === "string") : [];
    return {
      title: text(g.title) ?? type ?? "Catalog issue",
      subtitle: text(g.subtitle),
      severity: text(g.severity) ?? "OPPORTUNITY",
      channels,
      affectedItems: typeof g.affectedItems === "number" ? g.affectedItems : null,
      metaAction: text((g.diagnostics ?? []).map((d) => d.callToAction).find((c) => text(c))),
      fix: CAUSES[causeOfType(type)].fix,
      products: [...named.values()],
    };
  });
  return views.sort((a, b) => Number(b.severity === "MUST_FIX") - Number(a.severity === "MUST_FIX"));
}
