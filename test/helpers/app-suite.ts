import { afterAll, beforeAll } from "vitest";
import { startApp, type AppProcess } from "./app-process";
import { createTestDatabase, type Provider, type TestDatabase } from "./databases";

/**
 * One database and one running app (the production build) per provider,
 * shared by the tests of a describe block.
 */
export function useApp(provider: Provider, env: Record<string, string> = {}) {
  const ctx = {} as { app: AppProcess; database: TestDatabase };
  beforeAll(async () => {
    ctx.database = await createTestDatabase(provider);
    ctx.app = await startApp({ databaseUrl: ctx.database.url, env });
  });
  afterAll(async () => {
    await ctx.app?.stop();
    await ctx.database?.drop();
  });
  return {
    get url() {
      return ctx.app.url;
    },
    get db() {
      return ctx.database.db;
    },
    /** The database's URL, for a CLI run against it. */
    get databaseUrl() {
      return ctx.database.url;
    },
    get app() {
      return ctx.app;
    },
  };
}

/** Every row of every table, for "nothing changed" assertions. */
export async function snapshotRows(db: TestDatabase["db"]) {
  const [shops, sessions, deliveries, products, wa, phones, catalogs, batches, messages, inventory, bulkLines, commerce, windows] = await Promise.all([
    db.shop.findMany({ orderBy: { domain: "asc" } }),
    db.session.findMany({ orderBy: { id: "asc" } }),
    db.webhookDelivery.findMany({ orderBy: { webhookId: "asc" } }),
    db.productSync.findMany({ orderBy: { id: "asc" } }),
    db.whatsAppConnection.findMany({ orderBy: { id: "asc" } }),
    db.phoneNumber.findMany({ orderBy: { id: "asc" } }),
    db.catalogConnection.findMany({ orderBy: { id: "asc" } }),
    db.catalogBatch.findMany({ orderBy: { id: "asc" } }),
    db.messageLog.findMany({ orderBy: { id: "asc" } }),
    db.inventoryItemState.findMany({ orderBy: [{ shop: "asc" }, { inventoryItemId: "asc" }] }),
    db.bulkExportLine.findMany({ orderBy: [{ shop: "asc" }, { runId: "asc" }, { line: "asc" }] }),
    db.whatsAppCommerce.findMany({ orderBy: { id: "asc" } }),
    db.customerWindow.findMany({ orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify(
    { shops, sessions, deliveries, products, wa, phones, catalogs, batches, messages, inventory, bulkLines, commerce, windows },
    (_k, v) => (typeof v === "bigint" ? v.toString() : v),
  );
}
