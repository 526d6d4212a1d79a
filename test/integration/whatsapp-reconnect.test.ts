import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { snapshotRows } from "../helpers/app-suite";
import { adminPage } from "../helpers/shopify";
import { connectBody, embeddedSignupToken, seedSignupAccount, seedToken, useWhatsAppApp, whatsappAction, whatsappPage, type SignupAccount } from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import { openSecret } from "../../app/vault/secrets.server";

/**
 * Reconnect: a 190 from any WhatsApp call sets Needs reconnect; the same
 * signup replaces the token; a token with fewer permissions or accounts is
 * refused (or kept with a warning) naming exactly what is missing and who
 * must grant it; a different WABA needs the merchant's confirmation;
 * disconnect removes every secret and stops sending.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

describe.each(providers())("WhatsApp reconnect on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  const shop = `wa-reconnect-${provider}.myshopify.com`;
  let account: SignupAccount;
  // The second account of the switch test, reconnected after the disconnect.
  let next: SignupAccount;
  let both: string;
  const row = () => t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop }, include: { phoneNumbers: true } });
  const storedToken = async () => openSecret(shop, "whatsapp.token", (await row()).tokenCiphertext!).reveal();
  const reconnect = (token: string, signup: Record<string, unknown> | null = null, extra: Record<string, unknown> = {}) =>
    whatsappAction(t.url, shop, connectBody(sim.control.issueAuthCode({ token }), signup, extra));

  beforeAll(async () => {
    await seedInstalledShop(t.db, shop);
    account = seedSignupAccount(sim, { numbers: 1 });
    const res = await reconnect(account.token, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] });
    expect(res.value.ok).toBe(true);
  });

  it("a token invalidated mid-use: the 190 from sending turns the connection into Needs reconnect", async () => {
    expect((await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550100" })).value.ok).toBe(true);
    sim.faults.invalidateToken(account.token, 460);
    const res = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550100" });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "token_invalid" } });
    const stored = await row();
    expect(stored.state).toBe("NEEDS_RECONNECT");
    expect(stored.stateReason).toMatch(/password of the Meta account changed/);
    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("reconnect");
    // The overview says so too.
    const html = await (await adminPage(t.url, "/app", shop)).text();
    expect(html).toContain("Needs reconnect");
  });

  it("a reconnect whose token cannot read the account's templates is refused, naming what it lost and who must grant it; the state stays", async () => {
    const before = (await row()).tokenCiphertext;
    const reduced = seedToken(sim, account, { scopes: ["whatsapp_business_management", "whatsapp_business_messaging"] });
    // Meta refuses the templates to this token (as it does to one whose access to the account was reduced).
    sim.faults.add({ kind: "error", endpoint: "GET /{waba-id}/message_templates", status: 403, code: 200, message: "(#200) Requires whatsapp_business_management permission to manage the object", times: 1 });
    const res = await reconnect(reduced, { event: "FINISH", wabaId: account.wabaId });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "missing_permissions" } });
    if (!res.value.ok) {
      expect(res.value.failure.message).toMatch(new RegExp(`The new Meta connection cannot read the message templates of WhatsApp Business Account ${account.wabaId}: Meta refused\\.`));
      expect(res.value.failure.message).toMatch(/Compared with the last connection, it is missing the permission “Manage your business portfolio \(business_management\)”/);
      expect(res.value.failure.message).toMatch(/An admin of the Meta business portfolio must/);
    }
    const stored = await row();
    expect(stored.state).toBe("NEEDS_RECONNECT");
    expect(stored.tokenCiphertext).toBe(before);
    expect(stored.stateReason).toMatch(/cannot read the message templates/);
  });

  it("a reconnect whose token no longer reaches the connected account names that account", async () => {
    const elsewhere = seedSignupAccount(sim);
    const reduced = seedToken(sim, account, { wabaTargets: [elsewhere.wabaId] });
    const res = await reconnect(reduced, null);
    expect(res.value).toMatchObject({ ok: false, failure: { code: "missing_permissions" } });
    if (!res.value.ok) expect(res.value.failure.message).toMatch(new RegExp(`access to WhatsApp Business Account ${account.wabaId}`));
    expect((await row()).wabaId).toBe(account.wabaId);
  });

  it("a full reconnect replaces the token and clears Needs reconnect", async () => {
    const fresh = seedToken(sim, account);
    const res = await reconnect(fresh, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] });
    expect(res.value).toMatchObject({ ok: true, message: expect.stringMatching(/reconnected/) });
    const stored = await row();
    expect(stored).toMatchObject({ state: "CONNECTED", stateReason: null, lastError: null, wabaId: account.wabaId });
    expect(await storedToken()).toBe(fresh);
    // The number kept its registration, PIN and sending role.
    expect(stored.phoneNumbers[0]).toMatchObject({ active: true, registered: true });
    expect((await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550100" })).value.ok).toBe(true);
    account.token = fresh;
  });

  it("a reconnect that granted fewer permissions connects while Meta lets it work, and says exactly what was lost", async () => {
    const other = seedSignupAccount(sim);
    const wide = seedToken(sim, account, { wabaTargets: [account.wabaId, other.wabaId] });
    expect((await reconnect(wide, null)).value.ok).toBe(true);
    const narrow = seedToken(sim, account, { scopes: ["whatsapp_business_management", "business_management"] });
    const res = await reconnect(narrow, null);
    expect(res.value.ok).toBe(true);
    if (res.value.ok) {
      expect(res.value.warnings?.join(" ")).toMatch(/missing the permission “Send WhatsApp messages \(whatsapp_business_messaging\)”/);
      expect(res.value.warnings?.join(" ")).toMatch(new RegExp(`access to WhatsApp Business Account ${other.wabaId}`));
      expect(res.value.warnings?.join(" ")).toMatch(/An admin of the Meta business portfolio must/);
    }
    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("attention");
    expect(page.value.verdict.issues.map((i) => i.message).join(" ")).toMatch(/whatsapp_business_messaging/);
    expect(await storedToken()).toBe(narrow);
    // What it lost shows where it matters: Meta refuses the test message, and the page names the permission.
    const send = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550100" });
    expect(send.value).toMatchObject({ ok: false, failure: { code: "missing_permissions" } });
    if (!send.value.ok) expect(send.value.failure.message).toMatch(/Send WhatsApp messages \(whatsapp_business_messaging\)/);

    // A reconnect with everything again; an Embedded Signup token of June 2026 loses nothing by its new names.
    const renamed = sim.control.seedToken(embeddedSignupToken(account.businessId, [account.wabaId]));
    const back = await reconnect(renamed, { event: "FINISH", wabaId: account.wabaId });
    expect(back.value).toMatchObject({ ok: true, warnings: [] });
    account.token = renamed;
  });

  it("a different WABA is refused with an explanation until the merchant confirms the switch", async () => {
    next = seedSignupAccount(sim, { numbers: 2, display: "+1 555-030-" });
    both = seedToken(sim, next, { wabaTargets: [next.wabaId, account.wabaId] });
    const before = await snapshotRows(t.db);
    const refused = await reconnect(both, { event: "FINISH", wabaId: next.wabaId, phoneNumberId: next.phoneNumberIds[0] });
    expect(refused.value).toMatchObject({ ok: false, failure: { code: "different_waba", details: { currentWabaId: account.wabaId, newWabaId: next.wabaId } } });
    if (!refused.value.ok) expect(refused.value.failure.message).toMatch(/this shop is connected to .*Nothing was changed.*Switch account/s);
    // Only the last error is recorded; the connection, token and numbers are untouched.
    const after = await row();
    expect(after.wabaId).toBe(account.wabaId);
    expect(await storedToken()).toBe(account.token);
    expect(JSON.parse(await snapshotRows(t.db)).wa[0].tokenCiphertext).toBe(JSON.parse(before).wa[0].tokenCiphertext);

    const switched = await reconnect(both, { event: "FINISH", wabaId: next.wabaId, phoneNumberId: next.phoneNumberIds[0] }, { allowSwitch: true });
    expect(switched.value).toMatchObject({ ok: true, message: expect.stringMatching(/new WhatsApp Business Account/) });
    const moved = await row();
    expect(moved.wabaId).toBe(next.wabaId);
    expect(moved.phoneNumbers.map((p) => p.phoneNumberId).sort()).toEqual([...next.phoneNumberIds].sort());
    expect(moved.phoneNumbers.find((p) => p.active)?.phoneNumberId).toBe(next.phoneNumberIds[0]);
  });

  it("disconnect removes the token and the PINs and stops sending", async () => {
    const res = await whatsappAction(t.url, shop, { intent: "disconnect" });
    expect(res.value).toMatchObject({ ok: true });
    expect(await t.db.whatsAppConnection.findUnique({ where: { shop } })).toBeNull();
    expect(await t.db.phoneNumber.count({ where: { shop } })).toBe(0);
    const send = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550100" });
    expect(send.value).toMatchObject({ ok: false, failure: { code: "not_connected" } });
    expect((await whatsappPage(t.url, shop)).value.verdict.level).toBe("disconnected");
  });

  it("connecting again after a disconnect registers the number again (the app replaces the PIN it deleted) and the shop can send", async () => {
    const phone = sim.control.phoneNumber(next.phoneNumberIds[0])!;
    expect(phone.pin).not.toBeNull(); // Meta keeps the PIN the app set before the disconnect
    const res = await reconnect(both, { event: "FINISH", wabaId: next.wabaId, phoneNumberId: next.phoneNumberIds[0] });
    expect(res.value).toMatchObject({ ok: true });
    if (res.value.ok) expect(res.value.warnings ?? []).toEqual([]);
    const stored = await row();
    expect(stored.phoneNumbers.find((p) => p.active)).toMatchObject({ phoneNumberId: next.phoneNumberIds[0], registered: true });
    expect(phone.pin).toBe(openSecret(shop, "whatsapp.pin", stored.phoneNumbers.find((p) => p.active)!.pinCiphertext!).reveal());
    expect((await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550100" })).value.ok).toBe(true);
  });
});
