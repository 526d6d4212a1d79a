import type { Db, Prisma } from "../db.server";
import type { SecretValue } from "./secret-value";
import { vault, type SecretPurpose } from "./vault.server";

/**
 * Every column that stores a secret, and the two calls the rest of the app
 * uses: `sealSecret` before writing one, `openSecret` when the Meta client
 * needs it. A new secret column must be added to SECRET_COLUMNS, or
 * `npm run vault:rotate` will leave it on an old key.
 */

export function sealSecret(shop: string, purpose: SecretPurpose, plaintext: string | SecretValue): string {
  return vault().encrypt(shop, purpose, plaintext);
}

/**
 * What a merchant is told when a saved token cannot be opened: its key left
 * ENCRYPTION_KEYS, or the row was altered. Connecting again seals a fresh
 * token with the current key. The VaultError, which names the key id for
 * the operator, goes to the log only.
 */
export const UNREADABLE_TOKEN =
  "The app cannot read the access token it saved for this shop. This is a fault on the app's side and has been logged for its operators; connecting again saves a fresh token.";

export function openSecret(shop: string, purpose: SecretPurpose, ciphertext: string): SecretValue {
  return vault().decrypt(shop, purpose, ciphertext);
}

/** One stored secret: its row id, the row's shop, and the ciphertext (plain text in a legacy row, see below). */
export interface StoredSecret {
  id: string;
  shop: string;
  ciphertext: string;
}

export interface SecretColumn {
  /** "Model.column", for reports. */
  name: string;
  purpose: SecretPurpose;
  /**
   * Rows written before the column was sealed may hold plain text (Shopify's
   * session tokens, issue 14): `npm run vault:rotate` seals them and
   * `npm run vault:check` counts them until it has.
   */
  legacyPlaintext?: boolean;
  /** Rows with a secret, ordered by id, after `afterId` (keyset pagination survives concurrent writes). */
  page(db: Db, afterId: string | undefined, take: number): Promise<StoredSecret[]>;
  /**
   * Compare-and-set: writes `to` only if the row still holds `from` (count 1),
   * else count 0 (it changed meanwhile). Lazy, so a batch can run in one transaction.
   */
  swap(db: Db, id: string, from: string, to: string): Prisma.PrismaPromise<Prisma.BatchPayload>;
}

const after = (afterId: string | undefined) => (afterId === undefined ? {} : { id: { gt: afterId } });

// Written out per model: Prisma's delegates share no common type to index by column name.
export const SECRET_COLUMNS: readonly SecretColumn[] = [
  {
    name: "WhatsAppConnection.tokenCiphertext",
    purpose: "whatsapp.token",
    async page(db, afterId, take) {
      const rows = await db.whatsAppConnection.findMany({
        where: { ...after(afterId), tokenCiphertext: { not: null } },
        select: { id: true, shop: true, tokenCiphertext: true },
        orderBy: { id: "asc" },
        take,
      });
      return rows.map((r) => ({ id: r.id, shop: r.shop, ciphertext: r.tokenCiphertext! }));
    },
    swap: (db, id, from, to) =>
      db.whatsAppConnection.updateMany({ where: { id, tokenCiphertext: from }, data: { tokenCiphertext: to } }),
  },
  {
    name: "PhoneNumber.pinCiphertext",
    purpose: "whatsapp.pin",
    async page(db, afterId, take) {
      const rows = await db.phoneNumber.findMany({
        where: { ...after(afterId), pinCiphertext: { not: null } },
        select: { id: true, shop: true, pinCiphertext: true },
        orderBy: { id: "asc" },
        take,
      });
      return rows.map((r) => ({ id: r.id, shop: r.shop, ciphertext: r.pinCiphertext! }));
    },
    swap: (db, id, from, to) =>
      db.phoneNumber.updateMany({ where: { id, pinCiphertext: from }, data: { pinCiphertext: to } }),
  },
  {
    name: "CatalogConnection.tokenCiphertext",
    purpose: "catalog.token",
    async page(db, afterId, take) {
      const rows = await db.catalogConnection.findMany({
        where: { ...after(afterId), tokenCiphertext: { not: null } },
        select: { id: true, shop: true, tokenCiphertext: true },
        orderBy: { id: "asc" },
        take,
      });
      return rows.map((r) => ({ id: r.id, shop: r.shop, ciphertext: r.tokenCiphertext! }));
    },
    swap: (db, id, from, to) =>
      db.catalogConnection.updateMany({ where: { id, tokenCiphertext: from }, data: { tokenCiphertext: to } }),
  },
  // Issue 18: who last wrote to a sending number, kept only while the 24-hour window is open.
  {
    name: "CustomerWindow.senderCiphertext",
    purpose: "whatsapp.customer",
    async page(db, afterId, take) {
      const rows = await db.customerWindow.findMany({
        where: { ...after(afterId) },
        select: { id: true, shop: true, senderCiphertext: true },
        orderBy: { id: "asc" },
        take,
      });
      return rows.map((r) => ({ id: r.id, shop: r.shop, ciphertext: r.senderCiphertext }));
    },
    swap: (db, id, from, to) =>
      db.customerWindow.updateMany({ where: { id, senderCiphertext: from }, data: { senderCiphertext: to } }),
  },
  // Shopify's sessions (app/vault/session-storage.server.ts seals them; the library's columns keep their names).
  {
    name: "Session.accessToken",
    purpose: "shopify.token",
    legacyPlaintext: true,
    async page(db, afterId, take) {
      const rows = await db.session.findMany({
        where: { ...after(afterId), accessToken: { not: "" } },
        select: { id: true, shop: true, accessToken: true },
        orderBy: { id: "asc" },
        take,
      });
      return rows.map((r) => ({ id: r.id, shop: r.shop, ciphertext: r.accessToken }));
    },
    swap: (db, id, from, to) => db.session.updateMany({ where: { id, accessToken: from }, data: { accessToken: to } }),
  },
  {
    name: "Session.refreshToken",
    purpose: "shopify.refresh_token",
    legacyPlaintext: true,
    async page(db, afterId, take) {
      const rows = await db.session.findMany({
        where: { ...after(afterId), AND: [{ refreshToken: { not: null } }, { refreshToken: { not: "" } }] },
        select: { id: true, shop: true, refreshToken: true },
        orderBy: { id: "asc" },
        take,
      });
      return rows.map((r) => ({ id: r.id, shop: r.shop, ciphertext: r.refreshToken! }));
    },
    swap: (db, id, from, to) => db.session.updateMany({ where: { id, refreshToken: from }, data: { refreshToken: to } }),
  },
];
