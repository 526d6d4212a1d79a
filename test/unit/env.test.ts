import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../app/env.server";

const valid = {
  NODE_ENV: "production" as const,
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://app.example.com",
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString("base64")}`,
};

function errorOf(source: NodeJS.ProcessEnv) {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("accepts a complete production environment and applies the documented defaults", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBe("file:./prisma/dev.sqlite");
    expect(env.META_GRAPH_URL).toBe("https://graph.facebook.com");
    expect(env.META_GRAPH_VERSION).toBe("v25.0");
    expect(env.CATALOG_FLUSH_INTERVAL_MS).toBe(1000);
  });

  it("names each missing variable and what to put there", () => {
    const message = errorOf({ NODE_ENV: "production" });
    expect(message).toMatch(/SHOPIFY_API_KEY: missing/);
    expect(message).toMatch(/SHOPIFY_API_SECRET: missing/);
    expect(message).toMatch(/SHOPIFY_APP_URL: missing/);
  });

  it("refuses to start without ENCRYPTION_KEYS outside test and sandbox, saying how to make one", () => {
    const { ENCRYPTION_KEYS: _omit, ...rest } = valid;
    expect(errorOf(rest)).toMatch(/ENCRYPTION_KEYS: missing.*openssl rand -base64 32/s);
    expect(() => parseEnv({ ...rest, NODE_ENV: "development", APP_MODE: "sandbox" })).not.toThrow();
    expect(() => parseEnv({ ...rest, NODE_ENV: "test" })).not.toThrow();
  });

  it("refuses APP_MODE=sandbox on a production server, with or without keys", () => {
    const { ENCRYPTION_KEYS: _omit, ...rest } = valid;
    expect(errorOf({ ...rest, APP_MODE: "sandbox" })).toMatch(/APP_MODE: invalid: "sandbox" is for development and tests, never with NODE_ENV=production/);
    expect(errorOf({ ...valid, APP_MODE: "sandbox" })).toMatch(/APP_MODE: invalid/);
  });

  it("explains malformed values", () => {
    expect(errorOf({ ...valid, DATABASE_URL: "mysql://x" })).toMatch(/DATABASE_URL: invalid: must start with "file:"/);
    expect(errorOf({ ...valid, ENCRYPTION_KEYS: "k1:short" })).toMatch(/ENCRYPTION_KEYS: invalid: key "k1" is not 32 bytes/);
    expect(errorOf({ ...valid, ENCRYPTION_KEYS: "nocolon" })).toMatch(/ENCRYPTION_KEYS: invalid: malformed entry/);
    expect(errorOf({ ...valid, ENCRYPTION_KEYS: "," })).toMatch(/ENCRYPTION_KEYS: invalid: no key given/);
    expect(errorOf({ ...valid, ENCRYPTION_KEYS: `${valid.ENCRYPTION_KEYS},${valid.ENCRYPTION_KEYS}` })).toMatch(/key id "k1" appears twice/);
    expect(errorOf({ ...valid, META_GRAPH_VERSION: "25" })).toMatch(/META_GRAPH_VERSION: invalid: must look like "v25.0"/);
    expect(errorOf({ ...valid, SHOPIFY_APP_URL: "not a url" })).toMatch(/SHOPIFY_APP_URL: invalid/);
  });

  it("never echoes a secret value in its messages", () => {
    const secret = Buffer.alloc(31, 9).toString("base64");
    expect(errorOf({ ...valid, ENCRYPTION_KEYS: `k1:${secret}` })).not.toContain(secret);
  });
});
