import type { Db } from "../db.server";
import { MetaGraphError, type CatalogInfo, type MetaGraphClient, type SecretLike, type TokenInfo } from "../meta/index.server";
import { logger } from "../logger.server";
import { VaultError } from "../vault/errors";
import type { SecretValue } from "../vault/secret-value";
import { openSecret, sealSecret, UNREADABLE_TOKEN } from "../vault/secrets.server";
import { markAllForNewCatalog } from "./store/products.server";

/**
 * Connecting a Meta Catalog: a token (from Facebook Login for Business or
 * pasted by the merchant) is checked with debug_token, the catalogs it can
 * manage are listed, the merchant picks one. The token is stored sealed from
 * the first step, so no plaintext waits anywhere between the steps.
 */

export class CatalogConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CatalogConnectError";
  }
}

/** The shop's stored catalog token; one the vault cannot open is a CatalogConnectError in the merchant's words. */
function openCatalogToken(shop: string, ciphertext: string): SecretValue {
  try {
    return openSecret(shop, "catalog.token", ciphertext);
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    logger.error({ shop, err: error }, "the stored catalog token cannot be opened");
    throw new CatalogConnectError(UNREADABLE_TOKEN);
  }
}

export const CATALOG_SCOPE = "catalog_management";

export interface TokenCheck {
  info: TokenInfo;
  catalogs: CatalogInfo[];
  businessIds: string[];
}

function targets(info: TokenInfo, scope: string) {
  return info.granularScopes.find((g) => g.scope === scope)?.targetIds ?? [];
}

/** Checks a catalog token and lists the catalogs it may manage. */
export async function checkCatalogToken(client: MetaGraphClient, token: SecretLike, knownBusinessId?: string | null): Promise<TokenCheck> {
  const info = await client.debugToken(token);
  if (!info.isValid) {
    throw new CatalogConnectError("Meta says this token is not valid (expired or revoked). Create a new one and try again.");
  }
  if (!info.scopes.includes(CATALOG_SCOPE)) {
    throw new CatalogConnectError(
      `This token lacks the ${CATALOG_SCOPE} permission. Create it with ${CATALOG_SCOPE} (a system user token in Business Settings, or log in again and grant it).`,
    );
  }
  const allowed = targets(info, CATALOG_SCOPE);
  const businessIds = [...new Set([...targets(info, "business_management"), ...(knownBusinessId ? [knownBusinessId] : [])])];
  const catalogs: CatalogInfo[] = [];
  for (const businessId of businessIds) {
    try {
      for (const c of await client.listCatalogs(token, businessId)) if (!catalogs.some((x) => x.id === c.id)) catalogs.push(c);
    } catch (error) {
      if (!(error instanceof MetaGraphError) || error.kind === "token_invalid") throw error;
    }
  }
  // Catalogs the token names but the business listing did not show (e.g. no business_management).
  for (const id of allowed) if (!catalogs.some((c) => c.id === id)) catalogs.push({ id, name: null, relation: "owned", productCount: null, vertical: null });
  return { info, catalogs: allowed.length ? catalogs.filter((c) => allowed.includes(c.id)) : catalogs, businessIds };
}

/**
 * Stores a checked token. A reconnect whose token still reaches the chosen
 * catalog resumes at once; otherwise the merchant picks a catalog next.
 */
export async function saveCatalogToken(db: Db, client: MetaGraphClient, shop: string, token: SecretLike) {
  const existing = await db.catalogConnection.findUnique({ where: { shop } });
  const check = await checkCatalogToken(client, token, existing?.businessId);
  const sealed = sealSecret(shop, "catalog.token", token.reveal());
  const granted = Object.fromEntries(check.info.granularScopes.map((g) => [g.scope, g.targetIds]));
  const base = { tokenCiphertext: sealed, scopes: check.info.scopes, grantedTargets: granted, businessId: check.businessIds[0] ?? existing?.businessId ?? null };

  if (existing?.catalogId) {
    if (!check.catalogs.some((c) => c.id === existing.catalogId)) {
      const missing = existing.catalogName ? `"${existing.catalogName}" (${existing.catalogId})` : existing.catalogId;
      throw new CatalogConnectError(
        `The new token cannot manage the connected catalog ${missing}: it was granted fewer catalogs than before. ` +
          `Ask an admin of the Meta business portfolio to give ${CATALOG_SCOPE} on that catalog to the person or system user who connects, or disconnect and choose another catalog.`,
      );
    }
    await db.catalogConnection.update({
      where: { shop },
      data: { ...base, state: "CONNECTED", stateReason: null, lastError: null, pausedUntil: null },
    });
    return { connected: true as const, catalogs: check.catalogs };
  }
  await db.catalogConnection.upsert({
    where: { shop },
    create: { shop, ...base, state: "DISCONNECTED", stateReason: "Choose the catalog to sync." },
    update: { ...base, state: "DISCONNECTED", stateReason: "Choose the catalog to sync." },
  });
  return { connected: false as const, catalogs: check.catalogs };
}

/** The catalogs the stored token may manage (for the chooser). */
export async function listChoosableCatalogs(db: Db, client: MetaGraphClient, shop: string) {
  const row = await db.catalogConnection.findUnique({ where: { shop } });
  if (!row?.tokenCiphertext) return [];
  const check = await checkCatalogToken(client, openCatalogToken(shop, row.tokenCiphertext), row.businessId);
  return check.catalogs;
}

/** Connects the chosen catalog and starts the first full sync. */
export async function chooseCatalog(db: Db, client: MetaGraphClient, shop: string, catalogId: string) {
  const catalogs = await listChoosableCatalogs(db, client, shop);
  const catalog = catalogs.find((c) => c.id === catalogId);
  if (!catalog) throw new CatalogConnectError("That catalog is not one this token may manage. Choose one from the list.");
  await db.catalogConnection.update({
    where: { shop },
    data: {
      catalogId: catalog.id,
      catalogName: catalog.name,
      state: "CONNECTED",
      stateReason: null,
      lastError: null,
    },
  });
  // Every product goes to the new catalog: what was pushed elsewhere does not count here.
  await markAllForNewCatalog(db, shop);
  return catalog;
}

/** Forgets the token and stops syncing; product rows stay for a later connect. */
export async function disconnectCatalog(db: Db, shop: string) {
  await db.catalogConnection.updateMany({
    where: { shop },
    data: { tokenCiphertext: null, state: "DISCONNECTED", stateReason: null, catalogId: null, catalogName: null, scopes: [], grantedTargets: {} },
  });
}
