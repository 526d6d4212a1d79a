import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { connectBody, seedSignupAccount, useWhatsAppApp, whatsappAction, whatsappPage, type SignupAccount } from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import { openSecret } from "../../app/vault/secrets.server";

/**
 * Phone numbers: several per WABA, registration for Cloud API with a PIN
 * generated once, kept in the vault and reused on retry, and the choice of
 * the sending number.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

describe.each(providers())("WhatsApp phone numbers on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  const shop = `wa-numbers-${provider}.myshopify.com`;
  let account: SignupAccount;
  const number = (id: string) => t.db.phoneNumber.findUniqueOrThrow({ where: { shop_phoneNumberId: { shop, phoneNumberId: id } } });

  beforeAll(async () => {
    await seedInstalledShop(t.db, shop);
    account = seedSignupAccount(sim, { numbers: 3 });
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH_ONLY_WABA", wabaId: account.wabaId }));
    expect(res.value.ok).toBe(true);
  });

  it("lists every number with display number, verified name, quality and status, and the portfolio's messaging limit", async () => {
    sim.control.phoneNumber(account.phoneNumberIds[2])!.qualityRating = "YELLOW";
    sim.control.setMessagingLimit(account.businessId, "TIER_250");
    await whatsappAction(t.url, shop, { intent: "refresh-health" });
    const page = await whatsappPage(t.url, shop);
    expect(page.value.numbers.map((n) => n.phoneNumberId)).toEqual(account.phoneNumberIds);
    expect(page.value.numbers[2]).toMatchObject({
      displayPhoneNumber: "+1 555-020-102",
      verifiedName: "Test Shop 3",
      qualityRating: "YELLOW",
      status: "CONNECTED",
      registered: false,
      active: false,
    });
    expect(page.value.connection?.messagingLimit).toBe("250 customers in 24 hours");
  });

  it("registers with a generated PIN kept in the vault, and reuses that PIN when Meta failed the first try", async () => {
    const id = account.phoneNumberIds[0];
    sim.faults.add({ kind: "error", endpoint: "POST /{phone-number-id}/register", status: 400, code: 136025, message: "Registration failed, please retry", times: 1 });
    const first = await whatsappAction(t.url, shop, { intent: "register-number", phoneNumberId: id });
    expect(first.value).toMatchObject({ ok: false, failure: { code: "register_failed" } });
    const afterFailure = await number(id);
    expect(afterFailure.registered).toBe(false);
    const pin = openSecret(shop, "whatsapp.pin", afterFailure.pinCiphertext!).reveal();
    expect(pin).toMatch(/^\d{6}$/);

    const retry = await whatsappAction(t.url, shop, { intent: "register-number", phoneNumberId: id });
    expect(retry.value).toMatchObject({ ok: true });
    const registered = await number(id);
    expect(registered.registered).toBe(true);
    expect(registered.pinCiphertext).toBe(afterFailure.pinCiphertext);
    // Meta now holds exactly the stored PIN: a different one would fail every later registration.
    expect(sim.control.phoneNumber(id)).toMatchObject({ registered: true, pin });

    // Registering again (e.g. after Meta deregistered it) uses the same PIN and succeeds.
    expect((await whatsappAction(t.url, shop, { intent: "register-number", phoneNumberId: id })).value.ok).toBe(true);
  });

  it("choosing an unregistered number as the sending number registers it first", async () => {
    const id = account.phoneNumberIds[1];
    const res = await whatsappAction(t.url, shop, { intent: "choose-number", phoneNumberId: id });
    expect(res.value).toMatchObject({ ok: true });
    expect(await number(id)).toMatchObject({ active: true, registered: true });
    expect(sim.control.phoneNumber(id)!.registered).toBe(true);
    // Exactly one sending number.
    expect(await t.db.phoneNumber.count({ where: { shop, active: true } })).toBe(1);
    const switched = await whatsappAction(t.url, shop, { intent: "choose-number", phoneNumberId: account.phoneNumberIds[0] });
    expect(switched.value.ok).toBe(true);
    expect((await t.db.phoneNumber.findMany({ where: { shop, active: true } })).map((p) => p.phoneNumberId)).toEqual([account.phoneNumberIds[0]]);
  });

  it("a number whose two-step PIN the app does not know gets the app's PIN (set through the API), then registers; the message names the number", async () => {
    const id = account.phoneNumberIds[2];
    sim.control.phoneNumber(id)!.pin = "999999"; // set by another tool, or by this app before a disconnect
    const res = await whatsappAction(t.url, shop, { intent: "register-number", phoneNumberId: id });
    expect(res.value).toMatchObject({ ok: true });
    if (res.value.ok) expect(res.value.message).toContain("+1 555-020-102");
    const stored = await number(id);
    expect(stored.registered).toBe(true);
    expect(sim.control.phoneNumber(id)).toMatchObject({ registered: true, pin: openSecret(shop, "whatsapp.pin", stored.pinCiphertext!).reveal() });
  });

  it("when Meta refuses to change the PIN, the number is named with the way out in WhatsApp Manager, and nothing is marked registered", async () => {
    const id = account.phoneNumberIds[2];
    await t.db.phoneNumber.updateMany({ where: { shop, phoneNumberId: id }, data: { registered: false } });
    sim.control.phoneNumber(id)!.pin = "888888";
    sim.faults.add({ kind: "error", endpoint: "POST /{phone-number-id}", status: 400, code: 100, message: "(#100) Invalid parameter", times: 1 });
    const res = await whatsappAction(t.url, shop, { intent: "register-number", phoneNumberId: id });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "pin_mismatch" } });
    if (!res.value.ok) expect(res.value.failure.message).toMatch(/^\+1 555-020-102 has a two-step verification PIN.*WhatsApp Manager.*turn off two-step verification/);
    expect((await number(id)).registered).toBe(false);
    // The way out: the merchant turns the PIN off in WhatsApp Manager; Register then works.
    sim.control.phoneNumber(id)!.pin = null;
    expect((await whatsappAction(t.url, shop, { intent: "register-number", phoneNumberId: id })).value.ok).toBe(true);
  });

  it("refuses a number that is not on the connected account", async () => {
    const res = await whatsappAction(t.url, shop, { intent: "choose-number", phoneNumberId: "999999999" });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "number_unknown" } });
  });
});
