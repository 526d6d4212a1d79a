import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classify, PermissionMissing, RateLimited, Rejected, TokenInvalid, Transient } from "../../app/meta/errors";
import {
  parseBatchStatus,
  parseCommerceSettings,
  parseDebugToken,
  parseItemReviewPage,
  parseItemsBatch,
  parseLinkedCatalogPage,
  parseMessageSend,
  parsePhoneNumber,
  parsePhoneNumberPage,
  parseSuccess,
  parseTemplatePage,
  parseTokenExchange,
} from "../../app/meta/parsers";
import { grantFrom, reaches, wabaCandidates } from "../../app/whatsapp/scopes";
import { embeddedSignupToken } from "../helpers/whatsapp";
import { createMetaSimulator, type MetaSimulator } from "./index";
import type { Scenario } from "./control";
import { graph, validItem, type GraphAnswer } from "./testing";

/**
 * test/fixtures/meta/*.json hold responses exactly as Meta documents them
 * (each names its source). Each is parsed with the client's parsers, and the
 * simulator's answer to the same call must have the same keys and types,
 * so neither the client nor the simulator can drift from the documented API.
 */

interface Fixture {
  source: string;
  endpoint: string;
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

const DIR = path.resolve(import.meta.dirname, "../fixtures/meta");
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), "utf8")) as Fixture;

type Shape = string | { array: Shape } | { [key: string]: Shape };

/** Keys and value types, recursively; array elements merged; ids as keys (usage headers) normalised. */
function shapeOf(value: unknown, idKeys = false): Shape {
  if (value === null) return "null";
  if (Array.isArray(value)) {
    if (value.length === 0) return { array: "empty" };
    const shapes = value.map((v) => shapeOf(v));
    if (shapes.every((sh) => typeof sh === "object" && !("array" in sh))) {
      return { array: Object.assign({}, ...(shapes as Array<Record<string, Shape>>).reverse()) as Shape };
    }
    return { array: shapes[0] };
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [idKeys && /^\d+$/.test(k) ? "<id>" : k, shapeOf(v)]);
    return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
  }
  return typeof value;
}

let sim: MetaSimulator;
let s: Scenario;

beforeAll(async () => {
  sim = await createMetaSimulator({ config: { batchDelayMs: 0 } });
  s = sim.control.seedScenario();
});
afterAll(() => sim.close());

const PHONE_FIELDS =
  "id,display_phone_number,verified_name,status,name_status,quality_rating,code_verification_status,whatsapp_business_manager_messaging_limit,throughput,account_mode,platform_type";

async function pushBatch(requests: unknown[]) {
  return graph(sim, "POST", `/${s.catalogId}/items_batch`, { token: s.catalogToken, json: { item_type: "PRODUCT_ITEM", allow_upsert: true, requests } });
}

/** The simulator's answer to the call each fixture records. */
const simulate: Record<string, () => Promise<GraphAnswer>> = {
  "oauth-access-token": () => {
    const token = sim.control.seedToken({ scopes: ["whatsapp_business_management"], expiresIn: 5183944 });
    const code = sim.control.issueAuthCode({ token });
    return graph(sim, "GET", "/oauth/access_token", { query: { client_id: sim.appId, client_secret: sim.appSecret, code } });
  },
  "oauth-access-token-bad-code": () =>
    graph(sim, "GET", "/oauth/access_token", { query: { client_id: sim.appId, client_secret: sim.appSecret, code: "AQnot-a-code" } }),
  "debug-token": () => graph(sim, "GET", "/debug_token", { token: `${sim.appId}|${sim.appSecret}`, query: { input_token: s.wabaToken } }),
  "debug-token-embedded-signup-2026": () => {
    const token = sim.control.seedToken(embeddedSignupToken(s.businessId, [s.wabaId]));
    return graph(sim, "GET", "/debug_token", { token: `${sim.appId}|${sim.appSecret}`, query: { input_token: token } });
  },
  "message-templates": () => graph(sim, "GET", `/${s.wabaId}/message_templates`, { token: s.wabaToken }),
  "phone-numbers": () => graph(sim, "GET", `/${s.wabaId}/phone_numbers`, { token: s.wabaToken }),
  "phone-number": () => graph(sim, "GET", `/${s.phoneNumberId}`, { token: s.wabaToken, query: { fields: PHONE_FIELDS } }),
  "phone-number-messaging-limit": () =>
    graph(sim, "GET", `/${s.phoneNumberId}`, { token: s.wabaToken, query: { fields: "whatsapp_business_manager_messaging_limit" } }),
  success: () => graph(sim, "POST", `/${s.wabaId}/subscribed_apps`, { token: s.wabaToken }),
  "messages-send": () =>
    graph(sim, "POST", `/${s.phoneNumberId}/messages`, {
      token: s.wabaToken,
      json: { messaging_product: "whatsapp", to: "+1 555 123 4567", type: "template", template: { name: "hello_world", language: { code: "en_US" } } },
    }),
  "items-batch": () => pushBatch([{ method: "CREATE", data: { title: "no id" } }, { method: "UPDATE", data: validItem("ok") }]),
  "check-batch-status": async () => {
    const res = await pushBatch([{ method: "UPDATE", data: validItem("ok") }, { method: "UPDATE", data: validItem("bad", { price: "12,34" }) }]);
    const handle = (res.body.handles as string[])[0];
    return graph(sim, "GET", `/${s.catalogId}/check_batch_request_status`, { token: s.catalogToken, query: { handle, load_ids_of_invalid_requests: "true" } });
  },
  "error-token-invalid-460": async () => {
    const token = sim.control.seedToken({ scopes: ["whatsapp_business_management"] });
    sim.faults.invalidateToken(token, 460);
    return graph(sim, "GET", `/${s.phoneNumberId}`, { token });
  },
  "error-throttled-80014": async () => {
    sim.faults.add({ kind: "throttle", endpoint: "POST /{catalog-id}/items_batch", regainMinutes: 12, times: 1 });
    return pushBatch([{ method: "UPDATE", data: validItem("t") }]);
  },
  "error-permission-200": async () => {
    const token = sim.control.seedToken({ scopes: ["business_management"] });
    return graph(sim, "POST", `/${s.catalogId}/items_batch`, { token, json: { item_type: "PRODUCT_ITEM", requests: [] } });
  },
  "error-appsecret-proof-required": async () => {
    sim.control.configure({ requireAppSecretProof: true });
    try {
      return await graph(sim, "GET", `/${s.wabaId}/phone_numbers`, { token: s.wabaToken });
    } finally {
      sim.control.configure({ requireAppSecretProof: false });
    }
  },
  "whatsapp-commerce-settings": () => graph(sim, "GET", `/${s.phoneNumberId}/whatsapp_commerce_settings`, { token: s.wabaToken }),
  "waba-product-catalogs": () => {
    const token = sim.control.seedToken({ scopes: ["whatsapp_business_management", "catalog_management"] });
    return graph(sim, "GET", `/${s.wabaId}/product_catalogs`, { token });
  },
  "error-products-not-found-131009": async () => {
    sim.control.receiveMessage({ phoneNumberId: s.phoneNumberId, from: "+16505551234" });
    sim.control.setLinkedCatalog(s.wabaId, s.catalogId);
    try {
      return await graph(sim, "POST", `/${s.phoneNumberId}/messages`, {
        token: s.wabaToken,
        json: { messaging_product: "whatsapp", to: "+16505551234", type: "interactive", interactive: { type: "product", action: { catalog_id: s.catalogId, product_retailer_id: "not-in-catalog" } } },
      });
    } finally {
      sim.control.setLinkedCatalog(s.wabaId, null);
    }
  },
  "catalog-products-review": async () => {
    await pushBatch([
      { method: "UPDATE", data: validItem("review-ok") },
      { method: "UPDATE", data: validItem("review-image", { image_link: "https://unreachable.example/review-image.jpg" }) },
    ]);
    const filter = JSON.stringify({ retailer_id: { is_any: ["review-ok", "review-image"] } });
    return graph(sim, "GET", `/${s.catalogId}/products`, { token: s.catalogToken, query: { fields: "id,errors", filter } });
  },
  "error-transient-2": async () => {
    sim.faults.add({ kind: "error", endpoint: "GET /{catalog-id}/check_batch_request_status", times: 1 });
    return graph(sim, "GET", `/${s.catalogId}/check_batch_request_status`, { token: s.catalogToken, query: { handle: "h" } });
  },
};

/** What the client's parsers make of each fixture. */
const parse: Record<string, (f: Fixture) => void> = {
  "oauth-access-token": (f) => {
    const result = parseTokenExchange(f.body);
    expect(result.token.reveal()).toBe(f.body.access_token);
    expect(result).toMatchObject({ tokenType: "bearer", expiresIn: 5183944 });
  },
  "debug-token": (f) => {
    expect(parseDebugToken(f.body)).toEqual({
      isValid: true,
      appId: "1234567890123456",
      expiresAt: null,
      dataAccessExpiresAt: null,
      scopes: ["whatsapp_business_management", "whatsapp_business_messaging", "business_management"],
      granularScopes: [
        { scope: "whatsapp_business_management", targetIds: ["104996229198612", "102290129340398"] },
        { scope: "whatsapp_business_messaging", targetIds: ["104996229198612", "102290129340398"] },
        { scope: "business_management", targetIds: ["930391148371623"] },
      ],
      userId: "122098714388020215",
      type: "SYSTEM_USER",
      error: null,
    });
  },
  "debug-token-embedded-signup-2026": (f) => {
    const info = parseDebugToken(f.body);
    const grant = grantFrom(info.scopes, info.granularScopes);
    // No whatsapp_business_management: the account is still found, and reached.
    expect(info.scopes).not.toContain("whatsapp_business_management");
    expect(wabaCandidates(grant)).toEqual(["1008623294902137"]);
    expect(reaches(grant, "1008623294902137")).toBe(true);
  },
  "message-templates": (f) => {
    const page = parseTemplatePage(f.body);
    expect(page.items).toEqual([{ id: "920070352646140", name: "hello_world", language: "en_US", status: "APPROVED" }]);
    expect(page.after).toBeNull();
  },
  "phone-numbers": (f) => {
    const page = parsePhoneNumberPage(f.body);
    expect(page.after).toBeNull();
    expect(page.items).toEqual([expect.objectContaining({ id: "106540352242922", displayPhoneNumber: "+1 555-010-0001", qualityRating: "GREEN", status: null })]);
  },
  "phone-number": (f) => {
    expect(parsePhoneNumber(f.body)).toEqual({
      id: "106540352242922",
      displayPhoneNumber: "+1 555-010-0001",
      verifiedName: "Example Shop",
      status: "CONNECTED",
      nameStatus: "APPROVED",
      qualityRating: "GREEN",
      codeVerificationStatus: "VERIFIED",
      messagingLimit: "TIER_2K",
      throughputLevel: "STANDARD",
      accountMode: "LIVE",
      platformType: "CLOUD_API",
    });
  },
  "phone-number-messaging-limit": (f) => {
    expect(parsePhoneNumber(f.body)).toMatchObject({ id: "106540352242922", messagingLimit: "TIER_250" });
  },
  success: (f) => expect(parseSuccess(f.body)).toBe(true),
  "messages-send": (f) => {
    expect(parseMessageSend(f.body)).toEqual({ wamid: "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", waId: "15551234567", messageStatus: null });
  },
  "items-batch": (f) => {
    const result = parseItemsBatch(f.body);
    expect(result.handles).toHaveLength(1);
    expect(result.validationStatus).toEqual([{ retailerId: null, errors: ['Required field "id" is missing.'], warnings: [] }]);
  },
  "whatsapp-commerce-settings": (f) => {
    expect(parseCommerceSettings(f.body)).toEqual({ id: "527759822865714", cartEnabled: true, catalogVisible: true });
  },
  "waba-product-catalogs": (f) => {
    expect(parseLinkedCatalogPage(f.body)).toEqual({ items: [], after: null });
  },
  "catalog-products-review": (f) => {
    const page = parseItemReviewPage({ data: (f.body.data as object[]).map((d, i) => ({ retailer_id: `r${i}`, ...d })) });
    expect(page.items[0].issues).toEqual([]);
    expect(page.items[1].issues).toEqual([
      {
        type: "IMAGE_RESOLUTION_LOW",
        priority: "HIGH",
        title: "Missing or invalid images",
        description: "The main image of this item cannot be displayed.",
        callToAction: "After you've made changes, save the image under a different link (URL) and provide the new link.",
      },
    ]);
  },
  "check-batch-status": (f) => {
    const handle = (f.body.data as Array<{ handle: string }>)[0].handle;
    expect(parseBatchStatus(f.body, handle)).toEqual({
      handle,
      status: "finished",
      done: true,
      errorsTotalCount: 1,
      errors: [{ retailerId: "gid-8123-456", line: 2, message: expect.stringContaining("Invalid price") }],
      warningsTotalCount: 0,
      warnings: [],
      idsOfInvalidRequests: ["gid-8123-456"],
    });
  },
};

const ERROR_CLASS: Record<string, new (...args: never[]) => Error> = {
  "oauth-access-token-bad-code": Rejected,
  "error-token-invalid-460": TokenInvalid,
  "error-throttled-80014": RateLimited,
  "error-permission-200": PermissionMissing,
  "error-appsecret-proof-required": Rejected,
  "error-transient-2": Transient,
  "error-products-not-found-131009": Rejected,
};

const names = fs.readdirSync(DIR).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));

describe("recorded shapes", () => {
  it("every fixture is covered", () => {
    expect(names.sort()).toEqual(Object.keys(simulate).sort());
    for (const name of names) expect(Boolean(parse[name]) !== Boolean(ERROR_CLASS[name])).toBe(true);
  });

  describe.each(names)("%s", (name) => {
    const f = fixture(name);

    it("is parsed by the client", () => {
      if (parse[name]) return parse[name](f);
      const err = classify(f.status, f.body, f.headers, { endpoint: f.endpoint });
      expect(err).toBeInstanceOf(ERROR_CLASS[name]);
      const envelope = f.body.error as Record<string, unknown>;
      expect(err).toMatchObject({ code: envelope.code, fbtraceId: envelope.fbtrace_id, endpoint: f.endpoint });
      if (err instanceof TokenInvalid) expect(err).toMatchObject({ subcode: 460, reason: "the password of the Meta account changed" });
      if (err instanceof RateLimited) expect(err.retryAfterMs).toBe(12 * 60_000);
      if (err instanceof PermissionMissing) expect(err.permission).toBe("catalog_management");
      if (name === "error-products-not-found-131009") expect(err.details).toBe("Products not found in FB Catalog");
    });

    it("matches the simulator's answer to the same call", async () => {
      const answer = await simulate[name]();
      expect(shapeOf(answer.body)).toEqual(shapeOf(f.body));
      expect(answer.status >= 400).toBe(f.status >= 400);
      for (const [header, value] of Object.entries(f.headers ?? {})) {
        expect(shapeOf(JSON.parse(answer.headers.get(header) ?? "null"), true)).toEqual(shapeOf(JSON.parse(value), true));
      }
      if (ERROR_CLASS[name]) {
        const simErr = classify(answer.status, answer.body, answer.headers, { endpoint: f.endpoint });
        expect(simErr).toBeInstanceOf(ERROR_CLASS[name]);
        expect(simErr.constructor).toBe(classify(f.status, f.body, f.headers).constructor);
      }
    });
  });
});
