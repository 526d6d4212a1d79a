import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_BATCH_REQUESTS } from "../../app/meta/client.server";
import { Rejected } from "../../app/meta/errors";
import { asSecret } from "../../app/meta/secret";
import { createMetaSimulator, type MetaSimulator } from "./index";
import type { Scenario } from "./control";
import { clientFor, validItem } from "./testing";

/** The client against a live simulator: every method, happy paths and paging. */

let sim: MetaSimulator;
let s: Scenario;
const waba = () => asSecret(s.wabaToken);
const catalog = () => asSecret(s.catalogToken);

beforeAll(async () => {
  sim = await createMetaSimulator({ appId: "987654321098765", appSecret: "contract-app-secret-42", config: { batchDelayMs: 150 } });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  s = sim.control.seedScenario({ displayPhoneNumber: "+1 555-010-7777", verifiedName: "Contract Shop" });
});

describe("tokens", () => {
  it("exchanges an SDK code (no redirect_uri) for a sealed token", async () => {
    const token = sim.control.seedToken({ scopes: ["whatsapp_business_management"] });
    const code = sim.control.issueAuthCode({ token });
    const { client } = clientFor(sim);
    const result = await client.exchangeCode(code);
    expect(result.token.reveal()).toBe(token);
    expect(result.tokenType).toBe("bearer");
    expect(result.expiresIn).toBeNull();
    expect(JSON.stringify(result)).not.toContain(token);
    expect(`${result.token}`).toBe("[redacted]");
  });

  it("exchanges a dialog code with exactly the dialog's redirect_uri, and reports expires_in", async () => {
    const token = sim.control.seedToken({ scopes: ["catalog_management"], expiresIn: 5_183_944 });
    const redirectUri = "https://app.example/meta/oauth/callback";
    const { client } = clientFor(sim);
    await expect(client.exchangeCode(sim.control.issueAuthCode({ token, redirectUri }))).rejects.toBeInstanceOf(Rejected);
    const result = await client.exchangeCode(sim.control.issueAuthCode({ token, redirectUri }), { redirectUri });
    expect(result.expiresIn).toBe(5_183_944);
  });

  it("refuses a used or expired code (code 100, not retried)", async () => {
    const token = sim.control.seedToken();
    const { client } = clientFor(sim);
    const code = sim.control.issueAuthCode({ token });
    await client.exchangeCode(code);
    await expect(client.exchangeCode(code)).rejects.toMatchObject({ kind: "rejected", code: 100, subcode: 36009 });
    const expired = sim.control.issueAuthCode({ token, ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    await expect(client.exchangeCode(expired)).rejects.toMatchObject({ kind: "rejected", code: 100, subcode: 36007 });
    expect(sim.control.callCounts()["GET /oauth/access_token"]).toBe(3);
  });

  it("inspects a token: validity, scopes and granular target ids", async () => {
    const { client } = clientFor(sim);
    const info = await client.debugToken(waba());
    expect(info).toMatchObject({ isValid: true, appId: sim.appId, expiresAt: null, type: "SYSTEM_USER", error: null });
    expect(info.scopes).toEqual(["whatsapp_business_management", "whatsapp_business_messaging", "business_management"]);
    expect(info.granularScopes).toContainEqual({ scope: "whatsapp_business_management", targetIds: [s.wabaId] });
    expect(info.userId).toMatch(/^\d+$/);
  });

  it("reports an invalidated token as invalid with its subcode", async () => {
    sim.faults.invalidateToken(s.wabaToken, 460);
    const { client } = clientFor(sim);
    const info = await client.debugToken(waba());
    expect(info.isValid).toBe(false);
    expect(info.error).toMatchObject({ code: 190, subcode: 460 });
    expect((await client.debugToken(asSecret("EAAnotAtokenTheSimulatorKnows123456"))).isValid).toBe(false);
  });

  it("needs the app credentials for exchange and debug_token", async () => {
    const { client } = clientFor(sim, { appSecret: "" });
    await expect(client.debugToken(waba())).rejects.toThrow("META_APP_ID and META_APP_SECRET must be set");
  });
});

describe("WhatsApp", () => {
  it("lists phone numbers across pages with their health fields", async () => {
    for (let i = 0; i < 130; i++) sim.control.seedPhoneNumber({ wabaId: s.wabaId, displayPhoneNumber: `+1 555-020-${String(i).padStart(4, "0")}` });
    const { client } = clientFor(sim);
    const numbers = await client.listPhoneNumbers(waba(), s.wabaId);
    expect(numbers).toHaveLength(131);
    expect(new Set(numbers.map((n) => n.id)).size).toBe(131);
    expect(numbers[0]).toEqual({
      id: s.phoneNumberId,
      displayPhoneNumber: "+1 555-010-7777",
      verifiedName: "Contract Shop",
      status: "CONNECTED",
      nameStatus: "APPROVED",
      qualityRating: "GREEN",
      codeVerificationStatus: "VERIFIED",
      messagingLimit: "TIER_2K",
      throughputLevel: "STANDARD",
      accountMode: "LIVE",
      platformType: "CLOUD_API",
    });
    expect(sim.control.callCounts()["GET /{waba-id}/phone_numbers"]).toBe(2);
  });

  it("reads one number's health, with its business portfolio's messaging limit", async () => {
    const risky = sim.control.seedPhoneNumber({ wabaId: s.wabaId, status: "FLAGGED", qualityRating: "RED" });
    sim.control.setMessagingLimit(s.businessId, "TIER_250");
    const { client } = clientFor(sim);
    expect(await client.getPhoneNumber(waba(), risky.id)).toMatchObject({ status: "FLAGGED", qualityRating: "RED", messagingLimit: "TIER_250" });
  });

  it("asks v24+ for whatsapp_business_manager_messaging_limit and older versions for messaging_limit_tier", async () => {
    sim.control.setMessagingLimit(s.businessId, "TIER_100K");
    for (const version of ["v25.0", "v23.0"]) {
      const { client, logLines } = clientFor(sim, { version });
      expect((await client.getPhoneNumber(waba(), s.phoneNumberId)).messagingLimit).toBe("TIER_100K");
      // One call each: the field asked for exists on that version.
      expect(logLines().filter((l) => l.msg === "meta graph call")).toHaveLength(1);
    }
  });

  it("drops an optional field the Graph version does not know, and remembers it", async () => {
    sim.control.configure({ unsupportedFields: ["whatsapp_business_manager_messaging_limit"] });
    const { client } = clientFor(sim);
    expect((await client.getPhoneNumber(waba(), s.phoneNumberId)).messagingLimit).toBeNull();
    expect(sim.control.callCounts()["GET /{phone-number-id}"]).toBe(2);
    await client.getPhoneNumber(waba(), s.phoneNumberId);
    expect(sim.control.callCounts()["GET /{phone-number-id}"]).toBe(3);
  });

  it("reads the WABA and its owner business (or null when the field is unknown)", async () => {
    const { client } = clientFor(sim);
    expect(await client.getWaba(waba(), s.wabaId)).toEqual({
      id: s.wabaId,
      name: "Simulated WABA",
      ownerBusiness: { id: s.businessId, name: "Simulated Business" },
    });
    sim.control.configure({ unsupportedFields: ["owner_business_info"] });
    expect((await clientFor(sim).client.getWaba(waba(), s.wabaId)).ownerBusiness).toBeNull();
  });

  it("registers a number with a PIN, idempotently, and refuses a different PIN", async () => {
    const fresh = sim.control.seedPhoneNumber({ wabaId: s.wabaId });
    const { client } = clientFor(sim);
    await client.registerPhoneNumber(waba(), fresh.id, asSecret("123456"));
    await client.registerPhoneNumber(waba(), fresh.id, asSecret("123456"));
    expect(sim.control.phoneNumber(fresh.id)).toMatchObject({ registered: true, pin: "123456" });
    await expect(client.registerPhoneNumber(waba(), fresh.id, asSecret("654321"))).rejects.toMatchObject({ kind: "rejected", code: 133005 });
    await expect(client.registerPhoneNumber(waba(), fresh.id, asSecret("12"))).rejects.toBeInstanceOf(TypeError);
  });

  it("sets a number's two-step PIN, after which only that PIN registers it", async () => {
    const fresh = sim.control.seedPhoneNumber({ wabaId: s.wabaId, pin: "999999" });
    const { client } = clientFor(sim);
    await expect(client.registerPhoneNumber(waba(), fresh.id, asSecret("123456"))).rejects.toMatchObject({ code: 133005 });
    await client.setTwoStepPin(waba(), fresh.id, asSecret("123456"));
    await client.registerPhoneNumber(waba(), fresh.id, asSecret("123456"));
    expect(sim.control.phoneNumber(fresh.id)).toMatchObject({ registered: true, pin: "123456" });
    await expect(client.setTwoStepPin(waba(), fresh.id, asSecret("12"))).rejects.toBeInstanceOf(TypeError);
  });

  it("subscribes the app to the WABA, and unsubscribes it", async () => {
    const other = sim.control.seedWaba({ businessId: s.businessId });
    const token = sim.control.seedToken({ scopes: ["whatsapp_business_management"], granular: { whatsapp_business_management: [other.id] } });
    const { client } = clientFor(sim);
    await client.subscribeApp(asSecret(token), other.id);
    expect(sim.state.wabas.get(other.id)!.subscribedApps.has(sim.appId)).toBe(true);
    await client.unsubscribeApp(asSecret(token), other.id);
    expect(sim.state.wabas.get(other.id)!.subscribedApps.has(sim.appId)).toBe(false);
  });

  it("sends template and text messages", async () => {
    const { client } = clientFor(sim);
    const template = await client.sendTemplateMessage(waba(), s.phoneNumberId, "+1 (555) 123-4567", { name: "hello_world", languageCode: "en_US" });
    expect(template.wamid).toMatch(/^wamid\./);
    expect(template.waId).toBe("15551234567");
    const text = await client.sendTextMessage(waba(), s.phoneNumberId, "15551234567", "Hi there");
    expect(sim.control.messages().map((m) => [m.wamid, m.type, m.text ?? m.template?.name])).toEqual([
      [template.wamid, "template", "hello_world"],
      [text.wamid, "text", "Hi there"],
    ]);
  });
});

describe("catalogs", () => {
  it("lists owned and client catalogs, merged and de-duplicated, across pages", async () => {
    for (let i = 0; i < 120; i++) sim.control.seedCatalog({ businessId: s.businessId, name: `Owned ${i}` });
    const shared = sim.control.seedCatalog({ businessId: s.businessId, relation: "client", name: "Agency catalog" });
    const token = sim.control.seedToken({ scopes: ["catalog_management"] });
    const { client } = clientFor(sim);
    const catalogs = await client.listCatalogs(asSecret(token), s.businessId);
    expect(catalogs).toHaveLength(122);
    expect(catalogs.at(-1)).toEqual({ id: shared.id, name: "Agency catalog", relation: "client", productCount: 0, vertical: "commerce" });
    // A grant limited to one catalog only shows that one.
    expect((await client.listCatalogs(catalog(), s.businessId)).map((c) => c.id)).toEqual([s.catalogId]);
  });

  it("pushes a batch, reports per-item problems, and applies the valid items when it finishes", async () => {
    const { client } = clientFor(sim);
    const result = await client.itemsBatch(catalog(), s.catalogId, [
      { method: "UPDATE", data: validItem("sku-1") },
      { method: "UPDATE", data: validItem("sku-2", { price: "12,34" }) },
      { method: "CREATE", data: { id: "", title: "no id" } },
    ]);
    expect(result.handles).toHaveLength(1);
    expect(result.validationStatus).toEqual([{ retailerId: null, errors: ['Required field "id" is missing.'], warnings: [] }]);
    const handle = result.handles[0];
    expect(await client.checkBatchStatus(catalog(), s.catalogId, handle)).toMatchObject({ status: "started", done: false });
    await new Promise((r) => setTimeout(r, 200));
    const status = await client.checkBatchStatus(catalog(), s.catalogId, handle);
    expect(status).toMatchObject({ handle, status: "finished", done: true, errorsTotalCount: 1, idsOfInvalidRequests: ["sku-2"] });
    expect(status.errors).toEqual([{ retailerId: "sku-2", line: 2, message: expect.stringContaining('Invalid price "12,34"') }]);
    expect(sim.control.catalogItems(s.catalogId).map((i) => i.id)).toEqual(["sku-1"]);
  });

  it("lists every item of a catalog across pages", async () => {
    const { client } = clientFor(sim);
    await client.itemsBatch(catalog(), s.catalogId, ["a", "b", "c", "d", "e"].map((id) => ({ method: "CREATE" as const, data: validItem(id) })));
    await new Promise((r) => setTimeout(r, 200));
    const items = await client.listCatalogItems(catalog(), s.catalogId, { pageSize: 2 });
    expect(items.map((i) => i.retailerId)).toEqual(["a", "b", "c", "d", "e"]);
    expect(sim.control.callCounts()["GET /{catalog-id}/products"]).toBe(3);
  });

  it("refuses more than 5,000 requests (or none) before any call", async () => {
    const { client } = clientFor(sim);
    const tooMany = Array.from({ length: MAX_BATCH_REQUESTS + 1 }, (_, i) => ({ method: "DELETE" as const, data: { id: `x${i}` } }));
    await expect(client.itemsBatch(catalog(), s.catalogId, tooMany)).rejects.toBeInstanceOf(RangeError);
    await expect(client.itemsBatch(catalog(), s.catalogId, [])).rejects.toBeInstanceOf(RangeError);
    expect(sim.control.callCounts()["POST /{catalog-id}/items_batch"]).toBeUndefined();
    const max = await client.itemsBatch(catalog(), s.catalogId, tooMany.slice(1));
    expect(max.handles).toHaveLength(1);
  });

  it("refuses ids that could change the endpoint", async () => {
    const { client } = clientFor(sim);
    await expect(client.checkBatchStatus(catalog(), "../me", "h")).rejects.toBeInstanceOf(TypeError);
  });
});

describe("usage", () => {
  it("records the usage headers of each call, per app and business", async () => {
    sim.control.configure({ usageLimitPerWindow: 4 });
    const { client } = clientFor(sim);
    await client.getPhoneNumber(waba(), s.phoneNumberId);
    expect(client.shouldSlowDown()).toBe(false);
    await client.getPhoneNumber(waba(), s.phoneNumberId);
    await client.getPhoneNumber(waba(), s.phoneNumberId);
    expect(client.usage()).toContainEqual(expect.objectContaining({ source: "business", id: s.businessId, callCount: 75 }));
    expect(client.shouldSlowDown()).toBe(false);
    await client.getPhoneNumber(waba(), s.phoneNumberId);
    expect(client.shouldSlowDown()).toBe(true);
    expect(client.shouldSlowDown({ id: s.businessId })).toBe(true);
  });
});
