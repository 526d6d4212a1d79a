import type { Db } from "../../app/db.server";

/**
 * Seeds an installed shop with an offline session, as Shopify's managed
 * install plus token exchange would leave it. The access token is a
 * placeholder: nothing in the sandbox calls Shopify's Admin API with it.
 */
export async function seedInstalledShop(db: Db, shop: string, opts: { scopes?: string } = {}) {
  const scope = opts.scopes ?? "read_products,read_inventory,read_publications";
  await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, scopes: scope },
    update: { uninstalledAt: null, syncPausedReason: null, scopes: scope },
  });
  await db.session.upsert({
    where: { id: `offline_${shop}` },
    create: { id: `offline_${shop}`, shop, state: "", isOnline: false, scope, accessToken: "shpat_sandbox_offline_token" },
    update: { scope },
  });
}
