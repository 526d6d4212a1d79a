import { describe, expect, it } from "vitest";
import { isMetaOrigin, parseSignupMessage } from "./signup-message";

describe("Meta's Embedded Signup window messages", () => {
  it("trusts only https origins on facebook.com", () => {
    expect(isMetaOrigin("https://www.facebook.com")).toBe(true);
    expect(isMetaOrigin("https://business.facebook.com")).toBe(true);
    expect(isMetaOrigin("https://facebook.com")).toBe(true);
    expect(isMetaOrigin("http://www.facebook.com")).toBe(false);
    expect(isMetaOrigin("https://evilfacebook.com")).toBe(false);
    expect(isMetaOrigin("https://facebook.com.evil.example")).toBe(false);
    expect(isMetaOrigin("null")).toBe(false);
  });

  it("reads FINISH, FINISH_ONLY_WABA and the business app onboarding, as JSON strings or objects", () => {
    const finish = JSON.stringify({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH", data: { waba_id: "1", phone_number_id: "2", business_id: "3" } });
    expect(parseSignupMessage(finish)).toEqual({ kind: "finish", event: "FINISH", wabaId: "1", phoneNumberId: "2", businessId: "3" });
    expect(parseSignupMessage({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH_ONLY_WABA", data: { waba_id: 1 } })).toMatchObject({ event: "FINISH_ONLY_WABA", wabaId: "1", phoneNumberId: null });
    expect(parseSignupMessage({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", data: {} })).toMatchObject({ kind: "finish" });
  });

  it("tells an abandoned flow from a user-reported error (CANCEL with error fields; older error_id)", () => {
    expect(parseSignupMessage({ type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { current_step: "PHONE_NUMBER_SETUP" } })).toEqual({ kind: "cancel", currentStep: "PHONE_NUMBER_SETUP" });
    expect(parseSignupMessage({ type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { error_message: "Oops", error_id: "524126", session_id: "s-1" } })).toEqual({
      kind: "error",
      message: "Oops",
      errorCode: "524126",
      sessionId: "s-1",
    });
  });

  it("ignores anything else", () => {
    expect(parseSignupMessage("not json")).toBeNull();
    expect(parseSignupMessage({ type: "OTHER", event: "FINISH" })).toBeNull();
    expect(parseSignupMessage({ type: "WA_EMBEDDED_SIGNUP", event: "SOMETHING_NEW" })).toBeNull();
    expect(parseSignupMessage(null)).toBeNull();
  });
});
