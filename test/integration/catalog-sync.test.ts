import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { sendWebhook } from "../helpers/shopify";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { sealSecret } from "../../app/vault/secrets.server";
import type { CatalogWorker } from "../../app/catalog/worker.server";
import { productDetail } from "../../app/catalog/status.server";

/**
 * The catalog pipeline end to end: signed product webhooks into the running
 * app, the worker against the Meta simulator, the simulator's catalog checked.
 */
describe.each(providers())("catalog sync on %s", (provider) => {
  const t = useApp(provider);
  const shop = `catalog-${provider}.myshopify.com`;
  let sim: MetaSimulator;
  let scenario: Scenario;
  let worker: CatalogWorker;
  let clock = Date.parse("2026-11-01T00:00:00Z");
  const at = () => new Date((clock += 1000)).toISOString();

  const post = (topic: string, body: unknown, webhookId?: string) =>
    sendWebhook(t.url, "/webhooks/products", topic, body, { shop, webhookId });
  const items = () => sim.control.catalogItems(scenario.catalogId);
  const item = (retailerId: string) => sim.control.catalogItem(scenario.catalogId, retailerId);
  const row = (productId: number) => t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: String(productId) } } });

  beforeAll(async () => {
    sim = await createMetaSimulator();
    sim.control.configure({ batchDelayMs: 20 });
    scenario = await connectCatalog(t.db, sim, shop);
    worker = testWorker(t.db, sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("creates one item per variant, grouped by product, with Meta's field formats", async () => {
    expect((await post("products/create", productPayload({ id: 1, updated_at: at() }, 3))).status).toBe(200);
    await drain(worker, t.db);
    const created = items().filter((i) => i.id.startsWith("shopify_1_"));
    expect(created).toHaveLength(3);
    const first = item("shopify_1_101")!;
    expect(first).toMatchObject({
      item_group_id: "shopify_1",
      title: "Organic Cotton T-Shirt 1",
      availability: "in stock",
      condition: "new",
      price: "29.99 USD",
      sale_price: "19.99 USD",
      link: "https://catalog-" + provider + ".myshopify.com/products/organic-cotton-t-shirt-1?variant=101",
      image_link: "https://cdn.example.com/p/1/front.jpg",
      brand: "Acme Apparel",
      size: "S",
    });
    expect(String(first.description)).not.toMatch(/<[a-z]/);
    expect(item("shopify_1_102")!.availability).toBe("out of stock");
    expect((await row(1)).status).toBe("SYNCED");
  });

  it("updates changed items and deletes variants that disappeared", async () => {
    const product = productPayload({ id: 1, updated_at: at(), title: "Renamed tee" }, 3);
    product.variants = product.variants.filter((v) => v.id !== 103);
    product.variants.push({ ...product.variants[0], id: 104, title: "XL", option1: "XL", position: 4 });
    await post("products/update", product);
    await drain(worker, t.db);
    const ids = items().filter((i) => i.id.startsWith("shopify_1_")).map((i) => i.id).sort();
    expect(ids).toEqual(["shopify_1_101", "shopify_1_102", "shopify_1_104"]);
    expect(item("shopify_1_101")!.title).toBe("Renamed tee");
  });

  it("turns 20 updates of one product before a flush into one item update per variant", async () => {
    sim.control.resetCallCounts();
    for (let i = 0; i < 20; i++) await post("products/update", productPayload({ id: 2, updated_at: at(), title: `Version ${i}` }, 1));
    await drain(worker, t.db);
    const calls = sim.control.callCounts();
    const batchCalls = Object.entries(calls).filter(([k]) => k.includes("items_batch")).reduce((n, [, v]) => n + v, 0);
    expect(batchCalls).toBe(1);
    const last = await t.db.catalogBatch.findFirstOrThrow({ where: { shop }, orderBy: { createdAt: "desc" } });
    expect(last.itemCount).toBe(1);
    expect(item("shopify_2_201")!.title).toBe("Version 19");
  });

  it("ignores duplicate and out-of-order deliveries", async () => {
    const newer = productPayload({ id: 3, updated_at: "2026-11-05T00:00:10Z", title: "Newest" }, 1);
    const older = productPayload({ id: 3, updated_at: "2026-11-05T00:00:05Z", title: "Older" }, 1);
    await post("products/update", newer, "wh-3-new");
    await post("products/update", older, "wh-3-old");
    await post("products/update", newer, "wh-3-new");
    await drain(worker, t.db);
    expect(item("shopify_3_301")!.title).toBe("Newest");
    expect((await row(3)).version).toBe(1);
  });

  it("removes draft and archived products from the catalog and marks them excluded", async () => {
    await post("products/update", productPayload({ id: 1, updated_at: at(), status: "draft" }, 3));
    await post("products/update", productPayload({ id: 3, updated_at: "2026-11-06T00:00:00Z", status: "archived" }, 1));
    await drain(worker, t.db);
    expect(items().filter((i) => /^shopify_(1|3)_/.test(i.id))).toEqual([]);
    const draft = await row(1);
    expect(draft.status).toBe("EXCLUDED");
    expect(draft.lastError).toMatch(/draft/);
  });

  it("deletes every item of a deleted product", async () => {
    await post("products/create", productPayload({ id: 4, updated_at: at() }, 2));
    await drain(worker, t.db);
    expect(item("shopify_4_401")).toBeDefined();
    await post("products/delete", { id: 4 });
    await drain(worker, t.db);
    expect(items().filter((i) => i.id.startsWith("shopify_4_"))).toEqual([]);
  });

  it("marks a product FAILED with the reason when it has no image, without calling Meta for it", async () => {
    await post("products/create", productPayload({ id: 5, updated_at: at(), images: [], image: null }, 1));
    await drain(worker, t.db);
    const r = await row(5);
    expect(r.status).toBe("FAILED");
    expect(r.lastError).toMatch(/no image/i);
    expect(item("shopify_5_501")).toBeUndefined();
  });

  it("clears a fixed product's old item errors once it syncs", async () => {
    await post("products/update", productPayload({ id: 5, updated_at: at() }, 1));
    await drain(worker, t.db);
    expect(item("shopify_5_501")).toBeDefined();
    const detail = await productDetail(t.db, shop, "5");
    // Meta accepted it; its review is still to come.
    expect(detail?.status).toBe("SENT");
    expect(detail?.items.map((i) => [i.retailerId, i.status, i.error])).toEqual([["shopify_5_501", "SYNCED", null]]);
  });

  it("sends a batch by Meta's limits: 5,000 requests and 28 MB per items_batch call", async () => {
    const batchCalls = () => sim.control.callCounts()["POST /{catalog-id}/items_batch"] ?? 0;
    const itemsOfProducts = (from: number, to: number) =>
      items().filter((i) => {
        const product = Number(String(i.item_group_id).replace("shopify_", ""));
        return product >= from && product < to;
      });
    const send = async (products: ReturnType<typeof productPayload>[]) => {
      for (let i = 0; i < products.length; i += 20) {
        const res = await Promise.all(products.slice(i, i + 20).map((p) => post("products/create", p)));
        expect(res.every((r) => r.status === 200)).toBe(true);
      }
    };
    // 1,100 products of 5 variants: 5,500 requests, so two calls.
    sim.control.resetCallCounts();
    await send(Array.from({ length: 1100 }, (_, i) => productPayload({ id: 10_000 + i, updated_at: at() }, 5)));
    await drain(worker, t.db, 60_000);
    expect(batchCalls()).toBe(2);
    expect(itemsOfProducts(10_000, 11_100)).toHaveLength(5500);

    // 30 products of 100 variants with 9,999-character descriptions: 3,000 requests but over 30 MB.
    sim.control.resetCallCounts();
    const long = "Hand-finished linen. ".repeat(500);
    await send(Array.from({ length: 30 }, (_, i) => productPayload({ id: 20_000 + i, updated_at: at(), body_html: `<p>${long}</p>` }, 100)));
    await drain(worker, t.db, 60_000);
    expect(batchCalls()).toBe(2);
    expect(itemsOfProducts(20_000, 20_030)).toHaveLength(3000);
    const synced = await t.db.productSync.count({ where: { shop, productId: { startsWith: "200" }, status: "SYNCED" } });
    expect(synced).toBe(30);
  });

  it("marks a product too big for one items_batch call FAILED with what to change, and sends the rest", async () => {
    // 1,000 variants each repeating 9,999 three-byte characters: about 30 MB for Meta, from a 0.5 MB webhook.
    const huge = productPayload({ id: 21_000, updated_at: at(), body_html: `<p>${"綿".repeat(9_999)}</p>` }, 1000);
    expect((await post("products/create", huge)).status).toBe(200);
    expect((await post("products/create", productPayload({ id: 21_001, updated_at: at() }, 2))).status).toBe(200);
    await drain(worker, t.db, 60_000);
    const failed = await row(21_000);
    expect(failed.status).toBe("FAILED");
    expect(failed.dirty).toBe(false); // not retried for ever
    expect(failed.lastError).toMatch(/Its 1,000 variants come to 29\.\d MB for Meta, more than the 28\.0 MB.*Shorten the description or split the product/);
    expect(items().filter((i) => i.item_group_id === "shopify_21000")).toEqual([]);
    expect((await row(21_001)).status).toBe("SYNCED");

    // Fixed in Shopify: the next update goes through.
    await post("products/update", productPayload({ id: 21_000, updated_at: at(), body_html: "<p>Cotton.</p>" }, 1000));
    await drain(worker, t.db, 60_000);
    expect((await row(21_000)).status).toBe("SYNCED");
    expect(items().filter((i) => i.item_group_id === "shopify_21000")).toHaveLength(1000);
  });

  it("keeps pushing while webhooks keep arriving (the worker's claims meet the webhooks' writes)", async () => {
    // On SQLite a transaction that reads and then writes fails at once when another connection
    // wrote in between: a claim built that way failed on every round under a steady webhook flow.
    let sending = true;
    // Four senders, so the app is writing most of the time.
    const flow = Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (let i = lane; sending; i += 4) {
          await post("products/update", productPayload({ id: 30_000 + (i % 40), updated_at: at(), title: `Flow ${i}` }, 2));
        }
      }),
    );
    const deadline = Date.now() + 3000;
    let rounds = 0;
    try {
      while (Date.now() < deadline) {
        await worker.tick();
        rounds += 1;
        // As the worker's loop does between rounds; the webhooks' responses share this event loop.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      sending = false;
      await flow;
    }
    await drain(worker, t.db);
    expect(rounds).toBeGreaterThan(10);
    const last = await t.db.productSync.findMany({ where: { shop, productId: { startsWith: "300" } }, select: { productId: true, title: true } });
    expect(last).toHaveLength(40);
    for (const row of last) expect(item(`shopify_${row.productId}_${Number(row.productId) * 100 + 1}`)?.title).toBe(row.title);
  });

  it("settles a batch a killed worker left half recorded, once its lease is over", async () => {
    await post("products/update", productPayload({ id: 41, updated_at: at() }, 1));
    await worker.tick();
    const batch = await t.db.catalogBatch.findFirstOrThrow({ where: { shop }, orderBy: { createdAt: "desc" } });
    expect(batch.status).toBe("SENT");
    // As a worker killed between finishRows' transactions leaves it.
    await t.db.catalogBatch.update({ where: { id: batch.id }, data: { status: "RECORDING" } });
    for (let i = 0; i < 5; i++) await worker.tick();
    expect((await row(41)).status).toBe("PENDING");
    await t.db.catalogBatch.update({ where: { id: batch.id }, data: { createdAt: new Date(Date.now() - 3 * 60_000) } });
    await drain(worker, t.db);
    expect((await row(41)).status).toBe("SYNCED");
    expect((await t.db.catalogBatch.findUniqueOrThrow({ where: { id: batch.id } })).status).toBe("FINISHED");
  });

  it("marks a product FAILED with Meta's message when Meta rejects its item", async () => {
    sim.control.configure({ requiredItemFields: ["id", "title", "price", "color"] });
    try {
      await post("products/create", productPayload({ id: 6, updated_at: at() }, 1));
      await drain(worker, t.db);
      const r = await row(6);
      expect(r.status).toBe("FAILED");
      expect(r.lastError).toMatch(/color/);
    } finally {
      sim.control.configure({ requiredItemFields: ["id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand"] });
    }
  });

  it("pauses on an invalid token (190) without losing changes, and resumes after a reconnect", async () => {
    sim.faults.invalidateToken(scenario.catalogToken, 460);
    await post("products/create", productPayload({ id: 7, updated_at: at() }, 2));
    await worker.tick();
    const connection = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(connection.state).toBe("NEEDS_RECONNECT");
    expect(connection.stateReason).toMatch(/password of the Meta account changed/);
    expect((await row(7)).dirty).toBe(true);
    expect(item("shopify_7_701")).toBeUndefined();

    // More changes while disconnected are kept too.
    await post("products/update", productPayload({ id: 7, updated_at: at(), title: "Changed while paused" }, 2));
    expect(await worker.tick()).toBe(false);

    const fresh = sim.control.seedToken({ scopes: ["catalog_management"], granular: { catalog_management: [scenario.catalogId] } });
    await t.db.catalogConnection.update({
      where: { shop },
      data: { tokenCiphertext: sealSecret(shop, "catalog.token", fresh), state: "CONNECTED", stateReason: null },
    });
    await drain(worker, t.db);
    expect(item("shopify_7_701")!.title).toBe("Changed while paused");
    expect((await row(7)).status).toBe("SYNCED");
    scenario = { ...scenario, catalogToken: fresh };
  });

  it("honours throttling: waits the regain time Meta announces, then continues", async () => {
    sim.faults.set({ rules: [{ kind: "throttle", endpoint: "*", regainMinutes: 2, times: 1 }] });
    await post("products/create", productPayload({ id: 8, updated_at: at() }, 1));
    await worker.tick();
    const paused = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(paused.pausedUntil!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(await worker.tick()).toBe(false);
    expect(item("shopify_8_801")).toBeUndefined();
    await t.db.catalogConnection.update({ where: { shop }, data: { pausedUntil: new Date(Date.now() - 1) } });
    await drain(worker, t.db);
    expect(item("shopify_8_801")).toBeDefined();
  });

  it("retries transient failures with backoff until the batch goes through", async () => {
    sim.faults.set({ rules: [{ kind: "error", endpoint: "*", status: 500, code: 2, times: 4 }] });
    await post("products/create", productPayload({ id: 9, updated_at: at() }, 1));
    const deadline = Date.now() + 20_000;
    while (!item("shopify_9_901") && Date.now() < deadline) {
      await worker.tick();
      await t.db.productSync.updateMany({ where: { shop }, data: { nextAttemptAt: null } });
    }
    await drain(worker, t.db);
    expect(item("shopify_9_901")).toBeDefined();
    expect((await row(9)).status).toBe("SYNCED");
  });
});
