import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { sendWebhook } from "../helpers/shopify";
import { routeData } from "../helpers/route-data";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator } from "../meta-sim";
import type { CatalogWorker } from "../../app/catalog/worker.server";
import type { CatalogPageData } from "../../app/catalog/page-data.server";

/**
 * A Meta outage is not a broken token (issue 16, point 3): while Meta answers
 * 5xx or code 2 the connection stays Connected, records since when Meta has not
 * answered and keeps the last success, and the pages say so; the next answer
 * clears it. A token Meta refuses (190) is what asks for a reconnect.
 */
describe.each(providers())("a Meta outage on the catalog, on %s", (provider) => {
  const t = useApp(provider);
  const shop = `outage-${provider}.myshopify.com`;
  let sim: MetaSimulator;
  let worker: CatalogWorker;
  let clock = Date.parse("2026-11-01T00:00:00Z");
  const at = () => new Date((clock += 1000)).toISOString();
  const post = (body: unknown) => sendWebhook(t.url, "/webhooks/products", "products/update", body, { shop });
  const connection = () => t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
  const page = async () => (await routeData<CatalogPageData>(t.url, shop, "/app/catalog?index", "routes/app.catalog._index")).data!;

  beforeAll(async () => {
    sim = await createMetaSimulator();
    sim.control.configure({ batchDelayMs: 10 });
    await connectCatalog(t.db, sim, shop);
    worker = testWorker(t.db, sim);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("says Meta is not answering, keeps the last success and the connection, and clears when Meta answers", async () => {
    await post(productPayload({ id: 1, updated_at: at() }, 1));
    await drain(worker, t.db);
    const lastSuccessAt = (await connection()).lastSuccessAt;
    expect(lastSuccessAt).not.toBeNull();

    sim.faults.set({ rules: [{ kind: "error", endpoint: "POST /{catalog-id}/items_batch", status: 503, code: 2 }] });
    await post(productPayload({ id: 1, title: "Renamed", updated_at: at() }, 1));
    for (let i = 0; i < 20 && !(await connection()).unreachableSince; i++) {
      await worker.tick();
      await t.db.productSync.updateMany({ where: { shop }, data: { nextAttemptAt: null } });
    }
    const down = await connection();
    expect(down.state).toBe("CONNECTED");
    expect(down.unreachableSince).not.toBeNull();
    expect(down.lastSuccessAt).toEqual(lastSuccessAt);
    const shown = await page();
    expect(shown.connection).toMatchObject({ state: "CONNECTED", unreachableSince: down.unreachableSince!.toISOString(), lastSuccessAt: lastSuccessAt!.toISOString() });
    expect(shown.summary.counts.PENDING).toBe(1); // the change waits, nothing is lost
    const product = await routeData<{ metaUnreachable: unknown; status: string }>(t.url, shop, "/app/catalog/1", "routes/app.catalog.$productId");
    expect(product.data).toMatchObject({ status: "PENDING", metaUnreachable: { lastSuccessAt: lastSuccessAt!.toISOString() } });

    sim.faults.clear();
    await t.db.productSync.updateMany({ where: { shop }, data: { nextAttemptAt: null } });
    await drain(worker, t.db);
    const up = await connection();
    expect(up.unreachableSince).toBeNull();
    expect(up.lastSuccessAt!.getTime()).toBeGreaterThan(lastSuccessAt!.getTime());
    // Meta accepted the change: it is Sent (under review), nothing waits any more.
    expect((await page()).summary.counts).toMatchObject({ PENDING: 0, FAILED: 0, SENT: 1 });
  });

  it("asks for a reconnect only when Meta refuses the token", async () => {
    sim.faults.set({ rules: [{ kind: "error", endpoint: "POST /{catalog-id}/items_batch", status: 400, code: 190, message: "Error validating access token" }] });
    await post(productPayload({ id: 1, title: "Renamed again", updated_at: at() }, 1));
    for (let i = 0; i < 20 && (await connection()).state === "CONNECTED"; i++) await worker.tick();
    const refused = await connection();
    expect(refused.state).toBe("NEEDS_RECONNECT");
    expect(refused.unreachableSince).toBeNull();
    sim.faults.clear();
  });
});
