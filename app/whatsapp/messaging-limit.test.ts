import { describe, expect, it } from "vitest";
import { messagingLimitText, messagingLimitTier } from "./messaging-limit";

describe("the business portfolio's messaging limit", () => {
  it("reads the tier names Meta sends, and the numbers business_capability_update sends", () => {
    expect(messagingLimitTier("TIER_2K")).toBe("TIER_2K");
    expect(messagingLimitTier(" tier_unlimited ")).toBe("TIER_UNLIMITED");
    expect(messagingLimitTier(2000)).toBe("TIER_2K");
    expect(messagingLimitTier("100000")).toBe("TIER_100K");
    expect(messagingLimitTier(1234)).toBeNull();
    expect(messagingLimitTier("LIMITLESS")).toBeNull();
    expect(messagingLimitTier(undefined)).toBeNull();
  });

  it("says it in the merchant's words", () => {
    expect(messagingLimitText("TIER_250")).toBe("250 customers in 24 hours");
    expect(messagingLimitText("TIER_2K")).toBe("2,000 customers in 24 hours");
    expect(messagingLimitText("TIER_100K")).toBe("100,000 customers in 24 hours");
    expect(messagingLimitText("TIER_UNLIMITED")).toBe("Unlimited");
    expect(messagingLimitText(null)).toBe("Not known yet");
  });
});
