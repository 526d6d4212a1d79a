import type { Db } from "../db.server";
import { raw, sql, sqlOf, type Sql } from "../sql.server";
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
   * Compare-and-set: writes `to` only if the row still holds `from` (1 row
   * changed), else nothing (it changed meanwhile). A statement, so a batch
   * can run in one transaction.
   */
  swap(id: string, from: string, to: string): Sql;
}

// Table and column names are this module's own constants, never input.
function secretColumn(table: string, column: string, purpose: SecretPurpose, legacyPlaintext = false): SecretColumn {
  const [t, c] = [raw(`"${table}"`), raw(`"${column}"`)];
  return {
    name: `${table}.${column}`,
    purpose,
    legacyPlaintext,
    async page(db, afterId, take) {
      const after = afterId === undefined ? sql`` : sql` AND "id" > ${afterId}`;
      const rows = await sqlOf(db).query(sql`SELECT "id", "shop", ${c} FROM ${t} WHERE ${c} IS NOT NULL AND ${c} <> ''${after} ORDER BY "id" LIMIT ${take}`);
      return rows.map(([id, shop, ciphertext]) => ({ id: String(id), shop: String(shop), ciphertext: String(ciphertext) }));
    },
    swap: (id, from, to) => sql`UPDATE ${t} SET ${c} = ${to} WHERE "id" = ${id} AND ${c} = ${from}`,
  };
}

export const SECRET_COLUMNS: readonly SecretColumn[] = [
  secretColumn("WhatsAppConnection", "tokenCiphertext", "whatsapp.token"),
  secretColumn("PhoneNumber", "pinCiphertext", "whatsapp.pin"),
  secretColumn("CatalogConnection", "tokenCiphertext", "catalog.token"),
  // Issue 18: who last wrote to a sending number, kept only while the 24-hour window is open.
  secretColumn("CustomerWindow", "senderCiphertext", "whatsapp.customer"),
  // Shopify's sessions (app/vault/session-storage.server.ts seals them; the library's columns keep their names).
  secretColumn("Session", "accessToken", "shopify.token", true),
  secretColumn("Session", "refreshToken", "shopify.refresh_token", true),
];
