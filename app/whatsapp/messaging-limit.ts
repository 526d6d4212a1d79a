/**
 * Messaging limits as Meta sets them since October 7, 2025: per business
 * portfolio, shared by every number of it, 250 / 2,000 / 10,000 / 100,000 /
 * unlimited unique WhatsApp users reached outside a customer service window
 * in a moving 24 hours
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits).
 * Meta reports it as a tier name ("TIER_250", the documented example) in
 * whatsapp_business_manager_messaging_limit and in phone_number_quality_update's
 * max_daily_conversations_per_business, and as a number in
 * business_capability_update's max_daily_conversations_per_business. Pure.
 */

/** The tiers of the portfolio model; TIER_50 and TIER_1K are per-number tiers from before it. */
const KNOWN = /^TIER_(\d+)(K)?$|^TIER_UNLIMITED$/;

const BY_COUNT: Record<number, string> = { 250: "TIER_250", 2000: "TIER_2K", 10_000: "TIER_10K", 100_000: "TIER_100K" };

/** A tier name from what Meta sent (a tier string or a number of users); null when it is not one. */
export function messagingLimitTier(value: unknown): string | null {
  if (typeof value === "number") return BY_COUNT[value] ?? null;
  if (typeof value !== "string") return null;
  const tier = value.trim().toUpperCase();
  if (/^\d+$/.test(tier)) return BY_COUNT[Number(tier)] ?? null;
  return KNOWN.test(tier) ? tier : null;
}

/** "TIER_2K" -> "2,000 customers in 24 hours"; the merchant's words for the limit. */
export function messagingLimitText(tier: string | null): string {
  if (!tier) return "Not known yet";
  if (/UNLIMITED/i.test(tier)) return "Unlimited";
  const m = /^TIER_(\d+)(K)?$/i.exec(tier);
  if (!m) return tier;
  return `${(Number(m[1]) * (m[2] ? 1000 : 1)).toLocaleString("en-US")} customers in 24 hours`;
}
