import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { logger } from "../logger.server";
import { VaultError } from "./errors";
import { isSealed, vault, type SecretPurpose } from "./vault.server";

/**
 * Shopify's sessions with their access and refresh tokens sealed by the
 * vault (issue 14): a session storage that wraps another one (the Prisma
 * storage) through its public interface, sealing both tokens on the way in
 * and opening them on the way out, so the library and the Admin API reads
 * see plain tokens and the Session table holds ciphertext only
 * (purposes "shopify.token" and "shopify.refresh_token", bound to the shop).
 *
 * Rows written before sessions were sealed hold plain text; they are read as
 * they are, and `npm run vault:rotate` seals them (SECRET_COLUMNS). A token
 * the vault cannot open (its key left ENCRYPTION_KEYS) is logged for the
 * operator and the session treated as missing: the next admin page load
 * exchanges a fresh token, which is sealed with the current key.
 */
export class SealedSessionStorage implements SessionStorage {
  constructor(private readonly inner: SessionStorage) {}

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(withTokens(session, (token, purpose) => vault().encrypt(session.shop, purpose, token)));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const stored = await this.inner.loadSession(id);
    return stored && opened(stored);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map(opened).filter((s): s is Session => s !== undefined);
  }
}

/** A copy of `session` whose tokens went through `change` (the library's Session stays untouched). */
function withTokens(session: Session, change: (token: string, purpose: SecretPurpose) => string): Session {
  const copy = new Session(session.toObject());
  if (session.accessToken) copy.accessToken = change(session.accessToken, "shopify.token");
  if (session.refreshToken) copy.refreshToken = change(session.refreshToken, "shopify.refresh_token");
  return copy;
}

function opened(stored: Session): Session | undefined {
  try {
    return withTokens(stored, (token, purpose) => (isSealed(token) ? vault().decrypt(stored.shop, purpose, token).reveal() : token));
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    logger.error({ shop: stored.shop, session: stored.id, err: error }, "the stored Shopify token cannot be opened; the shop gets a new one when the app is opened");
    return undefined;
  }
}
