import { createHash } from "node:crypto";

/**
 * The daily reconciliation's schedule (issue 14). Meta asks partners to send
 * the whole catalog at least every 24 hours on top of the deltas, so a lost
 * webhook or an item changed on Meta's side heals within a day. Each shop
 * gets its own time of day from a hash of its domain, which spreads the runs
 * of many shops over the day instead of starting them together. A slot is
 * skipped when a full sync started in the 12 hours before it (a merchant's
 * "Resync all", a new connection): that run already did the job.
 */

export const DAY_MS = 24 * 3600_000;
/** A full sync that started this long before a slot makes the slot unnecessary. */
export const RECENT_MS = 12 * 3600_000;

/** The shop's time of day, as milliseconds after midnight UTC. */
export function dailyOffset(shop: string): number {
  return createHash("sha256").update(shop).digest().readUInt32BE(0) % DAY_MS;
}

/** The shop's latest slot at or before `now`. */
export function lastSlot(shop: string, now: Date): Date {
  const offset = dailyOffset(shop);
  const midnight = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const today = midnight + offset;
  return new Date(today <= now.getTime() ? today : today - DAY_MS);
}

/**
 * Whether the shop's daily run is due now, and when the next one will start.
 * `lastStart`: when its latest full sync started (or, if it never had one,
 * when its catalog was connected: connecting starts one).
 */
export function dailySchedule(shop: string, lastStart: Date | null, now: Date): { due: boolean; next: Date } {
  const slot = lastSlot(shop, now);
  const startedBefore = (at: Date) => !lastStart || lastStart.getTime() < at.getTime() - RECENT_MS;
  const due = startedBefore(slot);
  if (due) return { due, next: now };
  // The next slot that the latest start does not make unnecessary.
  let next = new Date(slot.getTime() + DAY_MS);
  while (!startedBefore(next)) next = new Date(next.getTime() + DAY_MS);
  return { due, next };
}
