import { randomUUID } from "node:crypto";
import { db, dialect, directSqlite, providerOfDb, sqlQuery, type DirectSqlite, type SqlStatement } from "../db.server";
import type { ProductSnapshot } from "./product-payload";

/**
 * The webhook half of the catalog pipeline: store the newest snapshot of a
 * product and mark it dirty, in one transaction with the delivery's
 * de-duplication. No Graph call here; the worker does that.
 *
 * Plain SQL, for speed (issue 7): Prisma 6.19's Rust-free client compiles
 * every query to a plan in WebAssembly, about 0.7 ms of CPU per model query
 * on the benchmark machine, and the Prisma version of this path took five
 * queries in an interactive transaction. On SQLite it is one read and two
 * statements in a transaction on a connection with kept prepared statements
 * (db.server.ts DirectSqlite); on PostgreSQL one statement (postgresStore).
 * Each does its checks in the database: the delivery insert skips a known
 * webhook id (ON CONFLICT DO NOTHING), and the product upsert only
 * overwrites an older, not deleted snapshot (ON CONFLICT ... DO UPDATE ...
 * WHERE), re-checked under the row lock, so two concurrent deliveries for
 * one product cannot let the older state win. Dates are bound as Prisma
 * writes them, so Prisma reads the rows back unchanged.
 */

export type IngestResult = "stored" | "duplicate" | "stale" | "unknown-shop";

interface Delivery {
  shop: string;
  topic: string;
  /** X-Shopify-Webhook-Id: required by the signature check, the same across Shopify's retries. */
  webhookId: string;
}

const provider = providerOfDb(db);
const sql = (text: string, json: number[] = []) => dialect(provider, text, json);

// Shopify never reuses a product id, so a deleted product stays deleted; an
// equal updated_at is the same state delivered again (stale).
const PRODUCT_COLUMNS = `"id", "shop", "productId", "title", "snapshot", "shopifyUpdatedAt", "dirty", "dirtySince", "status", "createdAt", "updatedAt"`;
// Either write marks the row dirty again: a new version, its backoff reset, waiting since its first unsent change.
const MARK_DIRTY = `"dirty" = true,
     "dirtySince" = CASE WHEN "ProductSync"."dirty" THEN "ProductSync"."dirtySince" ELSE excluded."dirtySince" END,
     "version" = "ProductSync"."version" + 1,
     "attempts" = 0,
     "nextAttemptAt" = NULL,
     "updatedAt" = excluded."updatedAt"`;
const PRODUCT_UPSERT = `ON CONFLICT ("shop", "productId") DO UPDATE SET
     "title" = excluded."title",
     "snapshot" = excluded."snapshot",
     "shopifyUpdatedAt" = excluded."shopifyUpdatedAt",
     ${MARK_DIRTY}
   WHERE "ProductSync"."deleted" = false AND "ProductSync"."shopifyUpdatedAt" < excluded."shopifyUpdatedAt"`;

const DELETE_COLUMNS = `"id", "shop", "productId", "shopifyUpdatedAt", "deleted", "dirty", "dirtySince", "status", "createdAt", "updatedAt"`;
const DELETE_UPSERT = `ON CONFLICT ("shop", "productId") DO UPDATE SET
     "deleted" = true,
     ${MARK_DIRTY}
   WHERE "ProductSync"."deleted" = false`;

/** What one delivery writes: a product's new state, or its deletion. */
type Write =
  | { kind: "product"; id: string; productId: string; title: string; snapshot: string; updatedAt: Date }
  | { kind: "delete"; id: string; productId: string; at: Date };

/** SQLite: the shop check, then the delivery and the write in one transaction, on DirectSqlite. */
function sqliteStore(direct: DirectSqlite) {
  const shopSql = sql(`SELECT "uninstalledAt" FROM "Shop" WHERE "domain" = $1`);
  const deliverySql = sql(`INSERT INTO "WebhookDelivery" ("webhookId", "shop", "topic", "receivedAt") VALUES ($1, $2, $3, $4) ON CONFLICT ("webhookId") DO NOTHING`);
  const productSql = sql(`INSERT INTO "ProductSync" (${PRODUCT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, true, $7, 'PENDING', $7, $7) ${PRODUCT_UPSERT}`);
  const deleteSql = sql(`INSERT INTO "ProductSync" (${DELETE_COLUMNS}) VALUES ($1, $2, $3, $4, true, true, $5, 'PENDING', $5, $5) ${DELETE_UPSERT}`);
  return async (delivery: Delivery, now: Date, write: Write): Promise<IngestResult> => {
    const shop = direct.get({ sql: shopSql, args: [delivery.shop] });
    if (!shop || shop[0] != null) return "unknown-shop";
    const statement: SqlStatement =
      write.kind === "product"
        ? { sql: productSql, args: [write.id, delivery.shop, write.productId, write.title, write.snapshot, write.updatedAt, now] }
        : { sql: deleteSql, args: [write.id, delivery.shop, write.productId, write.at, now] };
    return direct.transaction(() => {
      if (direct.run({ sql: deliverySql, args: [delivery.webhookId, delivery.shop, delivery.topic, now] }) === 0) return "duplicate";
      return direct.run(statement) > 0 ? "stored" : "stale";
    });
  };
}

/**
 * PostgreSQL: all of it in one statement, so one round trip instead of five
 * (SELECT, BEGIN, two INSERTs, COMMIT), prepared once per connection. Each step runs only on the row the
 * step before returned: no installed shop, no delivery recorded; a known
 * webhook id, no write. The counts say which step stopped.
 */
function postgresStore() {
  const steps = (write: string) =>
    `WITH installed AS (SELECT 1 FROM "Shop" WHERE "domain" = $2 AND "uninstalledAt" IS NULL),
     delivery AS (
       INSERT INTO "WebhookDelivery" ("webhookId", "shop", "topic", "receivedAt")
       SELECT $1, $2, $3, $4::timestamp(3) FROM installed
       ON CONFLICT ("webhookId") DO NOTHING RETURNING 1),
     write AS (${write} RETURNING 1)
     SELECT (SELECT count(*) FROM installed)::int, (SELECT count(*) FROM delivery)::int, (SELECT count(*) FROM write)::int`;
  const productSql = steps(
    `INSERT INTO "ProductSync" (${PRODUCT_COLUMNS})
     SELECT $5, $2, $6, $7, $8::jsonb, $9::timestamp(3), true, $4::timestamp(3), 'PENDING', $4::timestamp(3), $4::timestamp(3) FROM delivery
     ${PRODUCT_UPSERT}`,
  );
  const deleteSql = steps(
    `INSERT INTO "ProductSync" (${DELETE_COLUMNS})
     SELECT $5, $2, $6, $7::timestamp(3), true, true, $4::timestamp(3), 'PENDING', $4::timestamp(3), $4::timestamp(3) FROM delivery
     ${DELETE_UPSERT}`,
  );
  return async (delivery: Delivery, now: Date, write: Write): Promise<IngestResult> => {
    const common = [delivery.webhookId, delivery.shop, delivery.topic, now];
    const [[installed, recorded, written]] = await sqlQuery(
      db,
      write.kind === "product"
        ? { name: "ingest-product", sql: productSql, args: [...common, write.id, write.productId, write.title, write.snapshot, write.updatedAt] }
        : { name: "ingest-delete", sql: deleteSql, args: [...common, write.id, write.productId, write.at] },
    );
    if (Number(installed) === 0) return "unknown-shop";
    if (Number(recorded) === 0) return "duplicate";
    return Number(written) > 0 ? "stored" : "stale";
  };
}

let store: ((delivery: Delivery, now: Date, write: Write) => Promise<IngestResult>) | undefined;

/**
 * Records the delivery by its X-Shopify-Webhook-Id (the same across retries)
 * and makes the write in the same transaction: a retry is a no-op, and the
 * de-duplication and the effect commit together. The write changes one
 * product row, or none when the delivery is stale.
 */
async function ingest(delivery: Delivery, write: Write): Promise<IngestResult> {
  if (!store) {
    const direct = directSqlite(db);
    store = direct ? sqliteStore(direct) : postgresStore();
  }
  return store(delivery, new Date(), write);
}

/** products/create and products/update. */
export function ingestProduct(delivery: Delivery, product: ProductSnapshot): Promise<IngestResult> {
  return ingest(delivery, {
    kind: "product",
    id: randomUUID(),
    productId: product.id,
    title: product.title.slice(0, 500),
    snapshot: JSON.stringify(product),
    updatedAt: new Date(product.updated_at),
  });
}

/** products/delete: every retailer id pushed for the product is removed by the worker. */
export function ingestProductDelete(
  delivery: Delivery & { triggeredAt?: string },
  productId: string,
): Promise<IngestResult> {
  const at = delivery.triggeredAt && !Number.isNaN(Date.parse(delivery.triggeredAt))
    ? new Date(delivery.triggeredAt)
    : new Date();
  return ingest(delivery, { kind: "delete", id: randomUUID(), productId, at });
}
