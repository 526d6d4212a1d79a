import { describe, expect, it } from "vitest";
import { countsInWords, causeOfType, itemVerdict, nextReviewCheck, percentile, productReview, readItemVerdicts, verdictOf, type ReviewInput } from "./verdict";

const review = (over: Partial<ReviewInput> = {}): ReviewInput => ({
  retailerId: "shopify_1_101",
  reviewStatus: "approved",
  rejectionReasons: [],
  issues: [],
  imageFetchStatus: "FETCHED",
  imageUrl: "https://cdn.example.com/a.jpg",
  capabilities: {},
  ...over,
});

describe("itemVerdict", () => {
  it("is Live when Meta approved the item and names no serious problem", () => {
    expect(itemVerdict(review())).toMatchObject({ verdict: "LIVE", cause: null, reason: null, fix: null });
    // A low-priority suggestion does not hold the item back.
    expect(itemVerdict(review({ issues: [{ type: "ATTRIBUTES_MISSING", priority: "LOW", title: "Add a GTIN", description: null, callToAction: null }] })).verdict).toBe("LIVE");
  });

  it("is Sent while Meta's review is pending or outdated, or Meta says nothing", () => {
    for (const s of ["pending", "outdated", null]) expect(itemVerdict(review({ reviewStatus: s })).verdict).toBe("SENT");
  });

  it("is Rejected with Meta's reason and Meta's call to action as the fix", () => {
    const v = itemVerdict(
      review({
        reviewStatus: "rejected",
        rejectionReasons: ["PROHIBITED_CONTENT"],
        issues: [{ type: "POLICY_VIOLATION", priority: "HIGH", title: "Item rejected", description: "It breaks the Commerce Policies", callToAction: "Edit the item" }],
      }),
    );
    expect(v).toMatchObject({ verdict: "REJECTED", cause: "policy", fix: "Edit the item" });
    expect(v.reason).toBe("Prohibited content. Item rejected. It breaks the Commerce Policies.");
  });

  it("is Rejected under the policies with the app's fix when Meta gives no detail", () => {
    const v = itemVerdict(review({ reviewStatus: "rejected" }));
    expect(v).toMatchObject({ verdict: "REJECTED", cause: "policy", reason: "Meta rejected the item at review." });
    expect(v.fix).toMatch(/Commerce Policies/);
  });

  it("needs fixing when Meta could not download the image, naming the image", () => {
    const v = itemVerdict(review({ reviewStatus: "pending", imageFetchStatus: "FETCH_FAILED", imageUrl: "https://cdn.example.com/broken.jpg" }));
    expect(v).toMatchObject({ verdict: "NEEDS_FIXING", cause: "image", image: "https://cdn.example.com/broken.jpg" });
    expect(v.reason).toContain("https://cdn.example.com/broken.jpg");
    expect(v.fix).toMatch(/replace its first image/);
  });

  it("needs fixing for a serious problem on an approved item, and when WhatsApp refuses it", () => {
    const missing = itemVerdict(review({ issues: [{ type: "ATTRIBUTES_MISSING", priority: "HIGH", title: "Missing brand", description: null, callToAction: null }] }));
    expect(missing).toMatchObject({ verdict: "NEEDS_FIXING", cause: "details", reason: "Missing brand." });
    expect(missing.fix).toMatch(/Fill in the details/);
    expect(itemVerdict(review({ capabilities: { whatsapp: "rejected", marketplace: "approved" } }))).toMatchObject({ verdict: "NEEDS_FIXING", cause: "whatsapp" });
    expect(itemVerdict(review({ capabilities: { marketplace: "rejected", whatsapp: "approved" } })).verdict).toBe("LIVE");
  });
});

describe("product verdicts", () => {
  it("takes the worst item's review", () => {
    expect(productReview([{ verdict: "LIVE" }, { verdict: "LIVE" }])).toBe("LIVE");
    expect(productReview([{ verdict: "LIVE" }, { verdict: "SENT" }])).toBe("SENT");
    expect(productReview([{ verdict: "LIVE" }, { verdict: "NEEDS_FIXING" }, { verdict: "SENT" }])).toBe("NEEDS_FIXING");
    expect(productReview([{ verdict: "NEEDS_FIXING" }, { verdict: "REJECTED" }])).toBe("REJECTED");
    expect(productReview([])).toBe("SENT");
  });

  it("reads the sync status first, then Meta's review", () => {
    expect(verdictOf({ status: "PENDING", review: "LIVE" })).toBe("PENDING");
    expect(verdictOf({ status: "FAILED", review: null })).toBe("FAILED");
    expect(verdictOf({ status: "EXCLUDED", review: "LIVE" })).toBe("EXCLUDED");
    expect(verdictOf({ status: "SYNCED", review: null })).toBe("SENT");
    expect(verdictOf({ status: "SYNCED", review: "REJECTED" })).toBe("REJECTED");
    expect(verdictOf({ status: "SYNCED", review: "bogus" })).toBe("SENT");
  });

  it("reads stored item verdicts defensively", () => {
    expect(readItemVerdicts([{ r: "a", verdict: "LIVE" }, { r: 1, verdict: "LIVE" }, { r: "b", verdict: "NOPE" }, null, { r: "c", verdict: "REJECTED", cause: "zzz", reason: "x" }])).toEqual([
      { r: "a", verdict: "LIVE", cause: null, reason: null, fix: null, image: null },
      { r: "c", verdict: "REJECTED", cause: null, reason: "x", fix: null, image: null },
    ]);
    expect(readItemVerdicts(null)).toEqual([]);
  });

  it("groups Meta's types by the cause a merchant fixes", () => {
    expect(causeOfType("IMAGE_QUALITY")).toBe("image");
    expect(causeOfType("POLICY_VIOLATION")).toBe("policy");
    expect(causeOfType("ATTRIBUTES_INVALID")).toBe("details");
    expect(causeOfType("LOW_QUALITY_TITLE_AND_DESCRIPTION")).toBe("text");
    expect(causeOfType("CHECKOUT")).toBe("other");
    expect(causeOfType(null)).toBe("other");
  });
});

describe("scheduling and freshness", () => {
  const now = new Date("2026-12-01T00:00:00Z");
  const opts = { firstMs: 60_000, recheckMs: 86_400_000 };
  const after = (d: Date) => d.getTime() - now.getTime();

  it("checks a pending review soon and less often each time, a verdict rarely", () => {
    expect(after(nextReviewCheck("SENT", 0, now, opts))).toBe(60_000);
    expect(after(nextReviewCheck("SENT", 3, now, opts))).toBe(480_000);
    expect(after(nextReviewCheck("SENT", 50, now, opts))).toBe(30 * 60_000);
    expect(after(nextReviewCheck("LIVE", 0, now, opts))).toBe(86_400_000);
    expect(after(nextReviewCheck("REJECTED", 0, now, opts))).toBe(21_600_000);
  });

  it("computes nearest-rank percentiles", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 95)).toBe(5);
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
  });
  it("one status for a row: excluded first, a waiting change is Pending, then Failed, then Meta's review", () => {
    expect(verdictOf({ status: "EXCLUDED", dirty: true, review: "LIVE" })).toBe("EXCLUDED");
    expect(verdictOf({ status: "FAILED", dirty: true, review: null })).toBe("PENDING");
    expect(verdictOf({ status: "SYNCED", dirty: true, review: "REJECTED" })).toBe("PENDING");
    expect(verdictOf({ status: "SYNCED", dirty: false, review: "NEEDS_FIXING" })).toBe("NEEDS_FIXING");
    expect(verdictOf({ status: "SYNCED", dirty: false, review: "LIVE" })).toBe("LIVE");
  });

  it("counts in words in the tabs' order, without the statuses no product has", () => {
    const none = { FAILED: 0, REJECTED: 0, NEEDS_FIXING: 0, PENDING: 0, SENT: 0, LIVE: 0, EXCLUDED: 0 };
    expect(countsInWords({ ...none, LIVE: 5, SENT: 2, REJECTED: 1, NEEDS_FIXING: 1 })).toBe("1 rejected, 1 needs fixing, 2 sent, 5 live");
    expect(countsInWords(none)).toBe("no products yet");
  });
});
