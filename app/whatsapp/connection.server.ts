import type { Db } from "../db.server";
import { logger } from "../logger.server";
import { MetaGraphError, RateLimited, TokenInvalid, Transient, type MetaGraphClient } from "../meta/index.server";
import type { SecretValue } from "../vault/secret-value";
import { VaultError } from "../vault/errors";
import { openSecret, UNREADABLE_TOKEN } from "../vault/secrets.server";
import { fail } from "./failures";

/**
 * The stored WhatsApp connection: loading it, using its token, and the
 * state changes every step shares. The token is opened from the vault only
 * for the call that needs it; any 190 from any WhatsApp call turns the
 * connection into NEEDS_RECONNECT.
 */

const log = logger.child({ module: "whatsapp" });

export function loadConnection(db: Db, shop: string) {
  return db.whatsAppConnection.findUnique({
    where: { shop },
    include: { phoneNumbers: { orderBy: [{ createdAt: "asc" }, { phoneNumberId: "asc" }] } },
  });
}

export type StoredConnection = NonNullable<Awaited<ReturnType<typeof loadConnection>>>;

/** Why the connection needs a reconnect, with the symptoms a merchant would notice meanwhile. */
export function reconnectReason(cause: string): string {
  return (
    `Meta no longer accepts this shop's WhatsApp connection: ${cause}. Until you reconnect, test messages fail ` +
    "and message and template statuses stop updating."
  );
}

/**
 * Marks the connection NEEDS_RECONNECT, but only while it still holds the
 * token that failed: a stale failure must not undo a reconnect that
 * happened meanwhile.
 */
export async function markNeedsReconnect(db: Db, shop: string, tokenCiphertext: string, reason: string, lastError?: string) {
  const { count } = await db.whatsAppConnection.updateMany({
    where: { shop, tokenCiphertext, state: { not: "DISCONNECTED" } },
    data: { state: "NEEDS_RECONNECT", stateReason: reason, lastError: lastError ?? reason },
  });
  if (count) log.warn({ shop, reason }, "whatsapp connection needs reconnect");
  return count > 0;
}

/**
 * Runs `call` with the shop's WhatsApp token opened from the vault. A 190
 * (TokenInvalid) from Meta marks the connection NEEDS_RECONNECT before the
 * error goes on to the caller.
 */
export async function withToken<T>(db: Db, shop: string, call: (token: SecretValue) => Promise<T>): Promise<T> {
  const row = await db.whatsAppConnection.findUnique({ where: { shop }, select: { tokenCiphertext: true, state: true } });
  if (!row?.tokenCiphertext || row.state === "DISCONNECTED") {
    return fail("not_connected", "WhatsApp is not connected for this shop. Click Connect WhatsApp first.");
  }
  const ciphertext = row.tokenCiphertext;
  try {
    return await call(openWhatsAppToken(shop, ciphertext));
  } catch (error) {
    if (error instanceof TokenInvalid) await markNeedsReconnect(db, shop, ciphertext, reconnectReason(error.reason), error.message);
    throw error;
  }
}

/** The shop's stored WhatsApp token; a token the vault cannot open fails the step in the merchant's words. */
export function openWhatsAppToken(shop: string, ciphertext: string): SecretValue {
  try {
    return openSecret(shop, "whatsapp.token", ciphertext);
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    log.error({ shop, err: error }, "the stored whatsapp token cannot be opened");
    return fail("token_unreadable", UNREADABLE_TOKEN);
  }
}

/**
 * Disconnect: the app first unsubscribes from the WABA's webhooks with the
 * stored token (DELETE /{waba}/subscribed_apps), unless another shop of this
 * app is still connected to the same WABA; then the row goes (its phone
 * numbers and their PINs with it), so nothing can send any more. Meta being
 * unreachable keeps the connection (the token is the only way to unsubscribe);
 * a token Meta refuses, or one the vault cannot open, cannot unsubscribe:
 * the connection goes anyway and the merchant is told what stays behind.
 */
export async function disconnect(db: Db, client: MetaGraphClient, shop: string): Promise<{ removed: boolean; warning?: string }> {
  const row = await db.whatsAppConnection.findUnique({ where: { shop }, select: { wabaId: true, tokenCiphertext: true, state: true } });
  if (!row) return { removed: false };
  let warning: string | undefined;
  const shared = await db.whatsAppConnection.count({ where: { wabaId: row.wabaId, shop: { not: shop }, state: { not: "DISCONNECTED" } } });
  if (row.tokenCiphertext && row.state !== "DISCONNECTED" && shared === 0) {
    try {
      await client.unsubscribeApp(openSecret(shop, "whatsapp.token", row.tokenCiphertext), row.wabaId);
    } catch (error) {
      if (error instanceof Transient || error instanceof RateLimited) {
        return fail(error instanceof RateLimited ? "rate_limited" : "meta_unavailable", "Meta did not answer, so WhatsApp is still connected. Click Disconnect again in a minute.");
      }
      if (!(error instanceof MetaGraphError || error instanceof VaultError)) throw error;
      log.warn({ shop, err: error }, "could not unsubscribe the app from the WABA's webhooks");
      warning =
        "The app could not remove itself from your WhatsApp account's notifications, because Meta no longer accepts its access. " +
        "To remove it completely, remove the app from the WhatsApp account in Meta Business Settings.";
    }
  }
  const [{ count }] = await db.$transaction([
    db.whatsAppConnection.deleteMany({ where: { shop } }),
    // What the app knew through this connection: the catalog link, the commerce settings, the last customer who wrote.
    db.whatsAppCommerce.deleteMany({ where: { shop } }),
    db.customerWindow.deleteMany({ where: { shop } }),
  ]);
  log.info({ shop, removed: count > 0, unsubscribed: !warning && shared === 0 }, "whatsapp disconnected");
  return { removed: count > 0, warning };
}

/** Remembers the last failure of a step on an existing connection, without changing its state. */
export async function recordLastError(db: Db, shop: string, message: string, opts: { alsoReasonIfNeedsReconnect?: boolean } = {}) {
  await db.whatsAppConnection.updateMany({ where: { shop }, data: { lastError: message } });
  if (opts.alsoReasonIfNeedsReconnect) {
    await db.whatsAppConnection.updateMany({ where: { shop, state: "NEEDS_RECONNECT" }, data: { stateReason: message } });
  }
}

/**
 * Stores the business portfolio's messaging limit as Meta reported it at `at`
 * (a health check's start, a webhook's time). Compare-and-set on the time of
 * the last report, so an older report never overwrites a newer one.
 */
export async function storeMessagingLimit(db: Pick<Db, "whatsAppConnection">, where: { shop: string } | { shop: { in: string[] } }, tier: string, at: Date) {
  const { count } = await db.whatsAppConnection.updateMany({
    where: { ...where, OR: [{ messagingLimitAt: null }, { messagingLimitAt: { lte: at } }] },
    data: { messagingLimit: tier, messagingLimitAt: at },
  });
  return count;
}
