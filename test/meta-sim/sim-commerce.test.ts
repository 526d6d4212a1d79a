import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MetaGraphError, PermissionMissing, Rejected } from "../../app/meta/errors";
import { asSecret } from "../../app/meta/secret";
import { createMetaSimulator, type MetaSimulator } from "./index";
import type { Scenario } from "./control";
import { clientFor, graph, until, validItem } from "./testing";

/**
 * WhatsApp commerce in the simulator, through the app's Graph client
 * (issue 18): linking a catalog to a WABA (one per WABA, catalog_management
 * needed), a number's commerce settings, product messages (single and
 * multi-product, their limits, items of the linked catalog only) and the
 * 24-hour customer service window, whose closing Meta reports as a failed
 * status with 131047.
 */

interface Received {
  body: Record<string, unknown>;
}

let receiver: http.Server;
let received: Received[] = [];
let sim: MetaSimulator;
let s: Scenario;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  sim = await createMetaSimulator({
    webhookCallbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/meta`,
    config: { statusDelaysMs: { sent: 5, delivered: 5, read: 5 }, batchDelayMs: 0 },
  });
});
afterAll(async () => {
  await sim.close();
  await new Promise((r) => receiver.close(r));
});
beforeEach(() => {
  received = [];
  sim.reset();
  s = sim.control.seedScenario({ wabaTokenManagesCatalog: true });
});

const token = () => asSecret(s.wabaToken);
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

async function withItems(...ids: string[]) {
  await graph(sim, "POST", `/${s.catalogId}/items_batch`, {
    token: s.catalogToken,
    json: { item_type: "PRODUCT_ITEM", allow_upsert: true, requests: ids.map((id) => ({ method: "UPDATE", data: validItem(id) })) },
  });
}

const statusesOf = (wamid: string) =>
  received
    .flatMap((r) => ((r.body.entry as Array<{ changes: Array<{ value: { statuses?: Array<Record<string, unknown>> } }> }>) ?? []))
    .flatMap((e) => e.changes.flatMap((c) => c.value.statuses ?? []))
    .filter((st) => st.id === wamid);

describe("linking a catalog to a WABA", () => {
  it("links, reads and unlinks with a token that manages both", async () => {
    const { client } = clientFor(sim);
    expect(await client.listLinkedCatalogs(token(), s.wabaId)).toEqual([]);
    await client.linkCatalog(token(), s.wabaId, s.catalogId);
    expect(await client.listLinkedCatalogs(token(), s.wabaId)).toEqual([{ id: s.catalogId, name: "Simulated Catalog" }]);
    await client.linkCatalog(token(), s.wabaId, s.catalogId); // again: nothing changes
    await client.unlinkCatalog(token(), s.wabaId, s.catalogId);
    expect(sim.control.linkedCatalog(s.wabaId)).toBeNull();
  });

  it("refuses a WhatsApp token without catalog_management with Meta's permission error naming it", async () => {
    const plain = sim.control.seedToken({ scopes: ["whatsapp_business_management", "whatsapp_business_messaging"], granular: { whatsapp_business_management: [s.wabaId] } });
    const { client } = clientFor(sim);
    for (const call of [client.linkCatalog(asSecret(plain), s.wabaId, s.catalogId), client.listLinkedCatalogs(asSecret(plain), s.wabaId)]) {
      const err = await failure(call);
      expect(err).toBeInstanceOf(PermissionMissing);
      expect((err as PermissionMissing).permission).toBe("catalog_management");
    }
    // ...and catalog_management on another catalog only does not reach this one.
    const elsewhere = sim.control.seedToken({
      scopes: ["whatsapp_business_management", "catalog_management"],
      granular: { whatsapp_business_management: [s.wabaId], catalog_management: ["999"] },
    });
    expect(await failure(client.linkCatalog(asSecret(elsewhere), s.wabaId, s.catalogId))).toBeInstanceOf(PermissionMissing);
    expect(sim.control.linkedCatalog(s.wabaId)).toBeNull();
  });

  it("keeps one catalog per WABA: another catalog must be unlinked first", async () => {
    const other = sim.control.seedCatalog({ businessId: s.businessId, name: "Old catalog" });
    sim.control.setLinkedCatalog(s.wabaId, other.id);
    const wide = asSecret(sim.control.seedToken({ scopes: ["whatsapp_business_management", "catalog_management"] }));
    const { client } = clientFor(sim);
    const err = await failure(client.linkCatalog(wide, s.wabaId, s.catalogId));
    expect(err).toBeInstanceOf(Rejected);
    expect(sim.control.linkedCatalog(s.wabaId)).toBe(other.id);
    expect(await failure(client.unlinkCatalog(wide, s.wabaId, s.catalogId))).toBeInstanceOf(Rejected); // not the linked one
    await client.unlinkCatalog(wide, s.wabaId, other.id);
    await client.linkCatalog(wide, s.wabaId, s.catalogId);
    expect(sim.control.linkedCatalog(s.wabaId)).toBe(s.catalogId);
  });

  it("refuses ids that are not Graph ids before any request", async () => {
    const { client } = clientFor(sim);
    sim.control.resetCallCounts();
    await expect(client.linkCatalog(token(), s.wabaId, "1/../2")).rejects.toBeInstanceOf(TypeError);
    expect(sim.control.callCounts()).toEqual({});
  });
});

describe("commerce settings", () => {
  it("start with Meta's defaults (cart on, catalog hidden) and change one at a time", async () => {
    const { client } = clientFor(sim);
    expect(await client.getCommerceSettings(token(), s.phoneNumberId)).toMatchObject({ cartEnabled: true, catalogVisible: false });
    await client.setCommerceSettings(token(), s.phoneNumberId, { catalogVisible: true });
    expect(await client.getCommerceSettings(token(), s.phoneNumberId)).toMatchObject({ cartEnabled: true, catalogVisible: true });
    await client.setCommerceSettings(token(), s.phoneNumberId, { cartEnabled: false });
    expect(sim.control.commerceSettings(s.phoneNumberId)).toMatchObject({ cartEnabled: false, catalogVisible: true });
    await expect(client.setCommerceSettings(token(), s.phoneNumberId, {})).rejects.toBeInstanceOf(RangeError);
    const raw = await graph(sim, "POST", `/${s.phoneNumberId}/whatsapp_commerce_settings`, { token: s.wabaToken, query: { is_cart_enabled: "maybe" } });
    expect(raw.status).toBe(400);
  });
});

describe("product messages", () => {
  beforeEach(async () => {
    await withItems("sku-1", "sku-2", "sku-3");
  });

  it("are refused with 131009 'Products not found in FB Catalog' until the catalog is linked", async () => {
    await sim.inbound({ phoneNumberId: s.phoneNumberId, from: "+16505551234" });
    const { client } = clientFor(sim);
    const err = await failure(client.sendProductMessage(token(), s.phoneNumberId, { phone: "+16505551234" }, { catalogId: s.catalogId, retailerId: "sku-1" }));
    expect(err).toBeInstanceOf(Rejected);
    expect(err).toMatchObject({ code: 131009, details: "Products not found in FB Catalog" });
  });

  it("are refused for an item the linked catalog does not have", async () => {
    sim.control.setLinkedCatalog(s.wabaId, s.catalogId);
    await sim.inbound({ phoneNumberId: s.phoneNumberId, from: "+16505551234" });
    const { client } = clientFor(sim);
    const err = (await failure(
      client.sendProductListMessage(token(), s.phoneNumberId, { phone: "+16505551234" }, {
        catalogId: s.catalogId,
        header: "Picks",
        body: "Have a look",
        sections: [{ title: "Tees", retailerIds: ["sku-1", "sku-404"] }],
      }),
    )) as MetaGraphError;
    expect(err).toMatchObject({ code: 131009, details: "Products not found in FB Catalog" });
  });

  it("inside the window: accepted, then sent, delivered and read by webhooks", async () => {
    sim.control.setLinkedCatalog(s.wabaId, s.catalogId);
    const inbound = await sim.inbound({ phoneNumberId: s.phoneNumberId, from: "+16505551234", text: "Hi" });
    expect(inbound.delivered).toBe(true);
    const { client } = clientFor(sim);
    const sent = await client.sendProductMessage(token(), s.phoneNumberId, { phone: "+16505551234" }, { catalogId: s.catalogId, retailerId: "sku-2", body: "For you" });
    await until(() => statusesOf(sent.wamid).length === 3);
    expect(statusesOf(sent.wamid).map((st) => st.status)).toEqual(["sent", "delivered", "read"]);
    expect(sim.control.messages().at(-1)).toMatchObject({ type: "interactive", interactive: { type: "product", catalogId: s.catalogId, retailerIds: ["sku-2"] } });
  });

  it("outside the window: accepted, then failed with 131047 in the status webhook", async () => {
    sim.control.setLinkedCatalog(s.wabaId, s.catalogId);
    await sim.inbound({ phoneNumberId: s.phoneNumberId, from: "+16505551234", atMs: Date.now() - 25 * 3_600_000 });
    const { client } = clientFor(sim);
    const sent = await client.sendProductMessage(token(), s.phoneNumberId, { phone: "+16505551234" }, { catalogId: s.catalogId, retailerId: "sku-1" });
    await until(() => statusesOf(sent.wamid).length === 1);
    const [failed] = statusesOf(sent.wamid);
    expect(failed).toMatchObject({ status: "failed", errors: [{ code: 131047, title: "Re-engagement message", error_data: { details: expect.stringMatching(/More than 24 hours/) } }] });
    // Another customer's window does not count either; a template is not bound by it.
    await sim.inbound({ phoneNumberId: s.phoneNumberId, from: "+16505550000" });
    const template = await client.sendTemplateMessage(token(), s.phoneNumberId, "+16505551234", { name: "hello_world", languageCode: "en_US" });
    await until(() => statusesOf(template.wamid).length === 3);
  });

  it("reach a user known only by business-scoped user id through `recipient`", async () => {
    sim.control.setLinkedCatalog(s.wabaId, s.catalogId);
    await sim.inbound({ phoneNumberId: s.phoneNumberId, userId: "US.13491208655302741918" });
    const { client } = clientFor(sim);
    const sent = await client.sendProductMessage(token(), s.phoneNumberId, { userId: "US.13491208655302741918" }, { catalogId: s.catalogId, retailerId: "sku-1" });
    await until(() => statusesOf(sent.wamid).length === 3);
    expect(statusesOf(sent.wamid)[0]).toMatchObject({ recipient_user_id: "US.13491208655302741918" });
  });

  it("respect Meta's limits: 30 items, 10 sections, titles, header and body (the client refuses before any request)", async () => {
    sim.control.setLinkedCatalog(s.wabaId, s.catalogId);
    await sim.inbound({ phoneNumberId: s.phoneNumberId, from: "+16505551234" });
    const { client } = clientFor(sim);
    const list = (sections: { title: string; retailerIds: string[] }[], extra: Record<string, string> = {}) =>
      client.sendProductListMessage(token(), s.phoneNumberId, { phone: "+16505551234" }, { catalogId: s.catalogId, header: "Picks", body: "Look", sections, ...extra });
    sim.control.resetCallCounts();
    await expect(list([{ title: "A", retailerIds: Array.from({ length: 31 }, (_, i) => `sku-${i}`) }])).rejects.toThrow(/at most 30/);
    await expect(list(Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, retailerIds: ["sku-1"] })))).rejects.toThrow(/1 to 10 sections/);
    await expect(list([{ title: "", retailerIds: ["sku-1"] }, { title: "B", retailerIds: ["sku-2"] }])).rejects.toThrow(/section title/);
    await expect(list([{ title: "A very long section title here", retailerIds: ["sku-1"] }])).rejects.toThrow(/24 characters/);
    await expect(list([{ title: "A", retailerIds: ["sku-1"] }], { header: "" })).rejects.toThrow(/header/);
    expect(sim.control.callCounts()).toEqual({});
    // The simulator enforces the same limits on raw calls.
    const raw = (interactive: Record<string, unknown>) =>
      graph(sim, "POST", `/${s.phoneNumberId}/messages`, { token: s.wabaToken, json: { messaging_product: "whatsapp", to: "+16505551234", type: "interactive", interactive } });
    const items = (n: number) => Array.from({ length: n }, () => ({ product_retailer_id: "sku-1" }));
    const action = (sections: unknown[]) => ({ catalog_id: s.catalogId, sections });
    for (const bad of [
      { type: "product_list", header: { type: "text", text: "H" }, body: { text: "B" }, action: action([{ title: "A", product_items: items(31) }]) },
      { type: "product_list", body: { text: "B" }, action: action([{ title: "A", product_items: items(1) }]) },
      { type: "product_list", header: { type: "text", text: "H" }, body: { text: "B" }, action: action([{ product_items: items(1) }, { title: "B", product_items: items(1) }]) },
      { type: "product", header: { type: "text", text: "H" }, action: { catalog_id: s.catalogId, product_retailer_id: "sku-1" } },
    ]) {
      const res = await raw(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const ok = await list([{ title: "Tees", retailerIds: ["sku-1", "sku-2"] }, { title: "Mugs", retailerIds: ["sku-3"] }]);
    expect(ok.wamid).toMatch(/^wamid\./);
  });
});

describe("a customer writes", () => {
  it("delivers Meta's text message webhook, shaped as the fixture", async () => {
    const fixture = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../fixtures/meta/webhooks/messages-text.json"), "utf8")) as { body: unknown };
    await sim.inbound({ phoneNumberId: s.phoneNumberId, from: "+16505551234", userId: "US.13491208655302741918", text: "Hi" });
    await until(() => received.length === 1);
    const keys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(keys) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keys(x)]).sort()) : typeof v;
    expect(keys(received[0].body)).toEqual(keys(fixture.body));
  });
});
