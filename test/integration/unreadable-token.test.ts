import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { connectCatalog, drain } from "../helpers/catalog";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { connectBody, seedSignupAccount, useWhatsAppApp, whatsappAction, whatsappPage } from "../helpers/whatsapp";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { seedInstalledShop } from "../sandbox/seed";
import { createCatalogWorker } from "../../app/catalog/worker.server";
import { createVault } from "../../app/vault/vault.server";
import { sealSecret, UNREADABLE_TOKEN } from "../../app/vault/secrets.server";

/**
 * A saved token sealed with a key that is no longer in ENCRYPTION_KEYS (an
 * operator dropped it before `npm run vault:rotate` finished). The merchant
 * is told what to do instead of getting a 500, the operator's log names the
 * missing key, other shops keep syncing, and putting the key back resumes.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

// The key the app no longer has.
const dropped = createVault(`old-key:${Buffer.alloc(32, 42).toString("base64")}`);
const MESSAGE_TEXT = "cannot read the access token it saved for this shop"; // as the HTML shows it, apostrophes escaped

describe.each(providers())("a saved token the app's keys cannot open, on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);

  it("WhatsApp: the test message fails with what to do, and the page shows it instead of a stale all-clear", async () => {
    const shop = `unreadable-wa-${provider}.myshopify.com`;
    await seedInstalledShop(t.db, shop);
    const account = seedSignupAccount(sim, { numbers: 1 });
    const code = sim.control.issueAuthCode({ token: account.token });
    expect((await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }))).value.ok).toBe(true);
    await t.db.whatsAppConnection.update({ where: { shop }, data: { tokenCiphertext: dropped.encrypt(shop, "whatsapp.token", account.token) } });

    const sent = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550123" });
    expect(sent.status).toBe(200);
    expect(sent.value).toMatchObject({ ok: false, failure: { code: "token_unreadable", message: UNREADABLE_TOKEN } });

    const refreshed = await whatsappAction(t.url, shop, { intent: "refresh-health" });
    expect(refreshed.value.ok).toBe(true);
    const page = await whatsappPage(t.url, shop);
    expect(page.status).toBe(200);
    expect(page.value.verdict.level).toBe("attention");
    expect(page.value.verdict.issues.map((i) => i.message)).toContain(UNREADABLE_TOKEN);
    expect(page.value.connection!.state).toBe("CONNECTED"); // the operator may put the key back: no reconnect forced

    for (const text of [sent.text, refreshed.text, page.text, t.app.logs()]) expect(text).not.toContain(account.token);
    expect(t.app.logs()).toContain('encrypted with key \\"old-key\\", which is not in ENCRYPTION_KEYS');
  });

  it("Catalog: the chooser says what to do instead of failing the page, and so does choosing", async () => {
    const shop = `unreadable-catalog-${provider}.myshopify.com`;
    await seedInstalledShop(t.db, shop);
    const scenario = sim.control.seedScenario();
    await t.db.catalogConnection.create({
      data: {
        shop,
        businessId: scenario.businessId,
        tokenCiphertext: dropped.encrypt(shop, "catalog.token", scenario.catalogToken),
        scopes: ["catalog_management", "business_management"],
        state: "DISCONNECTED",
        stateReason: "Choose the catalog to sync.",
      },
    });
    const page = await adminFetch(t.url, "/app/catalog", shop);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(MESSAGE_TEXT);

    const chosen = await adminFetch(t.url, "/app/catalog?index", shop, { method: "POST", body: new URLSearchParams({ intent: "choose-catalog", catalogId: scenario.catalogId }) });
    expect(chosen.status).toBe(400);
    const answer = await chosen.text(); // the page again, with the action's error
    expect(answer).toContain(MESSAGE_TEXT);
    expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop } })).catalogId).toBeNull();
    expect(html + answer + t.app.logs()).not.toContain(scenario.catalogToken);
  });

  describe("the catalog worker", () => {
    const readable = `unreadable-ok-${provider}.myshopify.com`;
    const broken = `unreadable-broken-${provider}.myshopify.com`;
    const logLines: string[] = [];
    const worker = () =>
      createCatalogWorker({
        db: t.db,
        client: clientFor(sim, { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } }).client,
        log: pino({ level: "info" }, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) })),
        flushIntervalMs: 0,
      });
    const scenarios: Record<string, Awaited<ReturnType<typeof connectCatalog>>> = {};

    beforeAll(async () => {
      for (const shop of [broken, readable]) scenarios[shop] = await connectCatalog(t.db, sim, shop);
      await t.db.catalogConnection.update({
        where: { shop: broken },
        data: { tokenCiphertext: dropped.encrypt(broken, "catalog.token", scenarios[broken].catalogToken) },
      });
    });

    it("keeps the other shops syncing, tells the merchant, keeps the changes, and resumes once the key is back", async () => {
      for (const [i, shop] of [broken, readable].entries()) {
        const res = await sendWebhook(t.url, "/webhooks/products", "products/create", productPayload({ id: 700 + i, updated_at: "2026-11-20T00:00:00Z" }, 2), { shop });
        expect(res.status).toBe(200);
      }
      const w = worker();
      const deadline = Date.now() + 10_000;
      while (!sim.control.catalogItem(scenarios[readable].catalogId, "shopify_701_70101") && Date.now() < deadline) await w.tick();
      expect(sim.control.catalogItem(scenarios[readable].catalogId, "shopify_701_70101")).toBeDefined();

      const brokenConnection = await t.db.catalogConnection.findUniqueOrThrow({ where: { shop: broken } });
      expect(brokenConnection.state).toBe("CONNECTED");
      expect(brokenConnection.lastError).toBe(UNREADABLE_TOKEN);
      const waiting = await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop: broken, productId: "700" } } });
      expect(waiting.dirty).toBe(true); // nothing dropped
      expect(sim.control.catalogItems(scenarios[broken].catalogId)).toEqual([]);
      const logged = logLines.join("");
      expect(logged).toContain("the stored catalog token cannot be opened");
      expect(logged).toContain('encrypted with key \\"old-key\\"');
      expect(logged).not.toContain(scenarios[broken].catalogToken);

      // The operator puts the key back (here: the token sealed with the current key) and the retry comes due.
      await t.db.catalogConnection.update({ where: { shop: broken }, data: { tokenCiphertext: sealSecret(broken, "catalog.token", scenarios[broken].catalogToken) } });
      await t.db.productSync.updateMany({ where: { shop: broken }, data: { nextAttemptAt: null } });
      await drain(w, t.db);
      expect(sim.control.catalogItem(scenarios[broken].catalogId, "shopify_700_70001")).toBeDefined();
      expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { shop: broken } })).lastError).toBeNull();
    });
  });
});
