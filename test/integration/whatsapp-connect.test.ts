import { afterAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { snapshotRows } from "../helpers/app-suite";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { BROWSER, connectBody, seedSignupAccount, useWhatsAppApp, whatsappAction, whatsappPage } from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import { openSecret } from "../../app/vault/secrets.server";

/**
 * Connecting through the page's action against the Meta simulator: code
 * exchange, debug_token, discovery with and without the signup event,
 * subscription, registration of the chosen number, and the failures that
 * must leave nothing half-connected.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

describe.each(providers())("WhatsApp connect on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  let n = 0;
  const newShop = async () => {
    const shop = `wa-connect-${provider}-${++n}.myshopify.com`;
    await seedInstalledShop(t.db, shop);
    return shop;
  };
  const connection = (shop: string) => t.db.whatsAppConnection.findUnique({ where: { shop }, include: { phoneNumbers: { orderBy: { phoneNumberId: "asc" } } } });

  it("exchanges the code, takes the account from the FINISH event, subscribes the app, registers the chosen number and connects", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim, { numbers: 2 });
    const code = sim.control.issueAuthCode({ token: account.token });
    const signup = { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[1], businessId: account.businessId };
    const res = await whatsappAction(t.url, shop, connectBody(code, signup));
    expect(res.status).toBe(200);
    expect(res.value).toMatchObject({ ok: true, message: "WhatsApp is connected." });

    const row = (await connection(shop))!;
    expect(row).toMatchObject({ state: "CONNECTED", wabaId: account.wabaId, businessId: account.businessId, stateReason: null, lastError: null });
    expect(row.scopes).toEqual(["whatsapp_business_management", "whatsapp_business_messaging", "business_management"]);
    expect(row.grantedTargets).toMatchObject({ whatsapp_business_management: [account.wabaId] });
    // The token is stored only as vault ciphertext, and it is the one Meta issued.
    expect(row.tokenCiphertext).toMatch(/^v1\./);
    expect(row.tokenCiphertext).not.toContain(account.token);
    expect(openSecret(shop, "whatsapp.token", row.tokenCiphertext!).reveal()).toBe(account.token);
    expect(row.healthCheckedAt).not.toBeNull();

    // Every number of the WABA; the one picked in Meta's window is registered and sends.
    expect(row.phoneNumbers.map((p) => p.phoneNumberId)).toEqual([...account.phoneNumberIds].sort());
    const chosen = row.phoneNumbers.find((p) => p.phoneNumberId === account.phoneNumberIds[1])!;
    expect(chosen).toMatchObject({ active: true, registered: true, qualityRating: "GREEN", status: "CONNECTED", verifiedName: "Test Shop 2" });
    // The messaging limit belongs to the business portfolio (shared by its numbers) since October 2025.
    expect(row.messagingLimit).toBe("TIER_2K");
    const pin = openSecret(shop, "whatsapp.pin", chosen.pinCiphertext!).reveal();
    expect(pin).toMatch(/^\d{6}$/);
    expect(sim.control.phoneNumber(account.phoneNumberIds[1])).toMatchObject({ registered: true, pin });
    expect(row.phoneNumbers.find((p) => p.phoneNumberId === account.phoneNumberIds[0])).toMatchObject({ active: false, registered: false, pinCiphertext: null });

    // Subscribed to the WABA's webhooks.
    expect([...sim.state.wabas.get(account.wabaId)!.subscribedApps]).toContain(sim.appId);

    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict).toEqual({ level: "connected", issues: [], outage: null });
    expect(page.value.connection).toMatchObject({ state: "CONNECTED", wabaName: "Test WABA" });
    expect(page.value.numbers).toHaveLength(2);
  });

  it("without the signup event, finds the WABA from debug_token's granular scopes (newest first) and its numbers", async () => {
    const shop = await newShop();
    const older = seedSignupAccount(sim, { numbers: 1 });
    // Newest first: the account this signup created, then an older one the token also reaches.
    const account = seedSignupAccount(sim, { numbers: 1, extraWabas: [older.wabaId] });
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, null));
    expect(res.value.ok).toBe(true);
    const row = (await connection(shop))!;
    expect(row.wabaId).toBe(account.wabaId);
    expect(row.businessId).toBe(account.businessId);
    // One number and no event: it becomes the sending number, registered on demand later.
    expect(row.phoneNumbers).toHaveLength(1);
    expect(row.phoneNumbers[0]).toMatchObject({ phoneNumberId: account.phoneNumberIds[0], active: true, registered: false });
    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("attention");
    expect(page.value.verdict.issues[0].message).toMatch(/not registered for Cloud API/);
  });

  it("FINISH_ONLY_WABA: connects the account without a number and asks the merchant to choose one", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim, { numbers: 2 });
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH_ONLY_WABA", wabaId: account.wabaId, businessId: account.businessId }));
    expect(res.value.ok).toBe(true);
    const row = (await connection(shop))!;
    expect(row.phoneNumbers.every((p) => !p.active && !p.registered)).toBe(true);
    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.issues.map((i) => i.message)).toContain("No number is chosen to send from.");
  });

  it("WhatsApp Business app onboarding: the app's number already works with Cloud API and is not registered again", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim, { numbers: 1 });
    sim.control.resetCallCounts();
    const code = sim.control.issueAuthCode({ token: account.token });
    const signup = { event: "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] };
    expect((await whatsappAction(t.url, shop, connectBody(code, signup))).value.ok).toBe(true);
    expect((await connection(shop))!.phoneNumbers[0]).toMatchObject({ active: true, registered: true, pinCiphertext: null });
    expect(sim.control.callCounts()["POST /{phone-number-id}/register"] ?? 0).toBe(0);
  });

  it("exchanges a code from the OAuth dialog fallback with exactly the dialog's redirect_uri", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim);
    const redirectUri = `${t.url}/meta/oauth-callback`;
    const page = await whatsappPage(t.url, shop);
    expect(page.value.meta.redirectUri).toBe(redirectUri);
    // The same code sent as an SDK code (no redirect_uri) is refused by Meta...
    const dialogCode = sim.control.issueAuthCode({ token: account.token, redirectUri });
    const wrong = await whatsappAction(t.url, shop, connectBody(dialogCode, null));
    expect(wrong.value).toMatchObject({ ok: false, failure: { code: "code_invalid" } });
    // ...and accepted with it.
    const code = sim.control.issueAuthCode({ token: account.token, redirectUri });
    const res = await whatsappAction(t.url, shop, connectBody(code, null, { via: "dialog" }));
    expect(res.value.ok).toBe(true);
    expect((await connection(shop))!.state).toBe("CONNECTED");
  });

  it("a used or expired code says so and stores nothing", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim);
    const code = sim.control.issueAuthCode({ token: account.token, ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const before = await snapshotRows(t.db);
    const res = await whatsappAction(t.url, shop, connectBody(code, null));
    expect(res.value).toMatchObject({ ok: false, failure: { code: "code_invalid" } });
    if (!res.value.ok) expect(res.value.failure.message).toMatch(/expires 30 seconds .* Click the button again \(Connect WhatsApp or Reconnect/);
    expect(await snapshotRows(t.db)).toBe(before);
  });

  it("a failed subscription leaves the shop not connected, with the reason", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim);
    const code = sim.control.issueAuthCode({ token: account.token });
    sim.faults.add({ kind: "error", endpoint: "POST /{waba-id}/subscribed_apps", status: 400, code: 100, message: "(#100) Invalid parameter", times: 1 });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }));
    expect(res.value).toMatchObject({ ok: false, failure: { code: "subscribe_failed" } });
    if (!res.value.ok) expect(res.value.failure.message).toMatch(/subscribing the app to your WhatsApp account's webhooks/);
    expect(await connection(shop)).toBeNull();
    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("disconnected");
    sim.faults.clear();
  });

  it("connects with a token as Embedded Signup issues it since June 2026 (whatsapp_business_manage_events, no whatsapp_business_management), and it stays healthy", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim, { numbers: 1, v4Token: true });
    expect(sim.control.token(account.token)?.scopes).not.toContain("whatsapp_business_management");
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }));
    expect(res.value).toMatchObject({ ok: true, message: "WhatsApp is connected.", warnings: [] });
    expect((await connection(shop))?.state).toBe("CONNECTED");

    // The health check decides by what the token can do, too.
    expect((await whatsappAction(t.url, shop, { intent: "refresh-health" })).value).toMatchObject({ ok: true, message: "Checked with Meta just now: everything works." });
    expect((await whatsappPage(t.url, shop)).value.verdict).toEqual({ level: "connected", issues: [], outage: null });
    expect((await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550123" })).value).toMatchObject({ ok: true });
    // The simulator's status webhooks (sent, delivered, read) come after the answer: wait for the last
    // one, or it lands in a later test and changes rows that test expects untouched.
    await expect
      .poll(async () => (await t.db.messageLog.findFirst({ where: { shop, direction: "OUT" } }))?.status, { timeout: 10_000 })
      .toBe("READ");

    // Without the signup event, the WABA comes from the new permission's target ids.
    const other = await newShop();
    const second = seedSignupAccount(sim, { numbers: 1, v4Token: true });
    const again = await whatsappAction(t.url, other, connectBody(sim.control.issueAuthCode({ token: second.token }), null));
    expect(again.value.ok).toBe(true);
    expect((await connection(other))?.wabaId).toBe(second.wabaId);
  });

  it("a token that cannot read the account is refused, naming the account and who can fix it; nothing is stored", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim, { scopes: ["business_management"], wabaTargets: [] });
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId }));
    expect(res.value).toMatchObject({ ok: false, failure: { code: "missing_permissions" } });
    if (!res.value.ok) {
      expect(res.value.failure.message).toMatch(new RegExp(`cannot read the details of WhatsApp Business Account ${account.wabaId}: Meta refused`));
      expect(res.value.failure.message).toMatch(/admin of the Meta business portfolio/);
    }
    expect(await connection(shop)).toBeNull();
  });

  it("takes the shop from the session only: a body naming a shop is refused, and so is a request without a session", async () => {
    const shop = await newShop();
    const account = seedSignupAccount(sim);
    const code = sim.control.issueAuthCode({ token: account.token });
    const before = await snapshotRows(t.db);
    const res = await whatsappAction(t.url, shop, { ...connectBody(code, null), shop: "victim.myshopify.com" });
    expect(res.status).toBe(400);
    expect(res.value).toMatchObject({ ok: false, failure: { code: "invalid_input" } });
    const anonymous = await fetch(`${t.url}/app/whatsapp.data`, {
      method: "POST",
      body: JSON.stringify(connectBody(code, null)),
      headers: { "content-type": "application/json", "user-agent": BROWSER },
      redirect: "manual",
    });
    // Sent to log in (single fetch encodes a redirect as 202) or refused; never run.
    expect([202, 302, 401, 403]).toContain(anonymous.status);
    expect(await anonymous.text()).not.toMatch(/"ok",true/);
    expect(await snapshotRows(t.db)).toBe(before);
  });
});
