import { productsInCatalog, type CatalogProductChoice } from "../catalog/products-in-catalog.server";
import type { Db } from "../db.server";
import { metaLoginSettings, type MetaLoginSettings } from "../meta/login-settings.server";
import { loadConnection, type StoredConnection } from "./connection.server";
import { openWindow, purgeClosedWindows } from "./customer-window.server";
import { readSnapshot } from "./health-snapshot";
import type { HealthVerdict } from "./health-status";
import { messagingLimitText } from "./messaging-limit";
import { latestProductMessage, type ProductMessageView } from "./product-message.server";
import type { Readiness } from "./readiness";
import { commerceReadiness, connectionVerdict } from "./readiness.server";
import { latestTestMessage, type TestMessageView } from "./test-message.server";

/**
 * Everything the WhatsApp page shows, as plain data. Built from columns
 * the page may see: never a ciphertext, token or PIN.
 */

export interface NumberView {
  phoneNumberId: string;
  displayPhoneNumber: string;
  verifiedName: string | null;
  qualityRating: string | null;
  status: string | null;
  nameStatus: string | null;
  registered: boolean;
  active: boolean;
}

export interface WhatsAppPageData {
  meta: MetaLoginSettings;
  connection: {
    state: string;
    wabaId: string;
    wabaName: string | null;
    businessId: string | null;
    scopes: string[];
    healthCheckedAt: string | null;
    webhookSeenAt: string | null;
    /** The business portfolio's messaging limit, in words; shared by all its numbers. */
    messagingLimit: string;
  } | null;
  verdict: HealthVerdict;
  numbers: NumberView[];
  lastTestMessage: TestMessageView | null;
  commerce: CommercePageData;
}

/** WhatsApp commerce (issue 18): the readiness checklist and "Send a product". */
export interface CommercePageData {
  readiness: Readiness;
  /** The sending number's customer service window, when one is open. */
  window: { lastInboundAt: string; closesAt: string; sender: string } | null;
  /** Products the picker offers (in the catalog, by title, at most PICKER_LIMIT). */
  products: Pick<CatalogProductChoice, "productId" | "title" | "price" | "imageUrl">[];
  lastProductMessage: ProductMessageView | null;
}

export const PICKER_LIMIT = 100;

export async function whatsAppPageData(db: Db, shop: string): Promise<WhatsAppPageData> {
  const [row, lastTestMessage] = await Promise.all([loadConnection(db, shop), latestTestMessage(db, shop)]);
  const snapshot = row ? readSnapshot(row.health) : null;
  const verdict = connectionVerdict(row, lastTestMessage);
  const numbers: NumberView[] = (row?.phoneNumbers ?? []).map((n) => ({
    phoneNumberId: n.phoneNumberId,
    displayPhoneNumber: n.displayPhoneNumber,
    verifiedName: n.verifiedName,
    qualityRating: n.qualityRating,
    status: n.status,
    nameStatus: n.nameStatus,
    registered: n.registered,
    active: n.active,
  }));
  return {
    meta: metaLoginSettings(),
    connection: row
      ? {
          state: row.state,
          wabaId: row.wabaId,
          wabaName: snapshot?.wabaName ?? null,
          businessId: row.businessId,
          scopes: Array.isArray(row.scopes) ? row.scopes.filter((s): s is string => typeof s === "string") : [],
          healthCheckedAt: row.healthCheckedAt?.toISOString() ?? null,
          webhookSeenAt: row.webhookSeenAt?.toISOString() ?? null,
          messagingLimit: messagingLimitText(row.messagingLimit),
        }
      : null,
    verdict,
    numbers,
    lastTestMessage,
    commerce: await commercePageData(db, shop, row, verdict),
  };
}

async function commercePageData(db: Db, shop: string, row: StoredConnection | null, verdict: HealthVerdict): Promise<CommercePageData> {
  await purgeClosedWindows(db);
  const active = row?.phoneNumbers.find((p) => p.active);
  const [readiness, open, products, lastProductMessage] = await Promise.all([
    commerceReadiness(db, shop, row, verdict),
    active ? openWindow(db, shop, active.phoneNumberId) : null,
    productsInCatalog(db, shop, { limit: PICKER_LIMIT }),
    latestProductMessage(db, shop),
  ]);
  return {
    readiness,
    window: open && {
      lastInboundAt: open.lastInboundAt.toISOString(),
      closesAt: open.closesAt.toISOString(),
      sender: open.senderHint ? `•••${open.senderHint}` : "a WhatsApp user with a username",
    },
    products: products.map((p) => ({ productId: p.productId, title: p.title, price: p.price, imageUrl: p.imageUrl })),
    lastProductMessage,
  };
}
