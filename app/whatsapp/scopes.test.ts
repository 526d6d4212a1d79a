import { describe, expect, it } from "vitest";
import { describeLoss, grantFrom, isEmptyLoss, lostGrants, missingForWaba } from "./scopes";

const full = grantFrom(
  ["whatsapp_business_management", "whatsapp_business_messaging", "business_management"],
  [
    { scope: "whatsapp_business_management", targetIds: ["waba-new", "waba-old"] },
    { scope: "whatsapp_business_messaging", targetIds: ["waba-new", "waba-old"] },
    { scope: "business_management", targetIds: ["biz-1"] },
  ],
);

describe("what a reconnect lost", () => {
  it("names permissions that are gone and accounts a kept permission no longer reaches", () => {
    const after = grantFrom(
      ["whatsapp_business_management", "whatsapp_business_messaging"],
      [
        { scope: "whatsapp_business_management", targetIds: ["waba-new"] },
        { scope: "whatsapp_business_messaging", targetIds: ["waba-new", "waba-old"] },
      ],
    );
    const loss = lostGrants(full, after);
    expect(loss).toEqual({ scopes: ["business_management"], targets: [{ scope: "whatsapp_business_management", ids: ["waba-old"] }] });
    const text = describeLoss(loss);
    expect(text).toMatch(/missing the permission “Manage your business portfolio \(business_management\)”/);
    expect(text).toMatch(/access to WhatsApp Business Account waba-old \(for whatsapp_business_management\)/);
    expect(text).toMatch(/An admin of the Meta business portfolio/);
  });

  it("a scope no longer limited to some objects loses nothing", () => {
    const unlimited = grantFrom(full.scopes, []);
    expect(isEmptyLoss(lostGrants(full, unlimited))).toBe(true);
  });

  it("knows what a WABA needs", () => {
    expect(isEmptyLoss(missingForWaba(full, "waba-old"))).toBe(true);
    expect(missingForWaba(full, "waba-other").targets.map((t) => t.scope)).toEqual(["whatsapp_business_management", "whatsapp_business_messaging"]);
    expect(missingForWaba(grantFrom(["whatsapp_business_management"], []), "w").scopes).toEqual(["whatsapp_business_messaging"]);
  });
});
