import { describe, expect, it } from "vitest";
import { covers, describeLoss, grantFrom, isEmptyLoss, lostGrants, reaches, wabaCandidates } from "./scopes";

const full = grantFrom(
  ["whatsapp_business_management", "whatsapp_business_messaging", "business_management"],
  [
    { scope: "whatsapp_business_management", targetIds: ["waba-new", "waba-old"] },
    { scope: "whatsapp_business_messaging", targetIds: ["waba-new", "waba-old"] },
    { scope: "business_management", targetIds: ["biz-1"] },
  ],
);

// As Embedded Signup issues them since June 2026 (chatwoot/chatwoot#14690).
const v4 = grantFrom(
  ["business_management", "whatsapp_business_messaging", "whatsapp_business_manage_events"],
  [
    { scope: "whatsapp_business_manage_events", targetIds: ["waba-new", "waba-old"] },
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

  it("whatsapp_business_manage_events replacing whatsapp_business_management is not a loss; losing its accounts is", () => {
    expect(isEmptyLoss(lostGrants(full, v4))).toBe(true);
    const narrower = grantFrom(v4.scopes, [{ scope: "whatsapp_business_manage_events", targetIds: ["waba-new"] }, { scope: "whatsapp_business_messaging", targetIds: ["waba-new", "waba-old"] }]);
    expect(lostGrants(full, narrower).targets).toEqual([{ scope: "whatsapp_business_management", ids: ["waba-old"] }]);
  });

  it("finds the accounts a grant names and reaches, whichever WhatsApp permission names them", () => {
    expect(wabaCandidates(v4)).toEqual(["waba-new", "waba-old"]);
    expect(reaches(v4, "waba-old")).toBe(true);
    expect(covers(v4, "whatsapp_business_management", "waba-old")).toBe(true);
    expect(reaches(v4, "waba-other")).toBe(false);
    expect(wabaCandidates(grantFrom(["whatsapp_business_messaging"], [{ scope: "whatsapp_business_messaging", targetIds: ["w"] }]))).toEqual(["w"]);
  });
});
