import type { Db } from "../../app/db.server";
import { sealSecret } from "../../app/vault/secrets.server";
import { productPayload, type ProductFixture } from "../fixtures/products";

/** The seeded offline token: a placeholder the Admin API stand-in accepts (it checks only tokens it issued). */
export const SANDBOX_OFFLINE_TOKEN = "shpat_sandbox_offline_token";

/**
 * Seeds an installed shop with an offline session, as Shopify's managed
 * install plus token exchange would leave it, its token sealed by the vault
 * as the app's session storage seals it (the process must hold the app's
 * ENCRYPTION_KEYS). The token is a placeholder for the Admin API stand-in.
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
    create: { id: `offline_${shop}`, shop, state: "", isOnline: false, scope, accessToken: sealSecret(shop, "shopify.token", SANDBOX_OFFLINE_TOKEN) },
    update: { scope },
  });
}

/** Replaces the shop's offline session with an expiring token pair (as a token exchange with expiring=1 stores it), sealed. */
export async function seedExpiringOfflineSession(
  db: Db,
  shop: string,
  token: { accessToken: string; refreshToken: string; expiresAt: Date; refreshTokenExpiresAt: Date },
) {
  const data = {
    accessToken: sealSecret(shop, "shopify.token", token.accessToken),
    refreshToken: sealSecret(shop, "shopify.refresh_token", token.refreshToken),
    expires: token.expiresAt,
    refreshTokenExpires: token.refreshTokenExpiresAt,
  };
  await db.session.upsert({
    where: { id: `offline_${shop}` },
    create: { id: `offline_${shop}`, shop, state: "", isOnline: false, scope: "read_products,read_inventory,read_publications", ...data },
    update: data,
  });
}

export interface SandboxMetaSeed {
  businessId: string;
  wabaId: string;
  wabaToken: string;
  phoneNumbers: { id: string; display: string; verifiedName: string }[];
  catalogId: string;
  catalogToken: string;
}

/**
 * A connected WABA (two numbers, the first active) and a connected catalog,
 * with every token sealed by the vault exactly as a real connect stores it.
 */
export async function seedMetaConnections(db: Db, shop: string, seed: SandboxMetaSeed) {
  const connection = await db.whatsAppConnection.upsert({
    where: { shop },
    create: {
      shop,
      wabaId: seed.wabaId,
      businessId: seed.businessId,
      tokenCiphertext: sealSecret(shop, "whatsapp.token", seed.wabaToken),
      scopes: ["whatsapp_business_management", "whatsapp_business_messaging", "business_management"],
      grantedTargets: {
        whatsapp_business_management: [seed.wabaId],
        whatsapp_business_messaging: [seed.wabaId],
        business_management: [seed.businessId],
      },
      state: "CONNECTED",
    },
    update: {},
  });
  for (const [i, phone] of seed.phoneNumbers.entries()) {
    await db.phoneNumber.upsert({
      where: { shop_phoneNumberId: { shop, phoneNumberId: phone.id } },
      create: {
        shop,
        phoneNumberId: phone.id,
        connectionId: connection.id,
        displayPhoneNumber: phone.display,
        verifiedName: phone.verifiedName,
        qualityRating: "GREEN",
        status: "CONNECTED",
        registered: true,
        pinCiphertext: sealSecret(shop, "whatsapp.pin", "000000"),
        active: i === 0,
      },
      update: {},
    });
  }
  await db.catalogConnection.upsert({
    where: { shop },
    create: {
      shop,
      businessId: seed.businessId,
      catalogId: seed.catalogId,
      catalogName: "Sandbox catalog",
      tokenCiphertext: sealSecret(shop, "catalog.token", seed.catalogToken),
      scopes: ["catalog_management", "business_management"],
      grantedTargets: { catalog_management: [seed.catalogId], business_management: [seed.businessId] },
      state: "CONNECTED",
    },
    update: {},
  });
}

const DEMO = [
  ["Organic Cotton T-Shirt", "Acme Apparel"],
  ["Linen Button-Down Shirt", "Acme Apparel"],
  ["Merino Wool Scarf", "Northwind"],
  ["Canvas Tote Bag", "Northwind"],
  // Meta's review rejects it (the simulator's rule for "replica", issue 17): the catalog page shows why.
  ["Replica Leather Card Holder", "Fieldnotes"],
  ["Ceramic Pour-Over Set", "Kettle & Co"],
  ["Stoneware Mug", "Kettle & Co"],
  ["Recycled Running Shorts", "Stride"],
  ["Trail Socks (3-pack)", "Stride"],
  ["Beeswax Candle", "Lumen"],
  ["Linen Table Napkins", "Lumen"],
  ["Gift Card", "Sandbox Store"],
] as const;

/** A small, varied catalog for the sandbox: one draft, one without an image, one Meta rejects (so the pages show every state). */
export function demoProducts(count: number): ProductFixture[] {
  return Array.from({ length: count }, (_, i) => {
    const [title, vendor] = DEMO[i % DEMO.length];
    const id = 8_000_000 + i;
    const base = productPayload({ id, title: i >= DEMO.length ? `${title} ${i}` : title, vendor, updated_at: "2026-11-01T09:00:00Z" }, 1 + (i % 4));
    if (title === "Gift Card") return { ...base, images: [], image: null };
    if (title === "Beeswax Candle") return { ...base, status: "draft" as const };
    return base;
  });
}
