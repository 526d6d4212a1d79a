import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { sendWebhook } from "../helpers/shopify";
import { connectBody, postMetaWebhook, seedSignupAccount, useWhatsAppApp, whatsappAction, type SignupAccount } from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { createWhatsAppHealthWorker } from "../../app/whatsapp/health-worker.server";

/**
 * A shop's WhatsApp connection when the shop leaves (issue 14): after
 * app/uninstalled the scheduled health check makes no Graph call with the
 * shop's token and Meta's webhooks for its account change nothing of it
 * (a reinstall resumes both); disconnecting WhatsApp unsubscribes the app from
 * the account's webhooks (DELETE /{waba}/subscribed_apps), unless another shop
 * of the app still uses that account.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

describe.each(providers())("WhatsApp when a shop leaves, on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  let n = 0;
  const calls = (label: string) => sim.control.callCounts()[label] ?? 0;
  const subscribed = (account: SignupAccount) => sim.state.wabas.get(account.wabaId)!.subscribedApps.has(sim.appId);
  const worker = () =>
    createWhatsAppHealthWorker({
      db: t.db,
      client: clientFor(sim, { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } }).client,
      log: pino({ level: "silent" }),
      intervalMs: 60_000,
    });

  async function connectedShop(account = seedSignupAccount(sim)) {
    const shop = `wa-leaves-${provider}-${++n}.myshopify.com`;
    await seedInstalledShop(t.db, shop);
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }));
    expect(res.value.ok).toBe(true);
    return { shop, account };
  }

  beforeEach(async () => {
    sim.faults.clear();
    // Every earlier shop of the file is fresh, so a worker round checks only what a test makes due.
    await t.db.whatsAppConnection.updateMany({ data: { healthCheckedAt: new Date() } });
  });

  it("after app/uninstalled, the health worker and Meta's webhooks leave the shop's token alone; a reinstall resumes", async () => {
    const { shop, account } = await connectedShop();
    const uninstall = await sendWebhook(t.url, "/webhooks/app/uninstalled", "app/uninstalled", { id: 1, myshopify_domain: shop }, { shop });
    expect(uninstall.status).toBe(200);
    await t.db.whatsAppConnection.update({ where: { shop }, data: { healthCheckedAt: new Date(Date.now() - 3_600_000) } });
    const before = await t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop } });

    sim.control.resetCallCounts();
    expect(await worker().tick()).toBe(0);
    expect(calls("GET /debug_token")).toBe(0);
    expect(calls("GET /{waba-id}/phone_numbers")).toBe(0);

    const event = { object: "whatsapp_business_account", entry: [{ id: account.wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field: "account_update", value: { event: "ACCOUNT_VIOLATION" } }] }] };
    expect((await postMetaWebhook(t.url, event, sim.appSecret)).status).toBe(200);
    const after = await t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop } });
    expect({ health: after.health, webhookSeenAt: after.webhookSeenAt }).toEqual({ health: before.health, webhookSeenAt: before.webhookSeenAt });

    // The merchant installs the app again: the scheduled checks resume.
    await seedInstalledShop(t.db, shop);
    expect(await worker().tick()).toBe(1);
    expect(calls("GET /debug_token")).toBe(1);
  });

  it("disconnecting WhatsApp unsubscribes the app from the account's webhooks", async () => {
    const { shop, account } = await connectedShop();
    expect(subscribed(account)).toBe(true);
    const res = await whatsappAction(t.url, shop, { intent: "disconnect" });
    expect(res.value).toMatchObject({ ok: true });
    expect(res.value.ok && res.value.warnings).toBeFalsy();
    expect(subscribed(account)).toBe(false);
    expect(await t.db.whatsAppConnection.count({ where: { shop } })).toBe(0);
  });

  it("keeps the subscription while another shop of the app uses the same account", async () => {
    const first = await connectedShop();
    const second = await connectedShop(first.account);
    expect((await whatsappAction(t.url, first.shop, { intent: "disconnect" })).value.ok).toBe(true);
    expect(subscribed(first.account)).toBe(true);
    expect(await t.db.whatsAppConnection.count({ where: { shop: second.shop, state: "CONNECTED" } })).toBe(1);
    expect((await whatsappAction(t.url, second.shop, { intent: "disconnect" })).value.ok).toBe(true);
    expect(subscribed(first.account)).toBe(false);
  });

  it("keeps the connection when Meta does not answer, and disconnects with a warning when Meta refuses the token", async () => {
    const { shop, account } = await connectedShop();
    sim.faults.add({ kind: "error", endpoint: "DELETE /{waba-id}/subscribed_apps", status: 500, code: 2 });
    const down = await whatsappAction(t.url, shop, { intent: "disconnect" });
    expect(down.value).toMatchObject({ ok: false, failure: { code: "meta_unavailable", message: expect.stringMatching(/still connected.*Disconnect again/) } });
    expect(await t.db.whatsAppConnection.count({ where: { shop } })).toBe(1);

    sim.faults.clear();
    sim.faults.invalidateToken(account.token, 460);
    const refused = await whatsappAction(t.url, shop, { intent: "disconnect" });
    expect(refused.value).toMatchObject({ ok: true, warnings: [expect.stringMatching(/Meta Business Settings/)] });
    expect(await t.db.whatsAppConnection.count({ where: { shop } })).toBe(0);
  });
});
