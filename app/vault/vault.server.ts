import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from "node:crypto";
import { ConfigError, devKeysAllowed, envVars, type Env } from "../env.server";
import { logger } from "../logger.server";
import { DecryptionFailed, UnknownKeyId, VaultError } from "./errors";
import { DEV_ENCRYPTION_KEYS, deriveShopKey, parseMasterKeys } from "./keys.server";
import { SecretValue } from "./secret-value";

/**
 * Per-shop encryption of every secret the app stores (docs/decisions/004-vault-format.md).
 *
 * Ciphertext: `v1.<keyId>.<nonce>.<tag>.<data>` (base64url parts). It names
 * its master key so ENCRYPTION_KEYS can hold several (newest first: the
 * first encrypts, all decrypt) and `npm run vault:rotate` can find what is
 * still on an old key. AES-256-GCM under HKDF(master, shop), with the
 * version, key id, shop and purpose as additional authenticated data: a
 * ciphertext copied to another shop's row or another column does not open.
 */

// "whatsapp.customer": the last customer who wrote to a sending number, while their window is open (issue 18).
export const SECRET_PURPOSES = ["whatsapp.token", "whatsapp.pin", "catalog.token", "shopify.token", "shopify.refresh_token", "whatsapp.customer"] as const;
export type SecretPurpose = (typeof SECRET_PURPOSES)[number];

/**
 * True when a stored value is in the vault's format (`v<n>.…`), sealed or
 * damaged; false for anything else, such as a Shopify token stored as plain
 * text before sessions were sealed (tokens start with "shp").
 */
export function isSealed(value: string): boolean {
  return /^v\d+\./.test(value);
}

const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;
/** Derived keys kept per vault; far above any realistic shop count, a bound against misuse. */
const DEFAULT_CACHE_SIZE = 50_000;

export interface Vault {
  /** The key id new ciphertexts use (the first in ENCRYPTION_KEYS). */
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  encrypt(shop: string, purpose: SecretPurpose, plaintext: string | SecretValue): string;
  /** Throws DecryptionFailed or UnknownKeyId; never returns a secret for another shop or purpose. */
  decrypt(shop: string, purpose: SecretPurpose, ciphertext: string): SecretValue;
  /** The key id a ciphertext was made with; throws DecryptionFailed("malformed") if it is not one. */
  keyIdOf(ciphertext: string): string;
  /** True when the ciphertext is not on the current key (rotate it). */
  needsRotation(ciphertext: string): boolean;
}

export interface VaultOptions {
  /** How many derived shop keys to keep; 0 derives on every call (benchmarks). */
  cacheSize?: number;
}

interface Parsed {
  keyId: string;
  nonce: Buffer;
  tag: Buffer;
  data: Buffer;
}

function decode(part: string): Buffer | undefined {
  if (!B64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, "base64url");
  // Only the canonical spelling: a string that differs decodes to other bytes or is not ours.
  return bytes.toString("base64url") === part ? bytes : undefined;
}

/** Splits a ciphertext; `undefined` means malformed, "version" an unknown format version. */
function parse(ciphertext: string): Parsed | "version" | undefined {
  if (typeof ciphertext !== "string") return undefined;
  const parts = ciphertext.split(".");
  if (parts.length !== 5) return undefined;
  const [version, keyId, nonce, tag, data] = parts;
  if (version !== VERSION) return /^v\d+$/.test(version) ? "version" : undefined;
  if (!KEY_ID.test(keyId)) return undefined;
  const n = decode(nonce);
  const t = decode(tag);
  const d = decode(data);
  if (n?.length !== NONCE_BYTES || t?.length !== TAG_BYTES || !d) return undefined;
  return { keyId, nonce: n, tag: t, data: d };
}

/** Everything that must match for a ciphertext to open; JSON keeps the fields unambiguous. */
function aad(keyId: string, shop: string, purpose: SecretPurpose): Buffer {
  return Buffer.from(JSON.stringify([VERSION, keyId, shop, purpose]));
}

function checkContext(shop: string, purpose: SecretPurpose) {
  if (typeof shop !== "string" || shop.length === 0 || shop.length > 255) {
    throw new VaultError("the vault needs the shop's domain (1-255 characters)");
  }
  if (!SECRET_PURPOSES.includes(purpose)) {
    throw new VaultError(`unknown secret purpose "${String(purpose)}" (expected one of ${SECRET_PURPOSES.join(", ")})`);
  }
}

/** A vault over ENCRYPTION_KEYS-formatted master keys; throws ConfigError when they are missing or malformed. */
export function createVault(keysString: string | undefined, options: VaultOptions = {}): Vault {
  const masters = new Map(parseMasterKeys(keysString).map((k) => [k.id, k.key]));
  const keyIds = [...masters.keys()];
  const currentKeyId = keyIds[0];
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  // HKDF costs far more than one AES-GCM operation on a token; the worker
  // decrypts on every Graph call, so derived keys are kept (oldest evicted).
  const cache = new Map<string, KeyObject>();

  function shopKey(keyId: string, master: KeyObject, shop: string): KeyObject {
    const slot = `${keyId}\u0000${shop}`;
    let key = cache.get(slot);
    if (!key) {
      key = deriveShopKey(master, shop);
      if (cacheSize > 0) {
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(slot, key);
      }
    }
    return key;
  }

  function keyIdOf(ciphertext: string): string {
    const parsed = parse(ciphertext);
    if (typeof parsed !== "object") {
      throw new DecryptionFailed(parsed ? "unsupported-version" : "malformed");
    }
    return parsed.keyId;
  }

  return {
    currentKeyId,
    keyIds,

    encrypt(shop, purpose, plaintext) {
      checkContext(shop, purpose);
      const text = plaintext instanceof SecretValue ? plaintext.reveal() : plaintext;
      if (typeof text !== "string") throw new VaultError("the vault encrypts strings");
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv("aes-256-gcm", shopKey(currentKeyId, masters.get(currentKeyId)!, shop), nonce);
      cipher.setAAD(aad(currentKeyId, shop, purpose));
      const data = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, currentKeyId, nonce.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(".");
    },

    decrypt(shop, purpose, ciphertext) {
      checkContext(shop, purpose);
      const parsed = parse(ciphertext);
      if (typeof parsed !== "object") {
        throw new DecryptionFailed(parsed ? "unsupported-version" : "malformed", shop, purpose);
      }
      const master = masters.get(parsed.keyId);
      if (!master) throw new UnknownKeyId(parsed.keyId, keyIds);
      const decipher = createDecipheriv("aes-256-gcm", shopKey(parsed.keyId, master, shop), parsed.nonce, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad(parsed.keyId, shop, purpose));
      decipher.setAuthTag(parsed.tag);
      try {
        const plain = Buffer.concat([decipher.update(parsed.data), decipher.final()]);
        return new SecretValue(plain.toString("utf8"));
      } catch {
        // Node's own message says nothing useful; ours names shop and purpose.
        throw new DecryptionFailed("authentication", shop, purpose);
      }
    },

    keyIdOf,

    needsRotation(ciphertext) {
      return keyIdOf(ciphertext) !== currentKeyId;
    },
  };
}

let warnedDevKey = false;
let instance: Vault | undefined;

type KeySettings = Partial<Pick<Env, "ENCRYPTION_KEYS" | "NODE_ENV" | "APP_MODE">>;

/** Where the process-wide vault's keys come from: ENCRYPTION_KEYS, or the dev key in sandbox/test. */
export function vaultKeysFromEnv(source: KeySettings = envVars("ENCRYPTION_KEYS", "NODE_ENV", "APP_MODE")): string {
  const configured = source.ENCRYPTION_KEYS?.trim();
  if (configured) return configured;
  if (devKeysAllowed(source)) {
    if (!warnedDevKey) {
      warnedDevKey = true;
      logger.warn(
        "ENCRYPTION_KEYS is not set: secrets are encrypted with the PUBLIC development key (key id \"dev\"). " +
          "Fine for the sandbox and tests, never for real merchants.",
      );
    }
    return DEV_ENCRYPTION_KEYS;
  }
  throw new ConfigError(
    "Configuration error:\n  ENCRYPTION_KEYS: missing: the app encrypts every merchant token with it. " +
      'Set it to comma-separated "id:base64key" entries, newest first; generate a key with ' +
      '`openssl rand -base64 32`, e.g. ENCRYPTION_KEYS="k1:$(openssl rand -base64 32)".',
  );
}

/** The process's vault, built on first use from the environment. */
export function vault(): Vault {
  instance ??= createVault(vaultKeysFromEnv());
  return instance;
}

/** For tests that change process.env between cases. */
export function resetVaultForTests() {
  instance = undefined;
  warnedDevKey = false;
}
