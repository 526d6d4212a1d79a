import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMetaSimulator, DEFAULT_REQUIRED_ITEM_FIELDS, type MetaSimulator } from "./index";
import type { Scenario } from "./control";
import { graph, validItem } from "./testing";

/** The simulator refuses what Meta refuses, with Meta's error envelope. */

let sim: MetaSimulator;
let s: Scenario;

beforeAll(async () => {
  sim = await createMetaSimulator({ config: { batchDelayMs: 0 } });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  s = sim.control.seedScenario();
});

const batch = (requests: unknown, extra: Record<string, unknown> = {}) =>
  graph(sim, "POST", `/${s.catalogId}/items_batch`, { token: s.catalogToken, json: { item_type: "PRODUCT_ITEM", allow_upsert: true, requests, ...extra } });

async function statusOf(handle: string) {
  const res = await graph(sim, "GET", `/${s.catalogId}/check_batch_request_status`, {
    token: s.catalogToken,
    query: { handle, load_ids_of_invalid_requests: "true" },
  });
  return (res.body.data as Array<Record<string, unknown>>)[0];
}

async function pushOne(item: Record<string, unknown>, method = "UPDATE") {
  const res = await batch([{ method, data: item }]);
  expect(res.status).toBe(200);
  return statusOf((res.body.handles as string[])[0]);
}

function expectEnvelope(body: Record<string, unknown>, code: number, subcode?: number) {
  const error = body.error as Record<string, unknown>;
  expect(Object.keys(error).sort()).toEqual(["code", "fbtrace_id", "message", "type", ...(subcode !== undefined ? ["error_subcode"] : [])].sort());
  expect(error.code).toBe(code);
  if (subcode !== undefined) expect(error.error_subcode).toBe(subcode);
  expect(typeof error.message).toBe("string");
  expect(typeof error.fbtrace_id).toBe("string");
  return error;
}

describe("catalog items", () => {
  it("saves a valid item", async () => {
    const status = await pushOne(validItem("ok-1"));
    expect(status).toMatchObject({ status: "finished", errors_total_count: 0, errors: [], ids_of_invalid_requests: [] });
    expect(sim.control.catalogItem(s.catalogId, "ok-1")).toEqual(validItem("ok-1"));
  });

  it.each(DEFAULT_REQUIRED_ITEM_FIELDS.filter((f) => f !== "id"))("refuses an item without %s, and does not save it", async (field) => {
    const item: Record<string, unknown> = validItem("missing");
    delete item[field];
    const status = await pushOne(item);
    expect(status.errors).toEqual([{ line: 1, id: "missing", message: `Required field "${field}" is missing.` }]);
    expect(status.ids_of_invalid_requests).toEqual(["missing"]);
    expect(sim.control.catalogItem(s.catalogId, "missing")).toBeUndefined();
  });

  it.each([
    ["price", "12.34", "Invalid price"],
    ["price", "12,34 EUR", "Invalid price"],
    ["price", "$12.34", "Invalid price"],
    ["price", 1234, "Invalid price"],
    ["sale_price", "9.999 USD", "Invalid sale_price"],
    ["availability", "maybe", "Invalid availability"],
    ["availability", "In Stock", "Invalid availability"],
    ["condition", "broken", "Invalid condition"],
    ["image_link", "ftp://cdn.example/a.jpg", "Invalid image_link"],
    ["image_link", "/relative.jpg", "Invalid image_link"],
    ["link", "shop.example/p", "Invalid link"],
    ["inventory", "3.5", "Invalid inventory"],
    ["title", "x".repeat(201), 'Field "title" is longer than 200'],
    ["additional_image_link", Array.from({ length: 21 }, (_, i) => `https://cdn.example/${i}.jpg`), "more than 20 images"],
    ["additional_image_link", Array.from({ length: 20 }, (_, i) => `https://cdn.example/${"p".repeat(100)}/${i}.jpg`), "longer than 2000 characters"],
    ["additional_image_link", "https://cdn.example/a b.jpg", "Invalid additional_image_link"],
    ["gender", "Men", "Invalid gender"],
    ["gender", "Female", "Invalid gender"],
    ["age_group", "children", "Invalid age_group"],
    ["color", "c".repeat(201), 'Field "color" is longer than 200'],
    ["size", "s".repeat(201), 'Field "size" is longer than 200'],
    ["material", "m".repeat(201), 'Field "material" is longer than 200'],
    ["pattern", "p".repeat(101), 'Field "pattern" is longer than 100'],
    ["brand", "b".repeat(101), 'Field "brand" is longer than 100'],
    ["description", "d".repeat(10_000), 'Field "description" is longer than 9999'],
    ["item_group_id", "g".repeat(101), 'Field "item_group_id" is longer than 100'],
    ["quantity_to_sell_on_facebook", 2.5, "Invalid quantity_to_sell_on_facebook"],
  ])("refuses %s = %j", async (field, value, message) => {
    const status = await pushOne(validItem("bad", { [field]: value }));
    expect(status.errors_total_count).toBe(1);
    expect((status.errors as Array<{ message: string }>)[0].message).toContain(message);
    expect(sim.control.catalogItem(s.catalogId, "bad")).toBeUndefined();
  });

  it("accepts Meta's gender and age group values and the longest documented texts", async () => {
    const status = await pushOne(
      validItem("enums", { gender: "unisex", age_group: "all ages", color: "c".repeat(200), size: "s".repeat(200), pattern: "p".repeat(100), quantity_to_sell_on_facebook: 3 }),
    );
    expect(status.errors_total_count).toBe(0);
  });

  it("an UPDATE with an empty value removes the field, as Meta's integrations clear one; null is not documented and changes nothing", async () => {
    await pushOne(validItem("c", { sale_price: "9.99 USD", color: "Red", additional_image_link: ["https://cdn.example/c2.jpg"] }));
    await pushOne({ id: "c", sale_price: "", color: null, additional_image_link: [] });
    const saved = sim.control.catalogItem(s.catalogId, "c")!;
    expect(saved).not.toHaveProperty("sale_price");
    expect(saved).not.toHaveProperty("additional_image_link");
    expect(saved.color).toBe("Red");
    // An empty required field is a missing one.
    const status = await pushOne({ id: "c", title: "" });
    expect((status.errors as Array<{ message: string }>)[0].message).toBe('Required field "title" is missing.');
  });

  it("accepts every documented availability and price shape", async () => {
    const availabilities = ["in stock", "out of stock", "preorder", "available for order", "discontinued"];
    const res = await batch(availabilities.map((availability, i) => ({ method: "CREATE", data: validItem(`a${i}`, { availability, price: i % 2 ? "5 EUR" : "1999.99 JPY" }) })));
    expect((await statusOf((res.body.handles as string[])[0])).errors_total_count).toBe(0);
    expect(sim.control.catalogItemCount(s.catalogId)).toBe(5);
  });

  it("refuses a missing or over-long retailer id on the spot (validation_status)", async () => {
    const res = await batch([
      { method: "CREATE", data: { title: "no id" } },
      { method: "CREATE", data: validItem("x".repeat(101)) },
      { method: "CREATE", data: validItem("fine") },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.validation_status).toEqual([
      { retailer_id: "", errors: [{ message: 'Required field "id" is missing.' }], warnings: [] },
      { retailer_id: "x".repeat(101), errors: [{ message: 'Field "id" is longer than 100 characters.' }], warnings: [] },
    ]);
    expect(sim.control.catalogItems(s.catalogId).map((i) => i.id)).toEqual(["fine"]);
  });

  it("UPDATE merges into the saved item; an invalid update leaves it unchanged", async () => {
    await pushOne(validItem("m"));
    await pushOne({ id: "m", price: "20.00 USD", title: "Renamed" });
    expect(sim.control.catalogItem(s.catalogId, "m")).toMatchObject({ price: "20.00 USD", title: "Renamed", brand: "Example" });
    const status = await pushOne({ id: "m", price: "twenty" });
    expect(status.errors_total_count).toBe(1);
    expect(sim.control.catalogItem(s.catalogId, "m")?.price).toBe("20.00 USD");
  });

  it("allow_upsert=false: UPDATE of a missing item and CREATE of an existing one fail", async () => {
    await pushOne(validItem("e"));
    const res = await batch(
      [
        { method: "UPDATE", data: validItem("new") },
        { method: "CREATE", data: validItem("e") },
      ],
      { allow_upsert: false },
    );
    const status = await statusOf((res.body.handles as string[])[0]);
    expect(status.errors).toEqual([
      { line: 1, id: "new", message: 'No item with retailer id "new" to update.' },
      { line: 2, id: "e", message: 'An item with retailer id "e" already exists.' },
    ]);
  });

  it("DELETE removes an item; deleting a missing one is a warning", async () => {
    await pushOne(validItem("d"));
    const res = await batch([{ method: "DELETE", data: { id: "d" } }, { method: "delete", data: { id: "ghost" } }]);
    const status = await statusOf((res.body.handles as string[])[0]);
    expect(status).toMatchObject({ errors_total_count: 0, warnings_total_count: 1 });
    expect(sim.control.catalogItemCount(s.catalogId)).toBe(0);
  });

  it("a batch is 'started' until its delay passes, then 'finished' and applied", async () => {
    sim.control.configure({ batchDelayMs: 150 });
    const res = await batch([{ method: "UPDATE", data: validItem("slow") }]);
    const handle = (res.body.handles as string[])[0];
    expect((await statusOf(handle)).status).toBe("started");
    expect(sim.control.catalogItem(s.catalogId, "slow")).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect((await statusOf(handle)).status).toBe("finished");
    expect(sim.control.catalogItem(s.catalogId, "slow")).toBeDefined();
  });
});

describe("items_batch requests", () => {
  it("takes 5,000 requests and refuses 5,001 with the real envelope", async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ method: "UPDATE", data: validItem(`n${i}`) }));
    const ok = await batch(many(5000));
    expect(ok.status).toBe(200);
    expect(sim.control.catalogItemCount(s.catalogId)).toBe(5000);
    const tooMany = await batch(many(5001));
    expect(tooMany.status).toBe(400);
    expect(expectEnvelope(tooMany.body, 100).message).toContain("at most 5000");
  });

  it("accepts requests as a JSON-encoded string, in form data or JSON", async () => {
    const requests = JSON.stringify([{ method: "UPDATE", data: validItem("f1") }]);
    const form = await graph(sim, "POST", `/${s.catalogId}/items_batch`, {
      form: { access_token: s.catalogToken, item_type: "PRODUCT_ITEM", allow_upsert: "true", requests },
    });
    expect(form.status).toBe(200);
    const asString = await batch(JSON.stringify([{ method: "UPDATE", data: validItem("f2") }]));
    expect(asString.status).toBe(200);
    expect(sim.control.catalogItems(s.catalogId).map((i) => i.id)).toEqual(["f1", "f2"]);
  });

  it.each([
    ["missing", undefined, "requests is required"],
    ["not JSON", "[{oops", "JSON-encoded array"],
    ["an object", { method: "UPDATE" }, "must be an array"],
    ["empty", [], "non-empty"],
    ["a non-object element", ["UPDATE"], "requests[0] must be an object"],
    ["an unknown method", [{ method: "UPSERT", data: { id: "a" } }], "method must be one of"],
    ["an element without data", [{ method: "UPDATE" }], "data is required"],
  ])("refuses requests that are %s", async (_what, requests, message) => {
    const res = await batch(requests);
    expect(res.status).toBe(400);
    expect(expectEnvelope(res.body, 100).message).toContain(message);
  });

  it("needs item_type", async () => {
    const res = await graph(sim, "POST", `/${s.catalogId}/items_batch`, { token: s.catalogToken, json: { requests: [] } });
    expect(expectEnvelope(res.body, 100).message).toContain("item_type is required");
  });

  it("refuses a wrong method, an unknown edge and an unknown object like Graph does", async () => {
    const get = await graph(sim, "GET", `/${s.catalogId}/items_batch`, { token: s.catalogToken });
    expect(get.status).toBe(400);
    expect(expectEnvelope(get.body, 100, 33).message).toMatch(/^Unsupported get request/);
    const edge = await graph(sim, "GET", `/${s.catalogId}/nope`, { token: s.catalogToken });
    expect(expectEnvelope(edge.body, 2500).message).toBe("Unknown path components: /nope");
    const object = await graph(sim, "POST", "/424242/items_batch", { token: s.catalogToken, json: {} });
    expect(expectEnvelope(object.body, 100, 33).message).toContain("Object with ID '424242' does not exist");
  });

  it("needs a handle to report a batch, and knows only its own", async () => {
    const res = await graph(sim, "GET", `/${s.catalogId}/check_batch_request_status`, { token: s.catalogToken });
    expect(expectEnvelope(res.body, 100).message).toContain("handle is required");
    const unknown = await graph(sim, "GET", `/${s.catalogId}/check_batch_request_status`, { token: s.catalogToken, query: { handle: "nope" } });
    expect(expectEnvelope(unknown.body, 100).message).toContain("Invalid handle");
  });
});

describe("tokens and versions", () => {
  const phone = (token?: string, version?: string | null) => graph(sim, "GET", `/${s.phoneNumberId}`, { token, version });

  it("accepts any /vNN.N/ prefix, and none", async () => {
    for (const version of ["v19.0", "v25.0", "v26.0", null]) expect((await phone(s.wabaToken, version)).status).toBe(200);
  });

  it("accepts the token as access_token parameter too", async () => {
    expect((await graph(sim, "GET", `/${s.phoneNumberId}`, { query: { access_token: s.wabaToken } })).status).toBe(200);
  });

  it("a missing or unknown token is 190", async () => {
    expectEnvelope((await phone()).body, 190);
    expectEnvelope((await phone("EAAnope")).body, 190);
  });

  it("an invalidated token is 190 with its subcode", async () => {
    sim.faults.invalidateToken(s.wabaToken, 463);
    const res = await phone(s.wabaToken);
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 190, 463);
  });

  it("a missing scope is a 200-series error naming the permission", async () => {
    sim.faults.revokeScope(s.wabaToken, "whatsapp_business_messaging");
    const res = await graph(sim, "POST", `/${s.phoneNumberId}/messages`, {
      token: s.wabaToken,
      json: { messaging_product: "whatsapp", to: "15551230000", type: "text", text: { body: "hi" } },
    });
    expect(res.status).toBe(403);
    expect(expectEnvelope(res.body, 200).message).toBe("(#200) Requires whatsapp_business_messaging permission");
  });

  it("an object outside the granular target ids is a permission error", async () => {
    sim.faults.revokeScope(s.catalogToken, "catalog_management", s.catalogId);
    const res = await batch([{ method: "DELETE", data: { id: "a" } }]);
    expect(expectEnvelope(res.body, 200).message).toContain(`Requires catalog_management permission to access object ${s.catalogId}`);
  });

  it("debug_token needs the app token", async () => {
    const res = await graph(sim, "GET", "/debug_token", { token: s.wabaToken, query: { input_token: s.wabaToken } });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 100);
    const wrongSecret = await graph(sim, "GET", "/debug_token", { token: `${sim.appId}|wrong`, query: { input_token: s.wabaToken } });
    expectEnvelope(wrongSecret.body, 190);
  });
});

describe("WhatsApp requests", () => {
  const send = (body: Record<string, unknown>) => graph(sim, "POST", `/${s.phoneNumberId}/messages`, { token: s.wabaToken, json: body });

  it.each([
    [{ to: "15551230000", type: "text", text: { body: "hi" } }, "messaging_product is required"],
    [{ messaging_product: "whatsapp", type: "text", text: { body: "hi" } }, "to is required"],
    [{ messaging_product: "whatsapp", to: "15551230000", type: "text", text: {} }, "text['body'] is required"],
    [{ messaging_product: "whatsapp", to: "15551230000", type: "template", template: { name: "hello_world" } }, "template['language']['code'] is required"],
    [{ messaging_product: "whatsapp", to: "15551230000", type: "template", template: { language: { code: "en_US" } } }, "template['name'] is required"],
  ])("refuses a message missing a field: %j", async (body, message) => {
    const res = await send(body);
    expect(res.status).toBe(400);
    expect(expectEnvelope(res.body, 100).message).toContain(message);
  });

  it("register needs messaging_product and a 6-digit pin; a different pin later is a mismatch", async () => {
    const fresh = sim.control.seedPhoneNumber({ wabaId: s.wabaId });
    const register = (json: unknown) => graph(sim, "POST", `/${fresh.id}/register`, { token: s.wabaToken, json });
    expect(expectEnvelope((await register({ pin: "123456" })).body, 100).message).toContain("messaging_product");
    expect(expectEnvelope((await register({ messaging_product: "whatsapp" })).body, 100).message).toContain("pin is required");
    expect(expectEnvelope((await register({ messaging_product: "whatsapp", pin: "12ab56" })).body, 100).message).toContain("6 digits");
    expect((await register({ messaging_product: "whatsapp", pin: "123456" })).body).toEqual({ success: true });
    expectEnvelope((await register({ messaging_product: "whatsapp", pin: "000000" })).body, 133005);
  });

  it("setting the two-step PIN needs a 6-digit pin and no old one; registration then needs the new PIN", async () => {
    const fresh = sim.control.seedPhoneNumber({ wabaId: s.wabaId, pin: "111111" });
    const setPin = (json: unknown) => graph(sim, "POST", `/${fresh.id}`, { token: s.wabaToken, json });
    expect(expectEnvelope((await setPin({})).body, 100).message).toContain("pin is required");
    expect(expectEnvelope((await setPin({ pin: "1234" })).body, 100).message).toContain("6 digits");
    expect((await setPin({ pin: "222222" })).body).toEqual({ success: true });
    const register = (pin: string) => graph(sim, "POST", `/${fresh.id}/register`, { token: s.wabaToken, json: { messaging_product: "whatsapp", pin } });
    expectEnvelope((await register("111111")).body, 133005);
    expect((await register("222222")).body).toEqual({ success: true });
  });

  it("refuses an unknown field like Graph does", async () => {
    const res = await graph(sim, "GET", `/${s.phoneNumberId}`, { token: s.wabaToken, query: { fields: "id,favourite_colour" } });
    expect(expectEnvelope(res.body, 100).message).toBe("(#100) Tried accessing nonexisting field (favourite_colour) on node type (WhatsAppBusinessPhoneNumber)");
  });

  it("reports the business portfolio's messaging limit; v24+ no longer knows the deprecated messaging_limit_tier", async () => {
    sim.control.setMessagingLimit(s.businessId, "TIER_10K");
    const other = sim.control.seedPhoneNumber({ wabaId: s.wabaId });
    for (const id of [s.phoneNumberId, other.id]) {
      const res = await graph(sim, "GET", `/${id}`, { token: s.wabaToken, query: { fields: "whatsapp_business_manager_messaging_limit" } });
      expect(res.body).toEqual({ whatsapp_business_manager_messaging_limit: "TIER_10K", id });
    }
    const removed = await graph(sim, "GET", `/${s.phoneNumberId}`, { token: s.wabaToken, query: { fields: "id,messaging_limit_tier" } });
    expect(expectEnvelope(removed.body, 100).message).toBe("(#100) Tried accessing nonexisting field (messaging_limit_tier) on node type (WhatsAppBusinessPhoneNumber)");
    const listed = await graph(sim, "GET", `/${s.wabaId}/phone_numbers`, { token: s.wabaToken, query: { fields: "id,messaging_limit_tier" } });
    expect(listed.status).toBe(400);
    const old = await graph(sim, "GET", `/${s.phoneNumberId}`, { token: s.wabaToken, version: "v23.0", query: { fields: "messaging_limit_tier" } });
    expect(old.body).toEqual({ messaging_limit_tier: "TIER_10K", id: s.phoneNumberId });
  });

  it("answers only the fields asked for (sub-selections included)", async () => {
    const res = await graph(sim, "GET", `/${s.phoneNumberId}`, { token: s.wabaToken, query: { fields: "status,throughput{level},quality_rating" } });
    expect(res.body).toEqual({ status: "CONNECTED", throughput: { level: "STANDARD" }, quality_rating: "GREEN", id: s.phoneNumberId });
  });
});
