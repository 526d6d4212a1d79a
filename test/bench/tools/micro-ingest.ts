/**
 * CPU per call, in-process: the offline-session read authenticate.webhook
 * makes, the payload's zod parse, and the ingest statement (sequential and 8 at a time).
 *   DATABASE_URL=file:/tmp/x.sqlite node_modules/.bin/tsx test/bench/tools/micro-ingest.ts
 */
import { deliveryBody } from "../payloads";
import { ProductPayload } from "../../../app/catalog/product-payload";
const { db } = await import("../../../app/db.server");
const { ingestDelivery } = await import("../../../app/catalog/store/deliveries.server");
const { productState } = await import("../../../app/catalog/store/products.server");
const ingestProduct = (delivery: { shop: string; topic: string; webhookId: string }, product: ReturnType<typeof ProductPayload.parse>) =>
  ingestDelivery(db, delivery, { kind: "product", state: productState(delivery.shop, product) });
await db.shop.upsert({ where: { domain: "s.myshopify.com" }, create: { domain: "s.myshopify.com", scopes: "x" }, update: {} });
await db.session.upsert({ where: { id: "offline_s.myshopify.com" }, create: { id: "offline_s.myshopify.com", shop: "s.myshopify.com", state: "", isOnline: false, accessToken: "x" }, update: {} });
const N = Number(process.env.N ?? 2000);
const bodies = Array.from({ length: N + 200 }, (_, i) => ProductPayload.parse(JSON.parse(deliveryBody(i + 1, Date.parse("2026-11-01T00:00:00Z") + i, 1))));
async function time(name: string, n: number, fn: (i: number) => Promise<unknown>, conc = 1) {
  for (let i = 0; i < 100; i++) await fn(N + i);
  const t0 = performance.now(); const c0 = process.cpuUsage();
  let next = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (next < n) await fn(next++); }));
  const c = process.cpuUsage(c0); const ms = performance.now() - t0;
  console.log(`${name.padEnd(36)} ${(ms / n * 1000).toFixed(0).padStart(6)} µs wall ${((c.user + c.system) / n).toFixed(0).padStart(6)} µs cpu  ${(n / ms * 1000).toFixed(0)}/s`);
}
await time("session.findUnique", N, () => db.session.findUnique({ where: { id: "offline_s.myshopify.com" } }));
await time("zod parse", N, (i) => Promise.resolve(ProductPayload.parse(JSON.parse(deliveryBody(i + 1, 1, 1)))));
let k = 0;
await time("ingestProduct", N, (i) => ingestProduct({ shop: "s.myshopify.com", topic: "PRODUCTS_UPDATE", webhookId: `w${k++}` }, bodies[i]));
await time("ingestProduct conc 8", N, (i) => ingestProduct({ shop: "s.myshopify.com", topic: "PRODUCTS_UPDATE", webhookId: `w${k++}` }, { ...bodies[i], updated_at: "2026-12-01T00:00:00Z" }), 8);
const { closeDb } = await import("../../../app/db.server");
await closeDb(db);
