import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch } from "../helpers/shopify";
import { freePort } from "../helpers/app-process";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { seedInstalledShop } from "../sandbox/seed";

/**
 * Connecting the catalog with Facebook Login for Business (a code from the
 * SDK popup or from the fallback dialog), and reconnecting: a token that
 * reaches the chosen catalog resumes at once, one that lost it is refused
 * with what is missing and who must grant it.
 */
const META_PORT = await freePort();

describe.each(providers())("catalog connect with Facebook Login on %s", (provider) => {
  const t = useApp(provider, {
    META_GRAPH_URL: `http://127.0.0.1:${META_PORT}`,
    META_APP_ID: "1234567890123456",
    META_APP_SECRET: "sim-app-secret-0123456789abcdef",
    META_CATALOG_CONFIG_ID: "cfg-catalog-1",
  });
  const shop = `connect-${provider}.myshopify.com`;
  let meta: MetaSimulator;
  let scenario: Scenario;
  const form = (body: Record<string, string>) =>
    adminFetch(t.url, "/app/catalog?index", shop, { method: "POST", body: new URLSearchParams(body) });

  beforeAll(async () => {
    meta = await createMetaSimulator({ port: META_PORT });
    await seedInstalledShop(t.db, shop);
    scenario = meta.control.seedScenario();
  });
  afterAll(() => meta?.close());

  it("offers Facebook Login on the page when the catalog configuration is set", async () => {
    const html = await (await adminFetch(t.url, "/app/catalog", shop)).text();
    expect(html).toContain("Connect with Facebook");
    expect(html).toContain("cfg-catalog-1");
  });

  it("exchanges a code from the popup and lists the catalogs to choose from", async () => {
    const code = meta.control.issueAuthCode({ token: scenario.catalogToken });
    const res = await form({ intent: "connect-code", code });
    expect(res.status).toBe(200);
    const row = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(row.tokenCiphertext).toBeTruthy();
    expect(row.catalogId).toBeNull();
    expect(await (await adminFetch(t.url, "/app/catalog", shop)).text()).toContain(scenario.catalogId);
    expect((await form({ intent: "choose-catalog", catalogId: scenario.catalogId })).status).toBe(200);
  });

  it("refuses a used or expired code with a clear message and keeps the connection", async () => {
    const code = meta.control.issueAuthCode({ token: scenario.catalogToken });
    await form({ intent: "connect-code", code });
    const again = await form({ intent: "connect-code", code });
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/Meta refused/);
    expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).state).toBe("CONNECTED");
  });

  it("accepts a fallback dialog code only with the dialog's redirect URI", async () => {
    const redirectUri = `${t.url}/meta/oauth-callback`;
    const code = meta.control.issueAuthCode({ token: scenario.catalogToken, redirectUri });
    const res = await form({ intent: "connect-code", code, via: "dialog" });
    expect(res.status).toBe(200);
  });

  it("ignores a redirect URI sent by the browser: a code issued for someone else's page is refused", async () => {
    const before = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    const foreign = "https://attacker.example/meta/oauth-callback";
    for (const via of ["sdk", "dialog"]) {
      const code = meta.control.issueAuthCode({ token: scenario.catalogToken, redirectUri: foreign });
      const res = await form({ intent: "connect-code", code, via, redirectUri: foreign });
      expect(res.status, via).toBe(400);
      expect(await res.text()).toMatch(/Meta refused/);
    }
    expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).tokenCiphertext).toBe(before.tokenCiphertext);
  });

  it("refuses a reconnect whose token lost the connected catalog, naming it and who must grant it", async () => {
    await t.db.catalogConnection.update({ where: { shop }, data: { state: "NEEDS_RECONNECT", stateReason: "token invalid" } });
    const other = meta.control.seedCatalog({ businessId: scenario.businessId, name: "Another catalog" });
    const narrower = meta.control.seedToken({
      scopes: ["catalog_management", "business_management"],
      granular: { catalog_management: [other.id], business_management: [scenario.businessId] },
    });
    const res = await form({ intent: "connect-code", code: meta.control.issueAuthCode({ token: narrower }) });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(scenario.catalogId);
    expect(html).toMatch(/admin of the Meta business portfolio/);
    const row = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } });
    expect(row.state).toBe("NEEDS_RECONNECT");
  });

  it("resumes at once when the reconnect's token still reaches the catalog", async () => {
    const res = await form({ intent: "connect-code", code: meta.control.issueAuthCode({ token: scenario.catalogToken }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Catalog reconnected");
    expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).state).toBe("CONNECTED");
  });
});
