import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { drain, reviewingWorker, settleReviews } from "../helpers/catalog";
import { sendWebhook } from "../helpers/shopify";
import { postMetaWebhook, useWhatsAppApp, whatsappAction, whatsappPage } from "../helpers/whatsapp";
import { productPayload } from "../fixtures/products";
import { seedInstalledShop, seedMetaConnections } from "../sandbox/seed";
import { createMetaSimulator, type Scenario } from "../meta-sim";
import { graph } from "../meta-sim/testing";
import type { ProductMessageView } from "../../app/whatsapp/product-message.server";
import type { ReadinessLine } from "../../app/whatsapp/readiness";

/**
 * WhatsApp commerce end to end (issue 18), through the WhatsApp page's
 * loader and actions of the production build, the Meta simulator and signed
 * Meta webhooks: link and unlink the catalog (and replace another one only
 * when the merchant confirms it), the commerce settings, the readiness
 * checklist, the customer service window opened by the merchant's own
 * message, and single- and multi-product messages followed to delivered and
 * read, or refused with the merchant's words and the fix.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

const MERCHANT_PHONE = "+14155550123";

async function until<T>(check: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not in time: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(providers())("WhatsApp commerce on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  let n = 0;

  /** A shop with WhatsApp and a catalog connected, three products synced through the real pipeline. */
  async function shopWithCatalog(opts: { tokenManagesCatalog?: boolean } = {}) {
    const shop = `wa-commerce-${provider}-${++n}.myshopify.com`;
    const s = sim.control.seedScenario({ wabaTokenManagesCatalog: opts.tokenManagesCatalog ?? true, displayPhoneNumber: "+1 555-010-3333" });
    await seedInstalledShop(t.db, shop);
    await seedMetaConnections(t.db, shop, {
      businessId: s.businessId,
      wabaId: s.wabaId,
      wabaToken: s.wabaToken,
      phoneNumbers: [{ id: s.phoneNumberId, display: "+1 555-010-3333", verifiedName: "Commerce Shop" }],
      catalogId: s.catalogId,
      catalogToken: s.catalogToken,
    });
    const types = ["T-Shirts", "T-Shirts", "Mugs"];
    for (const [i, id] of [101, 102, 103].entries()) {
      const res = await sendWebhook(t.url, "/webhooks/products", "products/create", productPayload({ id, title: `Product ${id}`, product_type: types[i] }, 2), { shop });
      expect(res.status).toBe(200);
    }
    const worker = reviewingWorker(t.db, sim);
    await drain(worker, t.db);
    // Meta approves them (Live): only Live products can go in a product message.
    await settleReviews(worker, t.db, shop);
    expect(await t.db.productSync.count({ where: { shop, status: "SYNCED", review: "LIVE" } })).toBe(3);
    return { shop, s };
  }

  const act = (shop: string, body: unknown) => whatsappAction(t.url, shop, body);
  const page = async (shop: string) => (await whatsappPage(t.url, shop)).value;
  const line = async (shop: string, id: string) => (await page(shop)).commerce.readiness.lines.find((l) => l.id === id) as ReadinessLine;
  const retailerIds = async (shop: string, productId: string) =>
    (await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId } } })).pushedRetailerIds as string[];

  describe("the catalog link", () => {
    let shop: string;
    let s: Scenario;
    beforeAll(async () => {
      ({ shop, s } = await shopWithCatalog());
    });

    it("starts with the link to do, the catalog hidden, and the rest done", async () => {
      const lines = (await page(shop)).commerce.readiness.lines;
      const state = Object.fromEntries(lines.map((l) => [l.id, l.state]));
      expect(state).toMatchObject({ number: "done", catalog: "done", link: "todo", settings: "todo", products: "done" });
      expect(lines.find((l) => l.id === "settings")!.detail).toMatch(/catalog is hidden/);
      expect(lines.find((l) => l.id === "products")!.detail).toBe("3 products are Live: Meta approved them.");
      expect(lines.find((l) => l.id === "link")!.action).toMatchObject({ kind: "intent", body: { intent: "link-catalog" } });
    });

    it("links the catalog to the WABA, and unlinks it", async () => {
      const linked = await act(shop, { intent: "link-catalog" });
      expect(linked.value).toMatchObject({ ok: true, message: "The catalog is linked to your WhatsApp account." });
      expect(sim.control.linkedCatalog(s.wabaId)).toBe(s.catalogId);
      expect(await line(shop, "link")).toMatchObject({ state: "done", secondary: { body: { intent: "unlink-catalog", catalogId: s.catalogId } } });

      const unlinked = await act(shop, { intent: "unlink-catalog", catalogId: s.catalogId });
      expect(unlinked.value).toMatchObject({ ok: true });
      expect(sim.control.linkedCatalog(s.wabaId)).toBeNull();
      expect((await line(shop, "link")).state).toBe("todo");
    });

    it("replaces another linked catalog only when the merchant confirms that very catalog", async () => {
      const other = sim.control.seedCatalog({ businessId: s.businessId, name: "Agency catalog" });
      sim.control.setLinkedCatalog(s.wabaId, other.id);
      expect((await act(shop, { intent: "refresh-commerce" })).value.ok).toBe(true);
      const todo = await line(shop, "link");
      expect(todo).toMatchObject({ state: "todo", action: { body: { intent: "link-catalog", replaceCatalogId: other.id }, confirm: expect.stringMatching(/Agency catalog/) } });

      const refused = await act(shop, { intent: "link-catalog" });
      expect(refused.value).toMatchObject({ ok: false, failure: { code: "catalog_link_taken", details: { linkedCatalogId: other.id } } });
      expect(sim.control.linkedCatalog(s.wabaId)).toBe(other.id);
      const wrong = await act(shop, { intent: "link-catalog", replaceCatalogId: s.catalogId });
      expect(wrong.value).toMatchObject({ ok: false, failure: { code: "catalog_link_taken" } });
      expect(sim.control.linkedCatalog(s.wabaId)).toBe(other.id);

      // Unlinking needs catalog_management on that catalog too: without it Meta refuses, and nothing changes.
      const denied = await act(shop, { intent: "link-catalog", replaceCatalogId: other.id });
      expect(denied.value).toMatchObject({ ok: false, failure: { code: "missing_permissions", message: expect.stringMatching(/^Meta refused unlinking “Agency catalog”/) } });
      expect(sim.control.linkedCatalog(s.wabaId)).toBe(other.id);
      sim.state.tokens.get(s.wabaToken)!.granular.get("catalog_management")!.push(other.id);

      const replaced = await act(shop, { intent: "link-catalog", replaceCatalogId: other.id });
      expect(replaced.value).toMatchObject({ ok: true, message: "The catalog replaced the one linked to your WhatsApp account." });
      expect(sim.control.linkedCatalog(s.wabaId)).toBe(s.catalogId);
    });

    it("turns the commerce settings on", async () => {
      const res = await act(shop, { intent: "set-commerce", cartEnabled: true, catalogVisible: true });
      expect(res.value).toMatchObject({ ok: true, message: "Your catalog shows and the cart is on in WhatsApp chats." });
      expect(sim.control.commerceSettings(s.phoneNumberId)).toMatchObject({ cartEnabled: true, catalogVisible: true });
      expect((await line(shop, "settings")).state).toBe("done");
    });
  });

  it("names the missing permission when the WhatsApp token cannot reach the catalog", async () => {
    const { shop, s } = await shopWithCatalog({ tokenManagesCatalog: false });
    const res = await act(shop, { intent: "link-catalog" });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "missing_permissions" } });
    if (!res.value.ok) {
      expect(res.value.failure.message).toContain("“Manage your catalogs (catalog_management)”");
      expect(res.value.failure.message).toMatch(/click Reconnect/);
    }
    expect(sim.control.linkedCatalog(s.wabaId)).toBeNull();
    // The checklist cannot tell whether a catalog is linked, and says why.
    expect(await line(shop, "link")).toMatchObject({ state: "unknown", detail: expect.stringContaining("catalog_management"), action: { body: { intent: "refresh-commerce" } } });
  });

  describe("product messages", () => {
    let shop: string;
    let s: Scenario;
    const latest = async () => (await page(shop)).commerce.lastProductMessage as ProductMessageView;

    beforeAll(async () => {
      ({ shop, s } = await shopWithCatalog());
      expect((await act(shop, { intent: "link-catalog" })).value.ok).toBe(true);
      sim.control.configure({ statusDelaysMs: { sent: 50, delivered: 150, read: 150 } });
    });

    it("are refused outside the window, before Meta is asked", async () => {
      const before = sim.control.messages().length;
      const res = await act(shop, { intent: "send-product", productIds: ["101"] });
      expect(res.value).toMatchObject({ ok: false, failure: { code: "window_closed" } });
      if (!res.value.ok) expect(res.value.failure.message).toMatch(/Send any message from your phone to \+1 555-010-3333/);
      expect(sim.control.messages()).toHaveLength(before);
      expect(await t.db.messageLog.count({ where: { shop, kind: "PRODUCT" } })).toBe(0);
      expect((await page(shop)).commerce.window).toBeNull();
    });

    it("the merchant's message opens the window: the sender is kept sealed, shown by its last 4 digits only", async () => {
      const { delivered } = await sim.inbound({ phoneNumberId: s.phoneNumberId, from: MERCHANT_PHONE, text: "Hi" });
      expect(delivered).toBe(true);
      const open = (await page(shop)).commerce.window!;
      expect(open.sender).toBe("•••0123");
      expect(Date.parse(open.closesAt) - Date.parse(open.lastInboundAt)).toBe(24 * 3_600_000);
      const rows = await t.db.customerWindow.findMany({ where: { shop } });
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain("4155550123");
      const inbound = await t.db.messageLog.findMany({ where: { shop, direction: "IN" } });
      expect(inbound.map((m) => m.to)).toEqual([""]);
    });

    it("sends a single product inside the window, followed to delivered and read by Meta's webhooks", async () => {
      const res = await act(shop, { intent: "send-product", productIds: ["101"] });
      expect(res.value).toMatchObject({ ok: true, productMessage: { to: "•••0123", products: [{ productId: "101", title: "Product 101" }] } });
      const sent = sim.control.messages().at(-1)!;
      expect(sent).toMatchObject({
        to: MERCHANT_PHONE,
        type: "interactive",
        interactive: { type: "product", catalogId: s.catalogId, retailerIds: [(await retailerIds(shop, "101"))[0]] },
      });
      const read = await until(latest, (m) => m?.status === "READ");
      expect(read.timeline.map((e) => e.status)).toEqual(["SENT", "DELIVERED", "READ"]);
      expect(sim.control.webhookDeliveries().filter((d) => d.body.includes(sent.wamid)).map((d) => d.status)).toEqual([200, 200, 200]);
      // The test message card is not the product card: its last message is unchanged.
      expect((await page(shop)).lastTestMessage).toBeNull();
    });

    it("sends several products as a multi-product message in sections", async () => {
      const res = await act(shop, { intent: "send-product", productIds: ["103", "101", "102"] });
      expect(res.value).toMatchObject({ ok: true, message: "Message with 3 products sent to Meta." });
      const sent = sim.control.messages().at(-1)!;
      expect(sent.interactive).toMatchObject({ type: "product_list", sections: 2 });
      expect(sent.interactive!.retailerIds).toHaveLength(3);
      await until(latest, (m) => m?.status === "READ");
    });

    it("an item no longer in the catalog gives the merchant's words and the fix", async () => {
      const [gone] = await retailerIds(shop, "102");
      await graph(sim, "POST", `/${s.catalogId}/items_batch`, {
        token: s.catalogToken,
        json: { item_type: "PRODUCT_ITEM", requests: [{ method: "DELETE", data: { id: gone } }] },
      });
      await new Promise((r) => setTimeout(r, 150)); // the batch settles
      const res = await act(shop, { intent: "send-product", productIds: ["102"] });
      expect(res.value).toMatchObject({ ok: false, failure: { code: "product_not_in_catalog" }, productMessage: { status: "FAILED" } });
      if (!res.value.ok) {
        expect(res.value.failure.message).toMatch(/^Meta refused sending the product message: WhatsApp could not find the product in the catalog linked to your WhatsApp account/);
        expect(res.value.failure.message).toMatch(/shows as Live/);
      }
    });

    it("a window Meta has closed though the app saw it open: the failed status comes back in the merchant's words", async () => {
      sim.control.setCustomerWindow(s.phoneNumberId, MERCHANT_PHONE, Date.now() - 25 * 3_600_000);
      const res = await act(shop, { intent: "send-product", productIds: ["101"] });
      expect(res.value.ok).toBe(true);
      const failed = await until(latest, (m) => m?.status === "FAILED");
      expect(failed.error).toMatch(/^Meta refused delivering the product message: the customer last wrote to your WhatsApp number more than 24 hours ago/);
      expect(failed.error).toMatch(/Ask them to send any message to your number, then send again\.$/);
    });

    it("refuses products that are not the shop's synced products", async () => {
      for (const productIds of [["999999"], ["101", "999999"]]) {
        const res = await act(shop, { intent: "send-product", productIds });
        expect(res.value).toMatchObject({ ok: false, failure: { code: "product_not_in_catalog" } });
      }
      for (const productIds of [[], Array.from({ length: 31 }, (_, i) => String(i + 1)), ["gid://shopify/Product/101"]]) {
        const res = await act(shop, { intent: "send-product", productIds });
        expect(res.status).toBe(400);
        expect(res.value).toMatchObject({ ok: false, failure: { code: "invalid_input" } });
      }
    });

    it("a message older than 24 hours opens nothing, and a closed window leaves nothing of the sender", async () => {
      await t.db.customerWindow.deleteMany({ where: { shop } });
      const old = sim.control.receiveMessage({ phoneNumberId: s.phoneNumberId, from: "+14155550177", atMs: Date.now() - 25 * 3_600_000 });
      expect((await postMetaWebhook(t.url, old.body, sim.appSecret)).status).toBe(200);
      expect(await t.db.customerWindow.count({ where: { shop } })).toBe(0);

      await sim.inbound({ phoneNumberId: s.phoneNumberId, from: MERCHANT_PHONE });
      expect(await t.db.customerWindow.count({ where: { shop } })).toBe(1);
      // 24 hours later (the row's closing time moved into the past): the next page view purges it.
      await t.db.customerWindow.updateMany({ where: { shop }, data: { closesAt: new Date(Date.now() - 1000) } });
      expect((await page(shop)).commerce.window).toBeNull();
      expect(await t.db.customerWindow.count()).toBe(0);
    });

    it("a WhatsApp disconnect forgets the link facts and the last customer too", async () => {
      await sim.inbound({ phoneNumberId: s.phoneNumberId, from: MERCHANT_PHONE });
      expect(await t.db.customerWindow.count({ where: { shop } })).toBe(1);
      expect((await act(shop, { intent: "disconnect" })).value.ok).toBe(true);
      expect(await t.db.customerWindow.count({ where: { shop } })).toBe(0);
      expect(await t.db.whatsAppCommerce.count({ where: { shop } })).toBe(0);
      expect(sim.control.linkedCatalog(s.wabaId)).toBe(s.catalogId); // the link itself is Meta's: it stays
    });
  });
});
