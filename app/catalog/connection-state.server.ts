import type { Db } from "../db.server";
import type { Logger } from "../logger.server";
import { explainGraphError } from "../meta/explain";
import { MetaGraphError, PermissionMissing, RateLimited, TokenInvalid, Transient } from "../meta/index.server";
import type { VaultError } from "../vault/errors";
import { UNREADABLE_TOKEN } from "../vault/secrets.server";

/**
 * What a Graph failure means for a shop's catalog connection, in the
 * merchant's words. A token or permission problem stops the catalog sync
 * (dirty products wait, nothing is dropped) until the merchant reconnects;
 * throttling pauses it until Meta's regain time.
 */

/** Why a failure stops the shop's catalog sync until the merchant reconnects, or null when it does not. */
export function stopReason(error: MetaGraphError): string | null {
  if (error instanceof TokenInvalid || error instanceof PermissionMissing) {
    const explained = explainGraphError(error, { doing: "syncing the catalog", access: "the catalog token", reconnect: "Reconnect the catalog" });
    return `${explained} Syncing resumes by itself once you do; no product change is lost meanwhile.`;
  }
  // Meta answers 100/33 when the catalog is gone or the token cannot reach it.
  if (error.code === 100 && error.subcode === 33) {
    return "The Meta Catalog no longer exists or this token cannot reach it. Reconnect and choose a catalog.";
  }
  return null;
}

/**
 * Applies a failure to the connection; returns true when the shop's sync is now stopped or paused.
 * `tokenCiphertext` is the token the failed call used: a 190 that comes back after the merchant
 * already reconnected (the call was in flight with the old token) must not mark the fresh
 * connection as needing a reconnect again, or the sync stopped for good (issue 8).
 */
export async function applyCatalogFailure(db: Db, shop: string, error: MetaGraphError, now = new Date(), tokenCiphertext?: string): Promise<boolean> {
  const reason = stopReason(error);
  if (reason) {
    await db.catalogConnection.updateMany({
      where: { shop, ...(tokenCiphertext ? { tokenCiphertext } : {}) },
      data: { state: "NEEDS_RECONNECT", stateReason: reason, lastError: error.message },
    });
    return true;
  }
  if (error instanceof RateLimited) {
    await db.catalogConnection.updateMany({
      where: { shop },
      data: {
        pausedUntil: new Date(now.getTime() + error.retryAfterMs),
        lastError: `Meta is throttling catalog updates; syncing resumes by itself in about ${Math.ceil(error.retryAfterMs / 60_000)} min.`,
      },
    });
    return true;
  }
  if (error instanceof Transient) {
    // Meta did not answer (5xx, timeout, codes 1 and 2): the page says so, with the time of the last
    // success, instead of a green Connected while every push fails. The first failure's time is kept.
    await db.catalogConnection.updateMany({ where: { shop, unreachableSince: null }, data: { unreachableSince: now } });
  }
  await db.catalogConnection.updateMany({ where: { shop }, data: { lastError: error.message } });
  return false;
}

/** Meta answered a catalog call: an outage the page showed is over. */
export async function recordMetaAnswered(db: Db, shop: string) {
  await db.catalogConnection.updateMany({ where: { shop, OR: [{ lastError: { not: null } }, { unreachableSince: { not: null } }] }, data: { lastError: null, unreachableSince: null } });
}

/**
 * The stored catalog token did not open (its key left ENCRYPTION_KEYS, or the
 * row was altered). The operator's log gets the vault's reason, which names
 * the key id; the merchant's page says what to do. The connection keeps its
 * state and the changes stay queued: putting the key back resumes the sync,
 * and so does connecting again.
 */
export async function recordUnreadableToken(db: Db, log: Logger, shop: string, tokenCiphertext: string, error: VaultError) {
  log.error({ shop, err: error }, "the stored catalog token cannot be opened");
  await db.catalogConnection.updateMany({ where: { shop, tokenCiphertext }, data: { lastError: UNREADABLE_TOKEN } });
}
