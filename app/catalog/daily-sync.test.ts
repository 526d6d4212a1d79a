import { describe, expect, it } from "vitest";
import { DAY_MS, dailyOffset, dailySchedule, lastSlot, RECENT_MS } from "./daily-sync";

const hours = (n: number) => n * 3600_000;

describe("daily reconciliation schedule", () => {
  it("gives each shop a stable time of day, spread over the day", () => {
    expect(dailyOffset("a.myshopify.com")).toBe(dailyOffset("a.myshopify.com"));
    const offsets = Array.from({ length: 240 }, (_, i) => dailyOffset(`shop-${i}.myshopify.com`));
    const perHour = new Array(24).fill(0);
    for (const o of offsets) {
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(DAY_MS);
      perHour[Math.floor(o / hours(1))] += 1;
    }
    // 240 shops over 24 hours: no hour holds a crowd.
    expect(Math.max(...perHour)).toBeLessThan(30);
  });

  it("is due once per day at the shop's slot, and not again after it ran", () => {
    const shop = "daily.myshopify.com";
    const now = new Date("2026-12-01T12:00:00Z");
    const slot = lastSlot(shop, now);
    expect(slot.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(now.getTime() - slot.getTime()).toBeLessThan(DAY_MS);
    // Last run two days ago: due now.
    expect(dailySchedule(shop, new Date(now.getTime() - 2 * DAY_MS), now).due).toBe(true);
    // It started at the slot: not due, next one a day later.
    const after = dailySchedule(shop, slot, now);
    expect(after.due).toBe(false);
    expect(after.next.getTime()).toBe(slot.getTime() + DAY_MS);
  });

  it("skips a slot when a full sync started in the 12 hours before it", () => {
    const shop = "recent.myshopify.com";
    const now = new Date("2026-12-01T12:00:00Z");
    const slot = lastSlot(shop, now);
    const recent = new Date(slot.getTime() - RECENT_MS + hours(1));
    expect(dailySchedule(shop, recent, now).due).toBe(false);
    const older = new Date(slot.getTime() - RECENT_MS - hours(1));
    expect(dailySchedule(shop, older, now).due).toBe(true);
    // A merchant's resync just before the next slot skips that one too.
    const justBeforeNext = new Date(slot.getTime() + DAY_MS - hours(2));
    const later = new Date(slot.getTime() + DAY_MS - hours(1));
    expect(dailySchedule(shop, justBeforeNext, later).next.getTime()).toBe(slot.getTime() + 2 * DAY_MS);
  });

  it("counts a catalog never synced in full as due", () => {
    expect(dailySchedule("never.myshopify.com", null, new Date("2026-12-01T00:00:00Z")).due).toBe(true);
  });
});
