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
      message: expect.stringMatching(/^Meta refused sending the product message: WhatsApp could not find the product in the catalog linked to your WhatsApp account\..*shows as Live/),
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
    expect(describeDeliveryFailure({ code: 131999, title: "Something new" }, "delivering the test message")).toBeNull();
  });
});

/** Issue 16: the common message error codes each come with advice, whether refused at once or failed later. */
describe("the common message error codes in the merchant's words", () => {
  const COMMON = [131026, 131047, 131049, 131050, 131051, 131053, 130472, 131000, 131005, 131008, 131009, 131016, 131021, 131031, 131042, 131045, 131048, 131056, 132000, 132001];

  it.each(COMMON)("%i has advice in a failed status webhook, without Meta's bare code", (code) => {
    const details = code === 131009 ? "Products not found in FB Catalog" : undefined;
    const text = describeDeliveryFailure({ code, title: "Meta's title", details }, "delivering the test message");
    expect(text).toMatch(/^Meta refused delivering the test message: \S/);
    expect(text).not.toMatch(/Meta error|Meta's title/);
  });

  it.each(COMMON)("%i refused at once gets the same advice", (code) => {
    const error = classify(400, { error: { message: `(#${code}) Meta's title`, code, error_data: { details: code === 131009 ? "Products not found in FB Catalog" : "x" } } });
    const failure = describeMetaError(error, "sending the test message", "send_failed");
    expect(failure.message).toBe(describeDeliveryFailure({ code, details: code === 131009 ? "Products not found in FB Catalog" : "x" }, "sending the test message"));
  });

  it("131026 asks the customer, by another channel, to update WhatsApp and accept its terms", () => {
    expect(describeDeliveryFailure({ code: 131026, title: "Message undeliverable" }, "delivering the test message")).toMatch(/may not have WhatsApp.*update WhatsApp, accept its terms/);
  });

  it("a throttle keeps its kind (the page says wait), an outage its own", () => {
    const pair = classify(400, { error: { message: "(#131056) pair rate limit hit", code: 131056 } });
    expect(describeMetaError(pair, "sending the test message", "send_failed")).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/Wait a minute/) });
    const down = classify(503, { error: { message: "(#131016) Service unavailable", code: 131016 } });
    expect(describeMetaError(down, "sending the test message", "send_failed")).toMatchObject({ code: "meta_unavailable" });
  });

  it("131008 quotes Meta's details (which parameter) and says it is the app's fault", () => {
    const error = classify(400, { error: { message: "(#131008) Required parameter is missing", code: 131008, error_data: { details: "The parameter template.name is required." } } });
    expect(describeMetaError(error, "sending the test message", "send_failed").message).toMatch(/Meta says: The parameter template\.name is required\.\)\. This is a fault in the app/);
  });
});
