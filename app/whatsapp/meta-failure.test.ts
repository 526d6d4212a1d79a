import { describe, expect, it } from "vitest";
import { classify } from "../meta/errors";
import { describeDeliveryFailure, describeMetaError } from "./meta-failure.server";

/** Product message errors (issue 18), in the merchant's words with the fix: the same translation for a refused send and a failed status. */
describe("product message errors in the merchant's words", () => {
  it("131009 'Products not found in FB Catalog' says the item is not in the linked catalog and what to check", () => {
    const error = classify(400, {
      error: { message: "(#131009) Parameter value is not valid", type: "OAuthException", code: 131009, error_data: { messaging_product: "whatsapp", details: "Products not found in FB Catalog" }, fbtrace_id: "x" },
    });
    expect(describeMetaError(error, "sending the product message", "send_failed")).toEqual({
      code: "product_not_in_catalog",
      message: expect.stringMatching(/^Meta refused sending the product message: WhatsApp could not find the product in the catalog linked to your WhatsApp account\..*shows as Synced/),
    });
    // Another 131009 (a bad parameter) keeps Meta's words.
    const other = classify(400, { error: { message: "(#131009) Parameter value is not valid", code: 131009, error_data: { details: "Invalid to" } } });
    expect(describeMetaError(other, "sending the test message", "send_failed")).toEqual({ code: "send_failed", message: "Meta refused sending the test message: (#131009) Parameter value is not valid" });
  });

  it("131047 in a failed status: the window closed, ask the customer to write again", () => {
    expect(describeDeliveryFailure({ code: 131047, title: "Re-engagement message", details: "More than 24 hours have passed since the recipient last replied to the sender number." }, "delivering the product message")).toBe(
      "Meta refused delivering the product message: the customer last wrote to your WhatsApp number more than 24 hours ago, and outside that window WhatsApp only delivers approved templates. Ask them to send any message to your number, then send again.",
    );
    expect(describeDeliveryFailure({ code: 131021, title: "Recipient cannot be sender" }, "delivering the product message")).toMatch(/Write from another phone/);
    // Codes it does not know are left to Meta's own words (the caller keeps them).
    expect(describeDeliveryFailure({ code: 131026, title: "Message undeliverable" }, "delivering the test message")).toBeNull();
  });
});
