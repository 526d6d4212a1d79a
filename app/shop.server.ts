import { forgetShopSync, shopCounts } from "./catalog/store/products.server";
import type { Verdict } from "./catalog/verdict";
import type { Db } from "./db.server";
import { logger } from "./logger.server";

/** Shop lifecycle: install, uninstall, redact, and the overview of its state. */

export type ConnectionState = "CONNECTED" | "NEEDS_RECONNECT" | "DISCONNECTED";

/** Records the shop as installed (again); called whenever an admin session loads. */
export async function ensureShop(db: Db, shop: string) {
  await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop },
    update: { uninstalledAt: null, syncPausedReason: null },
  });
}

/**
 * app/uninstalled: may arrive twice and after the shop is gone, so every step
 * is idempotent. Sessions go (their tokens are dead), sync pauses, data stays
 * until shop/redact in case the merchant reinstalls.
 */
export async function markUninstalled(db: Db, shop: string) {
  const sessions = await db.session.deleteMany({ where: { shop } });
  const updated = await db.shop.updateMany({
    where: { domain: shop, uninstalledAt: null },
    data: { uninstalledAt: new Date(), syncPausedReason: "UNINSTALLED" },
  });
  logger.info({ shop, sessionsDeleted: sessions.count, wasInstalled: updated.count > 0 }, "app uninstalled");
}

/** The shops among `shops` that have not uninstalled the app (background work uses no token of a shop that left). */
export async function installedShops(db: Db, shops: string[]): Promise<string[]> {
  if (shops.length === 0) return [];
  const gone = new Set(
    (await db.shop.findMany({ where: { domain: { in: shops }, uninstalledAt: { not: null } }, select: { domain: true } })).map((s) => s.domain),
  );
  return shops.filter((shop) => !gone.has(shop));
}

/** shop/redact: delete every row of the shop, encrypted secrets included. */
export async function redactShop(db: Db, shop: string) {
  const where = { shop };
  const counts = await db.$transaction([
    db.phoneNumber.deleteMany({ where }),
    db.whatsAppConnection.deleteMany({ where }),
    db.catalogConnection.deleteMany({ where }),
    ...forgetShopSync(db, shop),
    db.messageLog.deleteMany({ where }),
    db.whatsAppCommerce.deleteMany({ where }),
    db.customerWindow.deleteMany({ where }),
    db.session.deleteMany({ where }),
    db.shop.deleteMany({ where: { domain: shop } }),
  ]);
  logger.info({ shop, rowsDeleted: counts.reduce((n, c) => n + c.count, 0) }, "shop redacted");
}

export async function updateShopScopes(db: Db, shop: string, scopes: string[]) {
  await db.shop.updateMany({ where: { domain: shop }, data: { scopes: scopes.join(",") } });
  await db.session.updateMany({ where: { shop }, data: { scope: scopes.join(",") } });
}

export interface ShopOverview {
  shop: string;
  whatsapp: { state: ConnectionState; wabaId: string | null; activeNumber: string | null; reason: string | null };
  catalog: { state: ConnectionState; catalogId: string | null; catalogName: string | null; reason: string | null };
  /** The shop's products by status (Meta's verdict, app/catalog/verdict.ts), as the Catalog page counts them. */
  products: Record<Verdict, number>;
}

export async function shopOverview(db: Db, shop: string): Promise<ShopOverview> {
  const [wa, catalog, counts] = await Promise.all([
    db.whatsAppConnection.findUnique({
      where: { shop },
      include: { phoneNumbers: { where: { active: true }, take: 1 } },
    }),
    db.catalogConnection.findUnique({ where: { shop } }),
    shopCounts(db, shop),
  ]);
  return {
    shop,
    whatsapp: {
      state: (wa?.state as ConnectionState) ?? "DISCONNECTED",
      wabaId: wa?.wabaId ?? null,
      activeNumber: wa?.phoneNumbers[0]?.displayPhoneNumber ?? null,
      reason: wa?.stateReason ?? null,
    },
    catalog: {
      state: (catalog?.state as ConnectionState) ?? "DISCONNECTED",
      catalogId: catalog?.catalogId ?? null,
      catalogName: catalog?.catalogName ?? null,
      reason: catalog?.stateReason ?? null,
    },
    // The Catalog page's count (catalog/store/products.server.ts shopCounts): the two pages never disagree.
    products: counts.byStatus,
  };
}
