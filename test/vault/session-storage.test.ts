import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "../../app/logger.server";
import { SealedSessionStorage } from "../../app/vault/session-storage.server";
import { createVault, isSealed } from "../../app/vault/vault.server";
import { createTestDatabase, providers, type TestDatabase } from "../helpers/databases";

/**
 * The session storage the app gives Shopify's library (issue 14): tokens go
 * into the Session table sealed, come out in plain text, and rows stored as
 * plain text before sealing still load.
 */

for (const provider of providers()) {
  describe(`sealed Shopify sessions on ${provider}`, () => {
    let t: TestDatabase;
    let storage: SealedSessionStorage;
    const shop = "sealed-sessions.myshopify.com";
    beforeAll(async () => {
      t = await createTestDatabase(provider);
      storage = new SealedSessionStorage(new PrismaSessionStorage(t.db as never));
    });
    afterAll(() => t?.drop());

    it("stores both tokens sealed for the shop and loads them in plain text", async () => {
      const expires = new Date(Date.now() + 3_600_000);
      const session = new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false, scope: "read_products", accessToken: "shpat_plain_access_0123", refreshToken: "shprt_plain_refresh_0123", expires });
      expect(await storage.storeSession(session)).toBe(true);
      expect(session.accessToken).toBe("shpat_plain_access_0123"); // the library's object is untouched

      const row = await t.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
      expect(isSealed(row.accessToken) && isSealed(row.refreshToken!)).toBe(true);
      expect(JSON.stringify(row)).not.toMatch(/shpat_plain|shprt_plain/);
      // Bound to the shop and the field: the access token's ciphertext does not open as the refresh token.
      const vault = createVault(process.env.ENCRYPTION_KEYS);
      expect(vault.decrypt(shop, "shopify.token", row.accessToken).reveal()).toBe("shpat_plain_access_0123");
      expect(() => vault.decrypt(shop, "shopify.refresh_token", row.accessToken)).toThrow();
      expect(() => vault.decrypt("other.myshopify.com", "shopify.token", row.accessToken)).toThrow();

      const loaded = await storage.loadSession(`offline_${shop}`);
      expect(loaded).toMatchObject({ accessToken: "shpat_plain_access_0123", refreshToken: "shprt_plain_refresh_0123", scope: "read_products" });
      expect(loaded!.expires!.getTime()).toBe(expires.getTime());
      expect((await storage.findSessionsByShop(shop)).map((s) => s.accessToken)).toEqual(["shpat_plain_access_0123"]);
    });

    it("loads a row stored as plain text before sessions were sealed", async () => {
      await t.db.session.update({ where: { id: `offline_${shop}` }, data: { accessToken: "shpat_legacy_0123", refreshToken: null } });
      expect(await storage.loadSession(`offline_${shop}`)).toMatchObject({ accessToken: "shpat_legacy_0123" });
    });

    it("treats a token its keys cannot open as no session, and says so in the log without the token", async () => {
      const foreign = createVault(`gone:${Buffer.alloc(32, 99).toString("base64")}`).encrypt(shop, "shopify.token", "shpat_foreign_0123");
      await t.db.session.update({ where: { id: `offline_${shop}` }, data: { accessToken: foreign } });
      const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
      expect(await storage.loadSession(`offline_${shop}`)).toBeUndefined();
      expect(await storage.findSessionsByShop(shop)).toEqual([]);
      expect(JSON.stringify(error.mock.calls)).toMatch(/cannot be opened/);
      expect(JSON.stringify(error.mock.calls)).not.toContain("shpat_foreign");
      error.mockRestore();
      expect(await storage.deleteSession(`offline_${shop}`)).toBe(true);
      expect(await t.db.session.count({ where: { shop } })).toBe(0);
    });
  });
}
