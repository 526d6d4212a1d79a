import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { connectBody, seedSignupAccount, useWhatsAppApp, whatsappAction, whatsappPage, type SignupAccount } from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import type { TestMessageView } from "../../app/whatsapp/test-message.server";

/**
 * The test message end to end: the page's action sends hello_world through
 * the simulator, whose signed status webhooks reach /webhooks/meta and move
 * the message along sent -> delivered -> read (or failed, with Meta's
 * reason), as the page shows it.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

async function until(check: () => Promise<TestMessageView | null | undefined>, done: (m: TestMessageView) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await check();
    if (m && done(m)) return m;
    if (Date.now() > deadline) throw new Error(`message did not get there in time: ${JSON.stringify(m)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(providers())("WhatsApp test message on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  const shop = `wa-message-${provider}.myshopify.com`;
  let account: SignupAccount;
  const latest = async () => (await whatsappPage(t.url, shop)).value.lastTestMessage;

  beforeAll(async () => {
    await seedInstalledShop(t.db, shop);
    account = seedSignupAccount(sim, { numbers: 2 });
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH_ONLY_WABA", wabaId: account.wabaId }));
    expect(res.value.ok).toBe(true);
  });

  it("needs a sending number that is registered", async () => {
    const res = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550123" });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "no_active_number" } });
    expect((await whatsappAction(t.url, shop, { intent: "choose-number", phoneNumberId: account.phoneNumberIds[1] })).value.ok).toBe(true);
  });

  it("refuses a recipient that is not E.164, before anything is sent", async () => {
    for (const to of ["4155550123", "+0155550123", "+1 415 CALL ME", "+12", ""]) {
      const res = await whatsappAction(t.url, shop, { intent: "send-test", to });
      expect(res.status).toBe(400);
      expect(res.value).toMatchObject({ ok: false, failure: { code: "invalid_input", message: expect.stringMatching(/international format/) } });
    }
    expect(await t.db.messageLog.count({ where: { shop } })).toBe(0);
  });

  it("sends hello_world and follows it to delivered and read through Meta's status webhooks", async () => {
    sim.control.configure({ statusDelaysMs: { sent: 50, delivered: 200, read: 300 } });
    const res = await whatsappAction(t.url, shop, { intent: "send-test", to: "+1 (415) 555-0123" });
    expect(res.value).toMatchObject({ ok: true, testMessage: { to: "+14155550123", template: "hello_world", status: "PENDING" } });
    const sent = sim.control.messages().at(-1)!;
    expect(sent).toMatchObject({ phoneNumberId: account.phoneNumberIds[1], to: "+14155550123", type: "template", template: { name: "hello_world", languageCode: "en_US" } });

    const delivered = await until(latest, (m) => m.status === "DELIVERED" || m.status === "READ");
    expect(delivered.timeline.map((e) => e.status).slice(0, 2)).toEqual(["SENT", "DELIVERED"]);
    const read = await until(latest, (m) => m.status === "READ");
    expect(read.timeline.map((e) => e.status)).toEqual(["SENT", "DELIVERED", "READ"]);
    expect(read.error).toBeNull();
    const row = await t.db.messageLog.findFirstOrThrow({ where: { shop, direction: "OUT" }, orderBy: { createdAt: "desc" } });
    expect(row.wamid).toBe(sent.wamid);
    // Every delivery was accepted by the app.
    expect(sim.control.webhookDeliveries().filter((d) => d.body.includes(sent.wamid)).map((d) => d.status)).toEqual([200, 200, 200]);
  });

  it("keeps up with status webhooks that arrive before the send call has returned", async () => {
    sim.control.configure({ statusDelaysMs: { sent: 0, delivered: 0, read: 0 } });
    const res = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550124" });
    expect(res.value.ok).toBe(true);
    const read = await until(latest, (m) => m.status === "READ");
    expect(read.timeline.map((e) => e.status)).toEqual(["SENT", "DELIVERED", "READ"]);
  });

  it("a message Meta could not deliver ends failed, with the reason and what to do (131026)", async () => {
    sim.control.configure({ statusDelaysMs: { sent: 20, delivered: 50, read: 50 } });
    sim.control.failRecipient("+14155550199", { code: 131026, title: "Message undeliverable" });
    const res = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550199" });
    expect(res.value.ok).toBe(true);
    const failed = await until(latest, (m) => m.status === "FAILED");
    expect(failed.timeline.map((e) => e.status)).toEqual(["SENT", "FAILED"]);
    expect(failed.error).toMatch(/^Meta refused delivering the test message: WhatsApp could not deliver it to this number: .*Ask them by another channel/);
  });

  it("a send Meta refuses outright is failed at once, with what to do (131031)", async () => {
    sim.control.phoneNumber(account.phoneNumberIds[1])!.status = "BANNED";
    const res = await whatsappAction(t.url, shop, { intent: "send-test", to: "+14155550125" });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "send_failed" }, testMessage: { status: "FAILED" } });
    if (!res.value.ok) expect(res.value.failure.message).toMatch(/Meta has locked your WhatsApp Business Account.*Account quality in WhatsApp Manager/);
    sim.control.phoneNumber(account.phoneNumberIds[1])!.status = "CONNECTED";
  });
});
