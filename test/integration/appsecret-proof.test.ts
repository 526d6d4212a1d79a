import { afterAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { sendWebhook } from "../helpers/shopify";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { connectBody, seedSignupAccount, useWhatsAppApp, whatsappAction } from "../helpers/whatsapp";
import { productPayload } from "../fixtures/products";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import { graph } from "../meta-sim/testing";

/**
 * A Meta app with "Require App Secret" on refuses every user and
 * system-user token call without appsecret_proof (code 100). The app must
 * work there: the WhatsApp page's connect and health actions over HTTP, and
 * the catalog worker pushing products, against a simulator that requires it.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator({ config: { requireAppSecretProof: true, batchDelayMs: 10 } });
afterAll(() => sim.close());

describe.each(providers())("Require App Secret on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  let n = 0;
  const newShop = async () => {
    const shop = `proof-${provider}-${++n}.myshopify.com`;
    await seedInstalledShop(t.db, shop);
    return shop;
  };

  it("the simulator refuses a token call without a valid proof, as Meta does", async () => {
    const account = seedSignupAccount(sim);
    const missing = await graph(sim, "GET", `/${account.wabaId}/phone_numbers`, { token: account.token });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 100, type: "GraphMethodException", message: "API calls from the server require an appsecret_proof argument" });
    const wrong = await graph(sim, "GET", `/${account.wabaId}/phone_numbers`, { token: account.token, query: { appsecret_proof: "0".repeat(64) } });
    expect(wrong.body.error).toMatchObject({ code: 100, message: "Invalid appsecret_proof provided in the API argument" });
  });

  it("connects WhatsApp and checks its health through the page's actions", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim, { numbers: 1 });
    const code = sim.control.issueAuthCode({ token: account.token });
    const signup = { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0], businessId: account.businessId };
    const res = await whatsappAction(t.url, shop, connectBody(code, signup));
    expect(res.value).toMatchObject({ ok: true, message: "WhatsApp is connected." });
    expect(sim.control.phoneNumber(account.phoneNumberIds[0])).toMatchObject({ registered: true });
    expect((await whatsappAction(t.url, shop, { intent: "refresh-health" })).value).toMatchObject({ ok: true, message: "Checked with Meta just now: everything works." });
    expect((await t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop } })).state).toBe("CONNECTED");
  });

  it("the worker pushes products to the catalog", async () => {
    const shop = await newShop();
    const scenario = await connectCatalog(t.db, sim, shop);
    const worker = testWorker(t.db, sim);
    const res = await sendWebhook(t.url, "/webhooks/products", "products/create", productPayload({ id: 77, updated_at: "2026-11-20T10:00:00Z" }, 2), { shop });
    expect(res.status).toBe(200);
    await drain(worker, t.db);
    expect(sim.control.catalogItem(scenario.catalogId, "shopify_77_7701")).toMatchObject({ price: "29.99 USD" });
    expect((await t.db.productSync.findFirstOrThrow({ where: { shop, productId: "77" } })).status).toBe("SYNCED");
  });
});
