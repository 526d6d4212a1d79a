import { hkdfSync, randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../env.server";
import { logger } from "../logger.server";
import { DecryptionFailed, UnknownKeyId, VaultError } from "./errors";
import { DEV_ENCRYPTION_KEYS, deriveShopKey, parseMasterKeys } from "./keys.server";
import { SecretValue } from "./secret-value";
import { createVault, resetVaultForTests, vault, vaultKeysFromEnv, type SecretPurpose } from "./vault.server";

const rawKey = (fill: number) => Buffer.alloc(32, fill).toString("base64");
const OLD = `k_old:${rawKey(1)}`;
const NEW = `k_new:${rawKey(2)}`;
const SHOP = "alpha.myshopify.com";
const TOKEN = "EAAGm0PX4ZCpsBAKZBtoken0123456789abcdefXYZ";

/** Flips one bit of the decoded bytes of part `index` (2 nonce, 3 tag, 4 data) and re-encodes it. */
function flipBit(ciphertext: string, index: number, byte = 0): string {
  const parts = ciphertext.split(".");
  const bytes = Buffer.from(parts[index], "base64url");
  bytes[byte % bytes.length] ^= 0x01;
  parts[index] = bytes.toString("base64url");
  return parts.join(".");
}

function failure(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("vault", () => {
  const v = createVault(NEW);

  it("round-trips every purpose and returns a SecretValue", () => {
    for (const purpose of ["whatsapp.token", "whatsapp.pin", "catalog.token"] as const) {
      const sealed = v.encrypt(SHOP, purpose, TOKEN);
      const opened = v.decrypt(SHOP, purpose, sealed);
      expect(opened).toBeInstanceOf(SecretValue);
      expect(opened.reveal()).toBe(TOKEN);
    }
    expect(v.decrypt(SHOP, "whatsapp.pin", v.encrypt(SHOP, "whatsapp.pin", "")).reveal()).toBe("");
    expect(v.decrypt(SHOP, "whatsapp.pin", v.encrypt(SHOP, "whatsapp.pin", new SecretValue("123456"))).reveal()).toBe("123456");
  });

  it("writes a self-describing string that hides the plaintext and never repeats", () => {
    const a = v.encrypt(SHOP, "whatsapp.token", TOKEN);
    const b = v.encrypt(SHOP, "whatsapp.token", TOKEN);
    expect(a).toMatch(/^v1\.k_new\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b); // fresh nonce each time
    expect(a).not.toContain(Buffer.from(TOKEN).toString("base64url").slice(0, 8));
    expect(v.keyIdOf(a)).toBe("k_new");
  });

  it("round-trips any text (unicode, long)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), fc.domain(), (text, shop) => {
        expect(v.decrypt(shop, "catalog.token", v.encrypt(shop, "catalog.token", text)).reveal()).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a ciphertext moved to another shop", () => {
    const sealed = v.encrypt(SHOP, "whatsapp.token", TOKEN);
    const err = failure(() => v.decrypt("beta.myshopify.com", "whatsapp.token", sealed));
    expect(err).toBeInstanceOf(DecryptionFailed);
    expect(err).toMatchObject({ reason: "authentication", shop: "beta.myshopify.com", purpose: "whatsapp.token" });
  });

  it("refuses a ciphertext moved to another purpose", () => {
    const sealed = v.encrypt(SHOP, "whatsapp.token", TOKEN);
    for (const purpose of ["whatsapp.pin", "catalog.token"] as const) {
      expect(failure(() => v.decrypt(SHOP, purpose, sealed))).toMatchObject({ name: "DecryptionFailed", reason: "authentication" });
    }
  });

  it("refuses any single flipped bit in nonce, tag or data", () => {
    const sealed = v.encrypt(SHOP, "catalog.token", TOKEN);
    fc.assert(
      fc.property(fc.constantFrom(2, 3, 4), fc.nat(), (part, byte) => {
        const err = failure(() => v.decrypt(SHOP, "catalog.token", flipBit(sealed, part, byte)));
        expect(err).toBeInstanceOf(DecryptionFailed);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses truncated, padded and malformed strings", () => {
    const sealed = v.encrypt(SHOP, "catalog.token", TOKEN);
    const parts = sealed.split(".");
    const cases = [
      sealed.slice(0, -4), // data cut short: GCM fails
      sealed.slice(0, sealed.lastIndexOf(".")), // data part missing
      parts.slice(0, 3).join("."),
      [...parts.slice(0, 2), parts[2].slice(0, 10), ...parts.slice(3)].join("."), // short nonce
      [...parts.slice(0, 3), parts[3].slice(0, 20), parts[4]].join("."), // short tag
      `${sealed}AA`,
      `${sealed}.extra`,
      sealed.replace("v1.", "v1x."),
      "",
      TOKEN,
      `v1.k_new.${"*".repeat(16)}.${parts[3]}.${parts[4]}`,
    ];
    for (const c of cases) {
      const err = failure(() => v.decrypt(SHOP, "catalog.token", c));
      expect(err, c).toBeInstanceOf(DecryptionFailed);
    }
    expect(failure(() => v.decrypt(SHOP, "catalog.token", sealed.replace(/^v1/, "v2")))).toMatchObject({
      reason: "unsupported-version",
    });
    expect(failure(() => v.keyIdOf("not a ciphertext"))).toBeInstanceOf(DecryptionFailed);
  });

  it("refuses a ciphertext whose header was rewritten to another configured key", () => {
    const both = createVault(`${NEW},${OLD}`);
    const sealed = both.encrypt(SHOP, "whatsapp.token", TOKEN);
    const err = failure(() => both.decrypt(SHOP, "whatsapp.token", sealed.replace(".k_new.", ".k_old.")));
    expect(err).toMatchObject({ name: "DecryptionFailed", reason: "authentication" });
  });

  it("reports an unknown key id as UnknownKeyId, naming ids only", () => {
    const sealed = createVault(OLD).encrypt(SHOP, "whatsapp.token", TOKEN);
    const err = failure(() => v.decrypt(SHOP, "whatsapp.token", sealed));
    expect(err).toBeInstanceOf(UnknownKeyId);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({ keyId: "k_old", knownKeyIds: ["k_new"] });
  });

  it("refuses the same key id holding different key material", () => {
    const sealed = createVault(`k1:${rawKey(3)}`).encrypt(SHOP, "whatsapp.pin", "111222");
    expect(failure(() => createVault(`k1:${rawKey(4)}`).decrypt(SHOP, "whatsapp.pin", sealed))).toBeInstanceOf(DecryptionFailed);
  });

  it("never puts plaintext, ciphertext or key material in error messages", () => {
    const sealed = createVault(OLD).encrypt(SHOP, "whatsapp.token", TOKEN);
    const errors = [
      failure(() => v.decrypt(SHOP, "whatsapp.token", sealed)),
      failure(() => createVault(`${NEW},${OLD}`).decrypt("other.myshopify.com", "whatsapp.token", sealed)),
      failure(() => createVault(`${NEW},${OLD}`).decrypt(SHOP, "whatsapp.token", flipBit(sealed, 4))),
      failure(() => v.decrypt(SHOP, "whatsapp.token", sealed.slice(0, -3))),
    ] as Error[];
    for (const err of errors) {
      const text = `${err.message}\n${err.stack}\n${JSON.stringify(err)}`;
      for (const secret of [TOKEN, sealed, rawKey(1), rawKey(2), sealed.split(".")[4]]) expect(text).not.toContain(secret);
    }
  });

  it("rejects unknown purposes and empty shops", () => {
    expect(() => v.encrypt("", "whatsapp.token", TOKEN)).toThrow(VaultError);
    expect(() => v.encrypt(SHOP, "email.password" as SecretPurpose, TOKEN)).toThrow(/unknown secret purpose/);
  });
});

describe("several master keys", () => {
  const oldVault = createVault(OLD);
  const rotated = createVault(`${NEW},${OLD}`);

  it("encrypts with the first key and decrypts with any", () => {
    const before = oldVault.encrypt(SHOP, "catalog.token", TOKEN);
    const after = rotated.encrypt(SHOP, "catalog.token", TOKEN);
    expect(rotated.currentKeyId).toBe("k_new");
    expect(rotated.keyIds).toEqual(["k_new", "k_old"]);
    expect(rotated.keyIdOf(before)).toBe("k_old");
    expect(rotated.keyIdOf(after)).toBe("k_new");
    expect(rotated.decrypt(SHOP, "catalog.token", before).reveal()).toBe(TOKEN);
    expect(rotated.decrypt(SHOP, "catalog.token", after).reveal()).toBe(TOKEN);
    expect(rotated.needsRotation(before)).toBe(true);
    expect(rotated.needsRotation(after)).toBe(false);
    expect(() => oldVault.decrypt(SHOP, "catalog.token", after)).toThrow(UnknownKeyId);
  });
});

describe("per-shop keys", () => {
  const [master] = parseMasterKeys(NEW);

  it("are HKDF-SHA256 of the master key and the shop, different per shop", () => {
    const a = deriveShopKey(master.key, SHOP).export();
    const b = deriveShopKey(master.key, "beta.myshopify.com").export();
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    const expected = Buffer.from(hkdfSync("sha256", Buffer.alloc(32, 2), "wa-catalog/vault/v1", `shop:${SHOP}`, 32));
    expect(a.equals(expected)).toBe(true);
  });

  it("give the same results with and without the cache", () => {
    const uncached = createVault(NEW, { cacheSize: 0 });
    const cached = createVault(NEW, { cacheSize: 2 });
    for (let i = 0; i < 5; i++) {
      const shop = `s${i}.myshopify.com`;
      expect(cached.decrypt(shop, "whatsapp.pin", uncached.encrypt(shop, "whatsapp.pin", `pin${i}`)).reveal()).toBe(`pin${i}`);
      expect(uncached.decrypt(shop, "whatsapp.pin", cached.encrypt(shop, "whatsapp.pin", `pin${i}`)).reveal()).toBe(`pin${i}`);
    }
  });

  it("do not show master key bytes when the vault is inspected", async () => {
    const { inspect } = await import("node:util");
    const text = `${inspect(createVault(NEW), { depth: 10, showHidden: true })}${JSON.stringify(createVault(NEW))}`;
    expect(text).not.toContain(rawKey(2));
    expect(text).not.toContain("0202020202");
  });
});

describe("configuration", () => {
  it("parses ENCRYPTION_KEYS like app/env.server.ts, newest first", () => {
    const key = randomBytes(32).toString("base64");
    expect(parseMasterKeys(` a:${key} , b_2:${key},`).map((k) => k.id)).toEqual(["a", "b_2"]);
  });

  it.each([
    ["", /ENCRYPTION_KEYS: missing/],
    [" , ", /ENCRYPTION_KEYS: missing/],
    ["k1", /malformed entry/],
    [`k 1:${rawKey(1)}`, /malformed entry/],
    ["k1:c2hvcnQ=", /key "k1" is not 32 bytes/],
    [`k1:${rawKey(1)},k1:${rawKey(2)}`, /"k1" appears twice/],
  ])("refuses %j with a message that says how to fix it", (value, why) => {
    const err = failure(() => createVault(value));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain("openssl rand -base64 32");
    expect((err as Error).message).not.toContain("c2hvcnQ");
    expect((err as Error).message).not.toContain(rawKey(1));
  });

  describe("the process-wide vault", () => {
    const saved = { ...process.env };
    beforeEach(() => resetVaultForTests());
    afterEach(() => {
      process.env = { ...saved };
      resetVaultForTests();
      vi.restoreAllMocks();
    });

    it("uses ENCRYPTION_KEYS when set", () => {
      process.env.ENCRYPTION_KEYS = `${NEW},${OLD}`;
      expect(vault().currentKeyId).toBe("k_new");
      expect(vault()).toBe(vault());
    });

    it("falls back to the labelled dev key in test and sandbox mode, warning once", () => {
      const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
      delete process.env.ENCRYPTION_KEYS;
      expect(vault().currentKeyId).toBe("dev");
      expect(vaultKeysFromEnv({ NODE_ENV: "development", APP_MODE: "sandbox" })).toBe(DEV_ENCRYPTION_KEYS);
      expect(vaultKeysFromEnv({ NODE_ENV: "test" })).toBe(DEV_ENCRYPTION_KEYS);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/development key/);
    });

    it("refuses to run without keys outside test and sandbox", () => {
      process.env.NODE_ENV = "production";
      delete process.env.APP_MODE;
      delete process.env.ENCRYPTION_KEYS;
      const err = failure(() => vault());
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/ENCRYPTION_KEYS: missing/);
      expect((err as Error).message).toContain("openssl rand -base64 32");
      expect(() => vaultKeysFromEnv({ NODE_ENV: "development", ENCRYPTION_KEYS: "  " })).toThrow(ConfigError);
      // A production server marked sandbox gets no dev key either (issue 14).
      expect(() => vaultKeysFromEnv({ NODE_ENV: "production", APP_MODE: "sandbox" })).toThrow(ConfigError);
    });
  });
});
