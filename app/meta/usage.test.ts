import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";
import { route } from "./endpoints";
import { parseUsageHeaders, retryAfterMs, UsageTracker } from "./usage";

describe("usage headers", () => {
  const headers = new Headers({
    "x-app-usage": JSON.stringify({ call_count: 12, total_time: 30, total_cputime: 5 }),
    "x-business-use-case-usage": JSON.stringify({
      "555": [
        { type: "whatsapp_business_management", call_count: 81, total_cputime: 1, total_time: 2, estimated_time_to_regain_access: 0 },
        { type: "catalog_management", call_count: "3", total_cputime: 0, total_time: 0, estimated_time_to_regain_access: 0 },
      ],
    }),
  });

  it("reads the app and every business use case", () => {
    const entries = parseUsageHeaders(headers, "app-1", 1000);
    expect(entries).toEqual([
      { source: "app", id: "app-1", type: null, callCount: 12, totalTime: 30, totalCputime: 5, regainMinutes: 0, at: 1000 },
      { source: "business", id: "555", type: "whatsapp_business_management", callCount: 81, totalTime: 2, totalCputime: 1, regainMinutes: 0, at: 1000 },
      { source: "business", id: "555", type: "catalog_management", callCount: 3, totalTime: 0, totalCputime: 0, regainMinutes: 0, at: 1000 },
    ]);
  });

  it("ignores malformed headers", () => {
    expect(parseUsageHeaders({ "x-app-usage": "{oops", "x-business-use-case-usage": "[1,2]" }, "a")).toEqual([]);
  });

  it("tells callers to slow down at 80 % or while throttled, and forgets old readings", () => {
    const tracker = new UsageTracker();
    tracker.record(parseUsageHeaders(headers, "app-1", 1000));
    expect(tracker.shouldSlowDown({ now: 2000 })).toBe(true);
    expect(tracker.shouldSlowDown({ now: 2000, id: "app-1" })).toBe(false);
    expect(tracker.shouldSlowDown({ now: 1000 + 10 * 60_000 })).toBe(false);
    tracker.record([{ source: "business", id: "9", type: "x", callCount: 0, totalTime: 0, totalCputime: 0, regainMinutes: 15, at: 0 }]);
    expect(tracker.shouldSlowDown({ now: 14 * 60_000, id: "9" })).toBe(true);
    expect(tracker.shouldSlowDown({ now: 16 * 60_000, id: "9" })).toBe(false);
  });

  it("for one business, counts the app's budget and that business's use cases, not another business's", () => {
    const tracker = new UsageTracker();
    tracker.record(parseUsageHeaders(headers, "app-1", 1000)); // business 555 at 81 %, the app at 30 %
    expect(tracker.shouldSlowDown({ now: 2000, business: "555", threshold: 75 })).toBe(true);
    expect(tracker.shouldSlowDown({ now: 2000, business: "777", threshold: 75 })).toBe(false);
    expect(tracker.shouldSlowDown({ now: 2000, business: "777", threshold: 25 })).toBe(true); // the app's 30 %
  });

  it("reads Retry-After as seconds or a date", () => {
    expect(retryAfterMs({ "retry-after": "12" })).toBe(12_000);
    expect(retryAfterMs({ "retry-after": new Date(61_000).toUTCString() }, 1_000)).toBe(60_000);
    expect(retryAfterMs({})).toBeNull();
  });
});

describe("backoff", () => {
  it("is full jitter under an exponential cap", () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe("route", () => {
  it("fills ids into the path and keeps the label id-free", () => {
    expect(route("POST /{catalog-id}/items_batch", { "catalog-id": "123" })).toEqual({
      method: "POST",
      path: "/123/items_batch",
      label: "POST /{catalog-id}/items_batch",
    });
  });

  it.each(["../me", "1/2", "", "a b", "EAA?x=1"])("refuses %j as an id without echoing it", (id) => {
    expect(() => route("GET /{waba-id}", { "waba-id": id })).toThrow("invalid waba-id: expected a Graph object id");
  });
});
