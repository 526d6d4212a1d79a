/**
 * Shows that Prisma 6.19's WebAssembly query compiler keeps the memory a big
 * batch needed: RSS after $transaction batches of 50, 250 and 1,000 product
 * creates (with snapshots), the JS heap collected in between.
 *   DATABASE_URL=file:/tmp/x.sqlite node_modules/.bin/node --expose-gc --import tsx test/bench/tools/wasm-mem.ts
 * (a freshly migrated database: `prisma/migrate.ts` migrateDatabase).
 */
import { deliveryBody } from "../payloads";
const { db } = await import("../../../app/db.server");
const mem = (l: string) => { const m = process.memoryUsage(); console.log(l.padEnd(28), `rss=${(m.rss / 1e6) | 0} heap=${(m.heapUsed / 1e6) | 0} ext=${(m.external / 1e6) | 0}`); };
mem("start");
await db.shop.findFirst(); mem("after first query");
let id = 1;
const batch = (n: number) => Array.from({ length: n }, () => { const p = JSON.parse(deliveryBody(id, Date.now(), 1)); return db.productSync.create({ data: { shop: "s", productId: String(id++), title: "t", snapshot: p, shopifyUpdatedAt: new Date(), dirtySince: new Date() } }); });
for (const n of [50, 250, 1000]) { await db.$transaction(batch(n)); global.gc?.(); mem(`after $transaction(${n} creates)`); }
const rows = await db.productSync.findMany({ select: { id: true, snapshot: true } }); global.gc?.(); mem(`findMany ${rows.length} snapshots`);
