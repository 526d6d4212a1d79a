/**
 * In-process CPU per products/update ingest, before and after issue 7's
 * change (Prisma model queries in an interactive transaction -> three plain
 * statements on Prisma's driver adapter). The "before" module is the
 * committed version before the change, written to test/output/ingest-before.server.ts:
 *   git show 1e74e1f:app/catalog/ingest.server.ts | sed ... > test/output/ingest-before.server.ts
 *   DATABASE_URL=file:/tmp/x.sqlite node_modules/.bin/tsx test/bench/tools/ingest-before-after.ts
 * (a migrated database; the shop row is created here).
 */
import { ProductPayload } from "../../../app/catalog/product-payload";
import { deliveryBody } from "../payloads";

const { db, dbReady } = await import("../../../app/db.server");
const after = await import("../../../app/catalog/ingest.server");
const before = await import(`${process.cwd()}/test/output/ingest-before.server.ts`);
await dbReady;
await db.shop.upsert({ where: { domain: "s.myshopify.com" }, create: { domain: "s.myshopify.com", scopes: "x" }, update: {} });
const N = Number(process.env.N ?? 2000);
const product = (i: number, t: number) => ProductPayload.parse(JSON.parse(deliveryBody(i, t, 1)));
const bodies = Array.from({ length: N }, (_, i) => product(i + 1, Date.parse("2026-11-01T00:00:00Z")));
let k = 0;
async function time(name: string, ingest: typeof after.ingestProduct, offset: number, conc: number) {
  for (let i = 0; i < 100; i++) await ingest({ shop: "s.myshopify.com", topic: "PRODUCTS_UPDATE", webhookId: `warm-${name}-${i}` }, product(900_000 + offset + i, 1));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < N) {
        const i = next++;
        await ingest({ shop: "s.myshopify.com", topic: "PRODUCTS_UPDATE", webhookId: `w${k++}` }, { ...bodies[i], id: String(offset + i + 1) });
      }
    }),
  );
  const c = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(8)} concurrency ${conc}: ${((c.user + c.system) / N).toFixed(0).padStart(5)} µs CPU per delivery, ${((N / ms) * 1000).toFixed(0)}/s`);
}
for (const conc of [1, 8]) {
  await time("before", before.ingestProduct, 100_000 * (conc * 2), conc);
  await time("after", after.ingestProduct, 100_000 * (conc * 2 + 1), conc);
}
await db.$disconnect();
