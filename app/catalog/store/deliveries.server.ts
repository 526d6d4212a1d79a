import type { Db } from "../../db.server";
import { upsertDeletion, upsertProduct, type ProductState } from "./products.server";
import { asTime, sql, sqlOf, type Sql, type SqlDatabase } from "../../sql.server";

/**
 * A product webhook's one write: the delivery recorded by its
 * X-Shopify-Webhook-Id (the same across Shopify's retries) and its change to
 * ProductSync, in one transaction, so a retry is a no-op and the
 * de-duplication and the effect commit together. Each check runs in the
 * database: the delivery insert skips a known webhook id (ON CONFLICT DO
 * NOTHING), the product upsert skips a stale state (products.server.ts).
 * This is the app's busiest path, so it is written per database (below).
 */

export type IngestResult = "stored" | "duplicate" | "stale" | "unknown-shop";

export interface Delivery {
  shop: string;
  topic: string;
  webhookId: string;
}

/** What one delivery changes: a product's new state, or its deletion at `at`. */
export type ProductChange = { kind: "product"; state: ProductState } | { kind: "delete"; productId: string; at: Date };

const recordDelivery = (delivery: Delivery, now: Date, from = sql``) =>
  sql`INSERT INTO "WebhookDelivery" ("webhookId", "shop", "topic", "receivedAt")
      SELECT ${delivery.webhookId}, ${delivery.shop}, ${delivery.topic}, ${asTime(now)} ${from} WHERE true
      ON CONFLICT ("webhookId") DO NOTHING`;

const write = (delivery: Delivery, change: ProductChange, now: Date, from?: Sql) =>
  change.kind === "product" ? upsertProduct(change.state, now, from) : upsertDeletion(delivery.shop, change.productId, change.at, now, from);

export async function ingestDelivery(db: Db, delivery: Delivery, change: ProductChange, now = new Date()): Promise<IngestResult> {
  const database = sqlOf(db);
  return database.provider === "postgresql" ? ingestInOneStatement(database, delivery, change, now) : ingestInTransaction(database, delivery, change, now);
}

/** SQLite: the shop check, then the delivery and the change in one transaction (three kept statements). */
async function ingestInTransaction(database: SqlDatabase, delivery: Delivery, change: ProductChange, now: Date): Promise<IngestResult> {
  const [shop] = await database.query(sql`SELECT "uninstalledAt" FROM "Shop" WHERE "domain" = ${delivery.shop}`);
  if (!shop || shop[0] != null) return "unknown-shop";
  return database.transaction(async (tx) => {
    if ((await tx.run(recordDelivery(delivery, now))) === 0) return "duplicate";
    return (await tx.run(write(delivery, change, now))) > 0 ? "stored" : "stale";
  });
}

/**
 * PostgreSQL: all of it in one statement, prepared once per connection: one
 * round trip instead of five (SELECT, BEGIN, two INSERTs, COMMIT). Each step
 * runs only on the row the step before returned: no installed shop, no
 * delivery recorded; a known webhook id, no change. The counts say which
 * step stopped.
 */
async function ingestInOneStatement(database: SqlDatabase, delivery: Delivery, change: ProductChange, now: Date): Promise<IngestResult> {
  const statement = sql`WITH installed AS (SELECT 1 FROM "Shop" WHERE "domain" = ${delivery.shop} AND "uninstalledAt" IS NULL),
    delivery AS (${recordDelivery(delivery, now, sql`FROM installed`)} RETURNING 1),
    change AS (${write(delivery, change, now, sql`FROM delivery`)} RETURNING 1)
    SELECT (SELECT count(*) FROM installed)::int, (SELECT count(*) FROM delivery)::int, (SELECT count(*) FROM change)::int`;
  const [[installed, recorded, changed]] = await database.query(statement, `ingest-${change.kind}`);
  if (Number(installed) === 0) return "unknown-shop";
  if (Number(recorded) === 0) return "duplicate";
  return Number(changed) > 0 ? "stored" : "stale";
}

/** Deliveries are kept a few days: Shopify retries for at most 4 hours. */
export async function pruneDeliveries(db: Db, olderThanMs = 3 * 24 * 3600_000) {
  const { count } = await db.webhookDelivery.deleteMany({ where: { receivedAt: { lt: new Date(Date.now() - olderThanMs) } } });
  return count;
}
