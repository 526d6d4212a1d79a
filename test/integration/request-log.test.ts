import { describe, expect, it } from "vitest";
import { useApp } from "../helpers/app-suite";
import { adminPage, sessionToken } from "../helpers/shopify";
import { seedInstalledShop } from "../sandbox/seed";

/**
 * The server's request log names every request but never the secrets that
 * Shopify and Meta put in query strings: the session token on embedded page
 * loads and the OAuth code on Meta's redirect.
 */
describe("request log", () => {
  const t = useApp("sqlite");

  it("logs each request with the session token and the OAuth code redacted", async () => {
    const shop = "request-log.myshopify.com";
    await seedInstalledShop(t.db, shop);
    const token = sessionToken(shop);
    const page = await adminPage(t.url, "/app", shop, token);
    expect(page.status).toBe(200);
    const code = "AQDsecretOAuthCode0123456789";
    await fetch(`${t.url}/meta/oauth-callback?code=${code}&state=abc`);
    await new Promise((r) => setTimeout(r, 100));

    const lines = t.app.logs().split("\n").filter((l) => l.includes('"msg":"request"'));
    expect(lines.some((l) => l.includes('"url":"/app?') && l.includes("id_token=[redacted]") && l.includes('"status":200'))).toBe(true);
    expect(lines.some((l) => l.includes("/meta/oauth-callback?code=[redacted]"))).toBe(true);
    expect(t.app.logs()).not.toContain(token);
    expect(t.app.logs()).not.toContain(code);
  });
});
