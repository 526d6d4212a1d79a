import { describe, expect, it } from "vitest";
import { CatalogAction, parseCatalogAction } from "./catalog/actions.server";
import { firstProblem, merchantErrors } from "./form-errors";
import { invalidInput, parseWhatsAppAction } from "./whatsapp/actions.server";

/** Issue 16: a refused input is worded for the merchant on every form, never as zod's "Too big: expected string…". */
describe("refused inputs in the merchant's words", () => {
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return data;
  };

  it("a token over the limit names the field and the limit", () => {
    expect(parseCatalogAction(form({ intent: "connect-token", token: "EAA".repeat(400) }))).toEqual({ error: "The access token is too long: at most 1000 characters." });
  });

  it("a schema's own message still wins (a short token, a catalog not chosen)", () => {
    expect(parseCatalogAction(form({ intent: "connect-token", token: "EAA" }))).toEqual({ error: "Paste the whole access token" });
    expect(parseCatalogAction(form({ intent: "choose-catalog", catalogId: "x" }))).toEqual({ error: "Choose a catalog" });
  });

  it("a field the page sends itself (an unknown intent, a missing code) says to reload, without zod's words", () => {
    for (const fields of [{ intent: "nope" }, { intent: "connect-code" }, {}] as Record<string, string>[]) {
      const parsed = parseCatalogAction(form(fields));
      expect("error" in parsed && parsed.error).toBe("This page sent something the app did not expect. Reload the page and try again.");
    }
  });

  it("WhatsApp actions: the recipient keeps its format hint; the product choice is counted; nothing echoes the input", () => {
    const words = (body: unknown) => {
      const parsed = parseWhatsAppAction(body);
      if (parsed.success) throw new Error("accepted");
      const result = invalidInput(parsed.error);
      return result.ok ? "" : result.failure.message;
    };
    expect(words({ intent: "send-test", to: "hello<script>" })).toBe("Enter the number in international format, e.g. +14155550123");
    expect(words({ intent: "send-product", productIds: [] })).toBe("Products to send: choose at least 1.");
    expect(words({ intent: "send-product", productIds: Array.from({ length: 31 }, (_, i) => String(i + 1)) })).toBe("Products to send: choose at most 30.");
    expect(words({ intent: "send-test" })).toBe("The recipient's number is missing: fill it in.");
    expect(words({ intent: "connect", code: "x".repeat(5000) })).toBe("This page sent something the app did not expect. Reload the page and try again.");
    for (const body of [{ intent: "send-test", to: "x".repeat(50) }, { intent: "choose-number", phoneNumberId: "<b>" }]) expect(words(body)).not.toMatch(/Too big|expected|<b>|xxxx/);
  });

  it("every zod message the maps produce is one of the merchant's", () => {
    const parsed = CatalogAction.safeParse({ intent: "connect-token", token: 5 }, { error: merchantErrors({ token: "The access token" }) });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(firstProblem(parsed.error)).toBe("The access token is not valid. Reload the page and try again.");
  });
});
