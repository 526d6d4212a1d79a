import { productsInCatalog, type CatalogProductChoice } from "../catalog/products-in-catalog.server";
import type { Db, Prisma } from "../db.server";
import { logger } from "../logger.server";
import { PRODUCT_LIST_MAX_ITEMS, type MetaGraphClient } from "../meta/index.server";
import { withToken } from "./connection.server";
import { openWindow, windowRecipient } from "./customer-window.server";
import { fail, type WhatsAppFailure } from "./failures";
import { recordAccepted, recordFailed, sendFailure } from "./message-log.server";
import { readTimeline, type MessageStatus, type TimelineEntry } from "./message-status";
import { productSections } from "./product-sections";

/**
 * "Send a product" (issue 18): a single-product message, or a multi-product
 * message (2 to 30 products in sections), to the customer who last wrote to
 * the sending number, while that customer's 24-hour window is open. The
 * products are the shop's own, as pushed to the catalog; the message rides
 * the test message's machinery (MessageLog, status webhooks, live timeline).
 */

const log = logger.child({ module: "whatsapp-product-message" });

export const SINGLE_BODY = "A product from our shop. Tap it to see the details.";
export const LIST_HEADER = "Picked for you";
export const LIST_BODY = "A few products from our shop. Tap one to see it and add it to your cart.";

export interface ProductMessageView {
  id: string;
  /** The recipient as the page may show it: "•••0123", or "a username" for a user without a visible number. */
  to: string;
  products: { productId: string; title: string }[];
  status: MessageStatus;
  timeline: TimelineEntry[];
  error: string | null;
  createdAt: string;
}

export type ProductSendOutcome = { ok: true; message: ProductMessageView } | { ok: false; failure: WhatsAppFailure; message?: ProductMessageView };

type LogRow = Awaited<ReturnType<Db["messageLog"]["findFirstOrThrow"]>>;

function sentProducts(value: Prisma.JsonValue | null) {
  return (Array.isArray(value) ? value : [])
    .filter((p): p is Record<string, Prisma.JsonValue> => typeof p === "object" && p !== null && !Array.isArray(p))
    .map((p) => ({ productId: String(p.productId ?? ""), title: String(p.title ?? "") }));
}

export function productMessageView(row: LogRow): ProductMessageView {
  return {
    id: row.id,
    to: row.to,
    products: sentProducts(row.products),
    status: row.status as MessageStatus,
    timeline: readTimeline(row.timeline),
    error: row.error,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function latestProductMessage(db: Db, shop: string): Promise<ProductMessageView | null> {
  const row = await db.messageLog.findFirst({ where: { shop, direction: "OUT", kind: "PRODUCT" }, orderBy: { createdAt: "desc" } });
  return row && productMessageView(row);
}

/** Sends the chosen products (their ids, in the order chosen) to the customer whose window is open. */
export async function sendProductMessage(db: Db, client: MetaGraphClient, shop: string, productIds: string[]): Promise<ProductSendOutcome> {
  let row: LogRow | null = null;
  try {
    if (productIds.length === 0 || productIds.length > PRODUCT_LIST_MAX_ITEMS) fail("invalid_input", `Choose 1 to ${PRODUCT_LIST_MAX_ITEMS} products.`);
    const connection = await db.whatsAppConnection.findUnique({ where: { shop }, select: { state: true } });
    if (connection?.state === "NEEDS_RECONNECT") fail("not_connected", "Reconnect WhatsApp before sending: Meta no longer accepts the current connection.");
    if (connection?.state !== "CONNECTED") fail("not_connected", "Connect WhatsApp before sending a product.");
    const number = await db.phoneNumber.findFirst({ where: { shop, active: true } });
    if (!number) fail("no_active_number", "Choose the number to send from first (Phone numbers › Use for sending).");
    if (!number.registered) fail("number_not_registered", `Register ${number.displayPhoneNumber} for Cloud API first (Phone numbers › Register).`);
    const catalog = await db.catalogConnection.findUnique({ where: { shop }, select: { catalogId: true, state: true } });
    if (!catalog?.catalogId || catalog.state === "DISCONNECTED") fail("catalog_not_connected", "Connect a catalog first (Catalog page).");
    const commerce = await db.whatsAppCommerce.findUnique({ where: { shop }, select: { linkedCatalogId: true } });
    if (commerce?.linkedCatalogId !== catalog.catalogId) {
      fail("catalog_not_linked", "Link your catalog to your WhatsApp account first (checklist above › Link catalog): WhatsApp sends only products of the linked catalog.");
    }
    const customerWindow = await openWindow(db, shop, number.phoneNumberId);
    const recipient = customerWindow && windowRecipient(shop, customerWindow.senderCiphertext);
    if (!customerWindow || !recipient) {
      fail(
        "window_closed",
        `No customer has written to ${number.displayPhoneNumber} in the last 24 hours, and WhatsApp delivers products only inside that window. ` +
          `Send any message from your phone to ${number.displayPhoneNumber} on WhatsApp, wait until this page shows it arrived, then send the product.`,
      );
    }
    const unique = [...new Set(productIds)];
    const found = await productsInCatalog(db, shop, { productIds: unique, limit: unique.length });
    const byId = new Map(found.map((p) => [p.productId, p]));
    const products = unique.map((id) => byId.get(id)).filter((p): p is CatalogProductChoice => Boolean(p));
    if (products.length !== unique.length) {
      fail("product_not_in_catalog", "One of the chosen products is not in the catalog (any more): only products shown as Live can be sent. Reload the page and choose again.");
    }

    row = await db.messageLog.create({
      data: {
        shop,
        phoneNumberId: number.phoneNumberId,
        to: customerWindow.senderHint ? `•••${customerWindow.senderHint}` : "a username",
        template: null,
        kind: "PRODUCT",
        products: products.map((p) => ({ productId: p.productId, retailerId: p.retailerId, title: p.title })),
        status: "PENDING",
        timeline: [],
      },
    });
    const catalogId = catalog.catalogId;
    const sent = await withToken(db, shop, (token) =>
      products.length === 1
        ? client.sendProductMessage(token, number.phoneNumberId, recipient, { catalogId, retailerId: products[0].retailerId, body: SINGLE_BODY })
        : client.sendProductListMessage(token, number.phoneNumberId, recipient, { catalogId, header: LIST_HEADER, body: LIST_BODY, sections: productSections(products) }),
    );
    const accepted = await recordAccepted(db, row.id, sent.wamid);
    log.info({ shop, messageId: row.id, phoneNumberId: number.phoneNumberId, products: products.length }, "product message accepted by Meta");
    return { ok: true, message: productMessageView(accepted) };
  } catch (error) {
    const failure = sendFailure(error, "sending the product message");
    if (!row) return { ok: false, failure };
    const failed = await recordFailed(db, row.id, failure);
    log.warn({ shop, messageId: row.id, failure: failure.code }, "product message refused");
    return { ok: false, failure, message: productMessageView(failed) };
  }
}
