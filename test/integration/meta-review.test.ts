import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { connectCatalog, drain } from "../helpers/catalog";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { createCatalogWorker, type CatalogWorker } from "../../app/catalog/worker.server";
import { productsInCatalog } from "../../app/catalog/products-in-catalog.server";
import type { Db } from "../../app/db.server";
import type { CatalogPageData } from "../../app/catalog/page-data.server";
import { routeData } from "../helpers/route-data";

/**
 * What Meta actually shows (issue 17), through the running app, the worker
 * and the simulator's review: an item Meta's batch accepted and its review
 * later rejected shows Rejected with Meta's reason and the fix on the
 * catalog page, the product page and the block's JSON; an image Meta cannot
 * download is named; a fix in Shopify goes back through Sent to Live; the
 * catalog's diagnostics; the read-back's cost and its back-off.
 */

const REVIEW = { firstCheckMs: 100, recheckMs: 3_600_000, diagnosticsIntervalMs: 60_000, pollMs: 0 };

function reviewWorker(db: Db, sim: MetaSimulator, review: Partial<typeof REVIEW> = {}): CatalogWorker {
  const { client } = clientFor(sim, { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
  return createCatalogWorker({ db, client, log: pino({ level: "silent" }), flushIntervalMs: 0, review: { ...REVIEW, ...review } });
}

/** Server-rendered text: React separates interpolations with comments and escapes quotes. */
const decode = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

describe.each(providers())("Meta's review on %s", (provider) => {
  const t = useApp(provider);
  const shop = `review-${provider}.myshopify.com`;
  const other = `review-other-${provider}.myshopify.com`;
  let sim: MetaSimulator;
  let worker: CatalogWorker;
  let clock = Date.parse("2026-11-20T00:00:00Z");
  const at = () => new Date((clock += 1000)).toISOString();

  const post = (body: unknown, to = shop) => sendWebhook(t.url, "/webhooks/products", "products/update", body, { shop: to });
  const row = (productId: number, s = shop) => t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop: s, productId: String(productId) } } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const blockJson = async (productId: number) => (await (await adminFetch(t.url, `/api/products/${productId}/sync-status`, shop)).json()) as any;
  const page = async (path: string) => decode(await (await adminFetch(t.url, path, shop)).text());
  /** The Catalog page's product table (optionally one tab) and its counts, as the page's loader gives them. */
  const catalogData = async (status?: string) =>
    (await routeData<CatalogPageData>(t.url, shop, `/app/catalog?index${status ? `&status=${status}` : ""}`, "routes/app.catalog._index")).data!;
  /** What the table shows for a product, and how many products the tab of that status counts. */
  const tableStatus = async (productId: number) => {
    const data = await catalogData();
    const status = data.table.rows.find((r) => r.productId === String(productId))?.status;
    const tab = status ? await catalogData(status) : null;
    return { status, count: status ? data.summary.counts[status] : 0, inTab: tab?.table.rows.some((r) => r.productId === String(productId)) ?? false };
  };
  const readCalls = () => sim.control.callCounts()["GET /{catalog-id}/products"] ?? 0;

  /** Meta keeps every review pending while `body` runs, then decides them. */
  async function holdReviews(body: () => Promise<void>) {
    sim.control.configure({ reviewDelayMs: 3_600_000 });
    try {
      await body();
    } finally {
      sim.control.configure({ reviewDelayMs: 0 });
    }
  }

  /** Waits for the first read-back to be due, and runs one round. */
  async function readBackOnce() {
    await new Promise((r) => setTimeout(r, REVIEW.firstCheckMs + 20));
    await worker.tick();
  }

  /** Worker rounds until `done` holds (Meta's review is read back a moment after Meta accepted the batch). */
  async function until(done: () => Promise<boolean>, w = worker, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await w.tick();
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 40));
    }
    throw new Error("the review did not come in time");
  }

  beforeAll(async () => {
    sim = await createMetaSimulator();
    // Meta keeps each saved item "pending" for a moment, so the app first sees Sent.
    sim.control.configure({ batchDelayMs: 20, reviewDelayMs: 0 });
    await connectCatalog(t.db, sim, shop);
    worker = reviewWorker(t.db, sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("shows an item the batch accepted and the review rejected as Rejected, with Meta's reason and the fix, on every surface", async () => {
    await holdReviews(async () => {
      await post(productPayload({ id: 11, updated_at: at(), title: "Replica Leather Watch" }, 2));
      await drain(worker, t.db);
      // Accepted by the batch: Sent, and still Sent while Meta's review is pending.
      await readBackOnce();
      const sent = await row(11);
      expect(sent).toMatchObject({ status: "SYNCED", review: "SENT" });
      expect(sent.sentAt).not.toBeNull();
      expect(sent.changedAt).not.toBeNull();
      expect(sent.reviewChecks).toBeGreaterThan(0);
      expect((await blockJson(11)).product.verdict).toBe("SENT");
      // The table, its Sent tab and the block say the same (one status everywhere).
      expect(await tableStatus(11)).toEqual({ status: "SENT", count: 1, inTab: true });
      expect((await blockJson(11)).product.status).toBe("SENT");
    });

    await until(async () => (await row(11)).review === "REJECTED");
    expect((await row(11)).confirmedAt).not.toBeNull();
    // Rejected in the table, counted in the Rejected tab, listed there, the same in the block and the Overview.
    expect(await tableStatus(11)).toEqual({ status: "REJECTED", count: 1, inTab: true });
    expect((await catalogData()).summary.counts.SENT).toBe(0);
    expect((await blockJson(11)).product.status).toBe("REJECTED");
    expect(await page("/app")).toContain("1 rejected");

    // The block's JSON: the product and each variant, with Meta's reason and Meta's call to action as the fix.
    const json = await blockJson(11);
    expect(json.product.verdict).toBe("REJECTED");
    expect(json.product.variants).toHaveLength(2);
    for (const v of json.product.variants) {
      expect(v.verdict).toBe("REJECTED");
      expect(v.reason).toContain("Item rejected for counterfeit goods");
      expect(v.fix).toBe("Remove the words that suggest a replica from the title and description, or remove the item.");
    }

    // The product page.
    const product = await page("/app/catalog/11");
    expect(product).toContain("Meta rejected this product");
    expect(product).toContain("Items can't promote or sell counterfeit goods");
    expect(product).toContain("Remove the words that suggest a replica");

    // The catalog page groups it by cause, with the count and the fix.
    const catalog = await page("/app/catalog");
    expect(catalog).toContain("Meta's review");
    expect(catalog).toContain("Rejected under Meta's Commerce Policies: 1 product (2 variants)");
    expect(catalog).toContain("Change what breaks Meta's Commerce Policies");
    expect(catalog).toContain("Replica Leather Watch");
  });

  it("names the image Meta could not download", async () => {
    const image = "https://unreachable.example/p/12/front.jpg";
    const img = { id: 121, src: image, position: 1, variant_ids: [] };
    await post(productPayload({ id: 12, updated_at: at(), images: [img], image: img }, 1));
    await drain(worker, t.db);
    await until(async () => (await row(12)).review === "NEEDS_FIXING");
    const variant = (await blockJson(12)).product.variants[0];
    expect(variant).toMatchObject({ verdict: "NEEDS_FIXING", image });
    expect(variant.reason).toBe(`Meta could not download the image ${image}.`);
    expect(variant.fix).toMatch(/replace its first image/);
    expect(await page("/app/catalog/12")).toContain(image);
    expect(await page("/app/catalog")).toContain("Meta could not use the image: 1 product");
  });

  it("moves a product fixed in Shopify (a webhook) back through Sent to Live", async () => {
    await holdReviews(async () => {
      await post(productPayload({ id: 11, updated_at: at(), title: "Leather Watch" }, 2));
      await drain(worker, t.db);
      await readBackOnce();
      expect((await row(11)).review).toBe("SENT");
      expect((await blockJson(11)).product.verdict).toBe("SENT");
      expect((await tableStatus(11)).status).toBe("SENT");
      expect((await productsInCatalog(t.db, shop)).map((p) => p.productId)).not.toContain("11");
    });

    await until(async () => (await row(11)).review === "LIVE");
    expect(await tableStatus(11)).toEqual({ status: "LIVE", count: 1, inTab: true });
    const json = await blockJson(11);
    expect(json.product.status).toBe("LIVE");
    expect(json.product.verdict).toBe("LIVE");
    expect(json.product.variants.map((v: { verdict: string }) => v.verdict)).toEqual(["LIVE", "LIVE"]);
    // Only Live products count as in the catalog for WhatsApp (issue 18).
    expect((await productsInCatalog(t.db, shop)).map((p) => p.productId)).toContain("11");
    expect(await page("/app/catalog")).not.toContain("Rejected under Meta's Commerce Policies");
  });

  it("shows Meta's diagnostics with their call to action and the products Meta names", async () => {
    // Read on their own interval (an hour by default): this worker reads them every 200 ms.
    const often = reviewWorker(t.db, sim, { diagnosticsIntervalMs: 200 });
    await until(async () => JSON.stringify((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).diagnostics).includes("IMAGE_QUALITY"), often);
    const catalog = await page("/app/catalog");
    expect(catalog).toContain("Meta's diagnostics");
    expect(catalog).toContain("Images could not be downloaded: 1 item");
    expect(catalog).toContain("Meta suggests: Provide an image link that is publicly accessible.");
    expect(catalog).toContain("Affects: Shops, WhatsApp");
    expect(catalog).toContain("Organic Cotton T-Shirt 12");
    expect(catalog).toContain("Add product identifiers");
  });

  it("reads at most 1,000 items per call, halves its calls when a URL is refused, and one failing shop does not hold up another", { timeout: 120_000 }, async () => {
    // 250 products of 5 variants: 1,250 items.
    const ids = Array.from({ length: 250 }, (_, i) => String(100 + i));
    for (const id of ids) await post(productPayload({ id: Number(id), updated_at: at() }, 5));
    const otherScenario = await connectCatalog(t.db, sim, other);
    await post(productPayload({ id: 9001, updated_at: at() }, 1), other);
    await drain(worker, t.db, 60_000);
    /** Makes these products' review due now, and every other product's later. */
    const checkNow = async (where: object) => {
      await t.db.productSync.updateMany({ where: { status: "SYNCED" }, data: { reviewCheckAt: new Date(Date.now() + 3_600_000) } });
      await t.db.productSync.updateMany({ where, data: { reviewCheckAt: new Date() } });
      sim.control.resetCallCounts();
      return new Date();
    };

    // One check of 1,250 items: ceil(1,250 / 1,000) = 2 calls.
    let since = await checkNow({ shop, productId: { in: ids } });
    await until(async () => (await t.db.productSync.count({ where: { shop, productId: { in: ids }, confirmedAt: { gte: since } } })) === 250, worker, 30_000);
    expect(readCalls()).toBe(2);
    expect(await t.db.productSync.count({ where: { shop, productId: { in: ids }, review: "LIVE" } })).toBe(250);

    // The other shop's token is refused: it is asked to reconnect, and this shop's review goes on.
    sim.faults.invalidateToken(otherScenario.catalogToken, 460);
    since = await checkNow({ OR: [{ shop: other }, { shop, productId: "11" }] });
    await until(async () => ((await row(11)).confirmedAt?.getTime() ?? 0) >= since.getTime());
    expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop: other } })).state).toBe("NEEDS_RECONNECT");
    // Its verdict is not read (the refused call changes nothing of it).
    expect(((await row(9001, other)).confirmedAt?.getTime() ?? 0) < since.getTime()).toBe(true);

    // A front end that refuses URLs this long (414): the client halves its calls and still reads everything.
    sim.control.configure({ maxUrlBytes: 8 * 1024 });
    try {
      since = await checkNow({ shop, productId: { in: ids } });
      await until(async () => (await t.db.productSync.count({ where: { shop, productId: { in: ids }, confirmedAt: { gte: since } } })) === 250, worker, 30_000);
      expect(readCalls()).toBeGreaterThan(2);
      expect(await t.db.productSync.count({ where: { shop, productId: { in: ids }, review: "LIVE" } })).toBe(250);
    } finally {
      sim.control.configure({ maxUrlBytes: 64 * 1024 });
    }
  });

  it("pauses the shop when Meta throttles a read-back, and reads the verdict once the pause is over", async () => {
    await post(productPayload({ id: 14, updated_at: at() }, 1));
    await drain(worker, t.db);
    await t.db.productSync.updateMany({ where: { shop, status: "SYNCED" }, data: { reviewCheckAt: new Date(Date.now() + 3_600_000) } });
    await t.db.productSync.updateMany({ where: { shop, productId: "14" }, data: { reviewCheckAt: new Date(), review: "SENT" } });
    sim.faults.add({ kind: "throttle", endpoint: "GET /{catalog-id}/products", regainMinutes: 1, times: 1 });
    await worker.tick();
    const paused = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(paused.pausedUntil!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect((await row(14)).review).toBe("SENT");
    // The worker keeps Meta's regain time too (its usage reading): nothing is read meanwhile.
    sim.control.resetCallCounts();
    await t.db.productSync.updateMany({ where: { shop, productId: "14" }, data: { reviewCheckAt: new Date() } });
    await worker.tick();
    expect(readCalls()).toBe(0);
    // Once Meta's wait is over (a worker started since), the read goes through.
    await t.db.catalogConnection.update({ where: { shop }, data: { pausedUntil: null } });
    await t.db.productSync.updateMany({ where: { shop, productId: "14" }, data: { reviewCheckAt: new Date() } });
    await until(async () => (await row(14)).review === "LIVE", reviewWorker(t.db, sim));
  });

  it("waits while Meta's usage headers are at 75 % or more", async () => {
    const fresh = reviewWorker(t.db, sim);
    // Every call now reports the business at 100 % of its budget.
    sim.control.configure({ usageLimitPerWindow: 1 });
    try {
      await post(productPayload({ id: 13, updated_at: at() }, 1));
      await drain(fresh, t.db);
      sim.control.resetCallCounts();
      expect((await row(13)).review).toBe("SENT");
      await new Promise((r) => setTimeout(r, REVIEW.firstCheckMs + 50));
      for (let i = 0; i < 5; i++) await fresh.tick();
      expect(readCalls()).toBe(0);
      const after = await row(13);
      expect(after.review).toBe("SENT");
      // Put off by at least a minute, not asked again every round.
      expect(after.reviewCheckAt!.getTime() - Date.now()).toBeGreaterThan(50_000);
    } finally {
      sim.control.configure({ usageLimitPerWindow: 10_000 });
    }
  });
});
