import { createHash, createSecretKey, hkdfSync, type KeyObject } from "node:crypto";
import { ConfigError, envSchema } from "../env.server";

/**
 * Master keys (ENCRYPTION_KEYS) and the per-shop keys derived from them.
 * Master key bytes stay inside this module's closures: nothing here puts
 * them on an object that could be logged or serialised.
 */

export interface MasterKey {
  id: string;
  /** A KeyObject, so util.inspect/console.log never print the bytes. */
  key: KeyObject;
}

const GENERATE_HINT =
  'Set ENCRYPTION_KEYS to comma-separated "id:base64key" entries, newest first; ' +
  'generate a key with `openssl rand -base64 32`, e.g. ENCRYPTION_KEYS="k1:$(openssl rand -base64 32)".';

/**
 * Parses ENCRYPTION_KEYS with exactly the rules app/env.server.ts applies at
 * boot (its schema is reused), plus two the vault needs: at least one key,
 * and no key id twice (a ciphertext names its key by id). Newest first.
 */
export function parseMasterKeys(value: string | undefined): MasterKey[] {
  const entries = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new ConfigError(`ENCRYPTION_KEYS: missing. ${GENERATE_HINT}`);
  const checked = envSchema.shape.ENCRYPTION_KEYS.unwrap().safeParse(value);
  if (!checked.success) {
    // The schema's messages name key ids only, never key bytes.
    const why = checked.error.issues.map((i) => i.message).join("; ");
    throw new ConfigError(`ENCRYPTION_KEYS: invalid: ${why}. ${GENERATE_HINT}`);
  }
  const keys: MasterKey[] = [];
  for (const entry of entries) {
    const [id, base64] = entry.split(":");
    if (keys.some((k) => k.id === id)) {
      throw new ConfigError(`ENCRYPTION_KEYS: invalid: key id "${id}" appears twice. ${GENERATE_HINT}`);
    }
    keys.push({ id, key: createSecretKey(Buffer.from(base64, "base64")) });
  }
  return keys;
}

/**
 * The key used when sandbox/test mode runs without ENCRYPTION_KEYS. It is
 * derived from a public label, so it protects nothing: anything encrypted
 * with key id "dev" must be treated as plaintext.
 */
export const DEV_ENCRYPTION_KEYS = `dev:${createHash("sha256")
  .update("wa-catalog PUBLIC development key: not secret, never use in production")
  .digest("base64")}`;

/** What the HKDF output is for; changing it changes every derived key. */
const HKDF_SALT = Buffer.from("wa-catalog/vault/v1");

/**
 * The shop's own AES-256 key: HKDF-SHA256(master key, shop). A key leaked
 * from one shop's process memory or a bug that mixes up shops cannot open
 * another shop's ciphertext.
 */
export function deriveShopKey(master: KeyObject, shop: string): KeyObject {
  const bytes = hkdfSync("sha256", master, HKDF_SALT, `shop:${shop}`, 32);
  return createSecretKey(Buffer.from(bytes));
}
