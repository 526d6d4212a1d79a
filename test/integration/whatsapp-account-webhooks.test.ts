import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { connectBody, postMetaWebhook, seedSignupAccount, useWhatsAppApp, whatsappAction, whatsappPage, type SignupAccount } from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";

/**
 * The account webhooks Embedded Signup v4 relies on (v4 requires the app to
 * subscribe to account_update), posted signed as Meta posts them, from the
 * examples of Meta's webhook references (test/fixtures/meta/webhooks/, ids
 * replaced by this test's accounts): PARTNER_* events arrive under the
 * partner's business id with the customer's WABA in waba_info; a business
 * that takes the app's access back needs a reconnect; the messaging limit
 * comes as max_daily_conversations_per_business since February 2026.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

const DIR = path.resolve(import.meta.dirname, "../fixtures/meta/webhooks");

/** A fixture's body with its example ids replaced (`"old": "new"`). */
function fixture(name: string, ids: Record<string, string>): unknown {
  let text = JSON.stringify((JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), "utf8")) as { body: unknown }).body);
  for (const [from, to] of Object.entries(ids)) text = text.split(`"${from}"`).join(`"${to}"`);
  return JSON.parse(text);
}

describe.each(providers())("Meta account webhooks on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  let n = 0;
  let shop: string;
  let account: SignupAccount;
  const post = (body: unknown) => postMetaWebhook(t.url, body, sim.appSecret);
  const row = () => t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop } });
  const now = () => String(Math.floor(Date.now() / 1000) + 5);

  beforeEach(async () => {
    sim.control.configure({ webhookCallbackUrl: null });
    shop = `wa-account-hooks-${provider}-${++n}.myshopify.com`;
    await seedInstalledShop(t.db, shop);
    account = seedSignupAccount(sim, { numbers: 1 });
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }));
    expect(res.value.ok).toBe(true);
  });

  it("PARTNER_ADDED under the partner's business id reaches the shop connected to the WABA in waba_info", async () => {
    const body = fixture("account-update-partner-added", { "980198427658004": account.wabaId });
    expect((await post(body)).status).toBe(200);
    const stored = await row();
    expect(stored.state).toBe("CONNECTED");
    expect(stored.webhookSeenAt).not.toBeNull();
    expect(stored.health).toMatchObject({ events: [{ field: "account_update", event: "PARTNER_ADDED" }] });
  });

  it("PARTNER_APP_UNINSTALLED (the business took the app's access back) turns the connection into Needs reconnect, saying why", async () => {
    const otherApp = fixture("account-update-partner-app-uninstalled", { "184943124712545": account.wabaId });
    (otherApp as { entry: Array<{ time: number }> }).entry[0].time = Number(now());
    expect((await post(otherApp)).status).toBe(200);
    // Another app of the same partner business: not this app's access.
    expect((await row()).state).toBe("CONNECTED");

    const body = fixture("account-update-partner-app-uninstalled", { "184943124712545": account.wabaId, "869361281603019": sim.appId });
    (body as { entry: Array<{ time: number }> }).entry[0].time = Number(now());
    expect((await post(body)).status).toBe(200);
    const stored = await row();
    expect(stored.state).toBe("NEEDS_RECONNECT");
    expect(stored.stateReason).toMatch(/the app was uninstalled from the WhatsApp Business Account, or its permissions were taken back/);
    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("reconnect");
  });

  it("PARTNER_REMOVED (the WABA unshared from the app) needs a reconnect too; an event older than the last check changes nothing", async () => {
    const removed = (time: number) => ({
      object: "whatsapp_business_account",
      entry: [{ id: "2949482758682047", time, changes: [{ field: "account_update", value: { event: "PARTNER_REMOVED", waba_info: { waba_id: account.wabaId, owner_business_id: account.businessId } } }] }],
    });
    expect((await post(removed(Math.floor(Date.now() / 1000) - 3600))).status).toBe(200);
    expect((await row()).state).toBe("CONNECTED");
    expect((await post(removed(Number(now())))).status).toBe(200);
    expect((await row())).toMatchObject({ state: "NEEDS_RECONNECT", stateReason: expect.stringMatching(/no longer shared with the app/) });
  });

  it("phone_number_quality_update as sent since February 2026 sets the business portfolio's messaging limit", async () => {
    const display = (await t.db.phoneNumber.findFirstOrThrow({ where: { shop } })).displayPhoneNumber.replace(/\D/g, "");
    const body = fixture("phone-number-quality-update", { "102290129340398": account.wabaId, "15550783881": display });
    (body as { entry: Array<{ time: number }> }).entry[0].time = Number(now());
    expect((await post(body)).status).toBe(200);
    expect((await row()).messagingLimit).toBe("TIER_10K");
    expect((await whatsappPage(t.url, shop)).value.connection?.messagingLimit).toBe("10,000 customers in 24 hours");
  });
});
