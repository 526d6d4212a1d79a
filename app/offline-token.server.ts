import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { z } from "zod";
import type { Db } from "./db.server";
import { env, envVars } from "./env.server";
import { logger } from "./logger.server";
import { SecretValue } from "./vault/secret-value";
import { SealedSessionStorage } from "./vault/session-storage.server";

/**
 * The shop's offline Admin API token for background work (the worker's full
 * sync): the one place outside the Shopify library that reads it. It comes
 * from the sealed session storage, and an expiring token (Shopify's expiring
 * offline access tokens, `expiringOfflineAccessTokens` in shopify.server.ts)
 * is renewed with its refresh token when it is within 5 minutes of expiry,
 * the margin the library itself uses, and the new pair stored in one write.
 * The web process renews through the library (authenticate.webhook, and a
 * fresh token exchange on authenticate.admin); both write the same row.
 */

export class OfflineTokenError extends Error {
  /** Only the merchant can mend it (opening the app in the Shopify admin); a retry cannot. */
  readonly needsMerchant: boolean;
  constructor(message: string, opts: { needsMerchant?: boolean } = {}) {
    super(message);
    this.name = "OfflineTokenError";
    this.needsMerchant = opts.needsMerchant ?? false;
  }
}

/** As @shopify/shopify-app-remix's ensureOfflineTokenIsNotExpired. */
const RENEW_WITHIN_MS = 5 * 60_000;

// One session storage per database client (PrismaSessionStorage checks its table when created).
const storages = new WeakMap<Db, SealedSessionStorage>();
function storageFor(db: Db) {
  let storage = storages.get(db);
  if (!storage) storages.set(db, (storage = new SealedSessionStorage(new PrismaSessionStorage(db as never))));
  return storage;
}

// Two rounds of one worker needing the token at once renew it once.
const renewing = new Map<string, Promise<Session>>();

export async function offlineAccessToken(db: Db, shop: string): Promise<SecretValue> {
  const storage = storageFor(db);
  let session = await storage.loadSession(`offline_${shop}`);
  if (!session?.accessToken) {
    throw new OfflineTokenError(`No offline session for ${shop}: open the app in the Shopify admin once so it can read products.`, { needsMerchant: true });
  }
  if (session.expires && session.isExpired(RENEW_WITHIN_MS)) {
    let pending = renewing.get(shop);
    if (!pending) {
      pending = renew(storage, session).finally(() => renewing.delete(shop));
      renewing.set(shop, pending);
    }
    session = await pending;
  }
  return new SecretValue(session.accessToken!);
}

// The token endpoint's answer (the fields the library's createSession reads).
const Renewed = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1),
  refresh_token_expires_in: z.number().positive().optional(),
  scope: z.string().optional(),
});

/**
 * The refresh grant, as the library sends it (POST /admin/oauth/access_token,
 * JSON: client_id, client_secret, refresh_token, grant_type "refresh_token").
 * Shopify replaces the refresh token on every use, so the new pair is stored
 * before the token is used.
 */
async function renew(storage: SealedSessionStorage, session: Session): Promise<Session> {
  const { shop } = session;
  if (!session.refreshToken) {
    throw new OfflineTokenError("The app's access to this shop expired: open the app in the Shopify admin once so it gets a new one.", { needsMerchant: true });
  }
  const config = env();
  const body = JSON.stringify({ client_id: config.SHOPIFY_API_KEY, client_secret: config.SHOPIFY_API_SECRET, refresh_token: session.refreshToken, grant_type: "refresh_token" });
  let res: Response | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 500 * attempt));
    res = await fetch(tokenUrl(shop), { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body, signal: AbortSignal.timeout(15_000) }).catch(
      () => undefined,
    );
    if (res && res.status < 500) break;
  }
  if (!res?.ok) {
    logger.warn({ shop, status: res?.status ?? null }, "renewing the shop's offline token failed");
    const refused = Boolean(res && res.status < 500);
    throw new OfflineTokenError(
      refused
        ? "Shopify no longer accepts the app's access to this shop: open the app in the Shopify admin once to restore it."
        : "Shopify did not renew the app's access token just now; the sync tries again later.",
      { needsMerchant: refused },
    );
  }
  const parsed = Renewed.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new OfflineTokenError("Shopify answered the token renewal in an unexpected form; the sync tries again later.");
  const now = Date.now();
  const renewed = new Session({
    id: session.id,
    shop,
    state: session.state,
    isOnline: false,
    scope: parsed.data.scope ?? session.scope,
    accessToken: parsed.data.access_token,
    expires: new Date(now + parsed.data.expires_in * 1000),
    refreshToken: parsed.data.refresh_token,
    ...(parsed.data.refresh_token_expires_in ? { refreshTokenExpires: new Date(now + parsed.data.refresh_token_expires_in * 1000) } : {}),
  });
  await storage.storeSession(renewed);
  logger.info({ shop }, "renewed the shop's offline token");
  return renewed;
}

/** Where the shop's Admin API and token endpoint live: https://{shop}, or SHOPIFY_ADMIN_API_URL's stand-in (tests, sandbox). */
export function shopOrigin(shop: string) {
  const standIn = envVars("SHOPIFY_ADMIN_API_URL").SHOPIFY_ADMIN_API_URL;
  return standIn ? `${standIn.replace(/\/$/, "")}/${shop}` : `https://${shop}`;
}

/** Shopify's token endpoint for the shop. */
const tokenUrl = (shop: string) => `${shopOrigin(shop)}/admin/oauth/access_token`;
