import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { connectBody, seedSignupAccount, useWhatsAppApp, whatsappAction, whatsappPage, type SignupAccount } from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import { clientFor } from "../meta-sim/testing";
import { createWhatsAppHealthWorker } from "../../app/whatsapp/health-worker.server";

/**
 * Health: refreshed when the page opens (cached for WHATSAPP_HEALTH_TTL_MS),
 * on demand, and by the worker on a schedule; a stale check never
 * overwrites a newer one; invalid tokens and lost permissions turn into
 * Needs reconnect, Meta being down only into Needs attention.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());
const TTL_MS = 1500;

describe.each(providers())("WhatsApp health on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim, { WHATSAPP_HEALTH_TTL_MS: String(TTL_MS) });
  let n = 0;
  let shop: string;
  let account: SignupAccount;
  const row = () => t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop } });
  const phone = (i = 0) => sim.control.phoneNumber(account.phoneNumberIds[i])!;
  const makeStale = () => t.db.whatsAppConnection.update({ where: { shop }, data: { healthCheckedAt: new Date(Date.now() - 3_600_000) } });

  beforeEach(async () => {
    sim.faults.clear();
    shop = `wa-health-${provider}-${++n}.myshopify.com`;
    await seedInstalledShop(t.db, shop);
    account = seedSignupAccount(sim, { numbers: 2 });
    const code = sim.control.issueAuthCode({ token: account.token });
    const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }));
    expect(res.value.ok).toBe(true);
  });

  it("opening the page refreshes a snapshot older than the TTL, and only then", async () => {
    phone(0).qualityRating = "RED";
    phone(1).status = "FLAGGED";
    sim.control.setMessagingLimit(account.businessId, "TIER_10K");
    // Fresh as of now, whatever the connect took.
    await t.db.whatsAppConnection.update({ where: { shop }, data: { healthCheckedAt: new Date() } });
    const cached = await whatsappPage(t.url, shop);
    expect(cached.value.verdict.level).toBe("connected");
    expect(cached.value.numbers[0].qualityRating).toBe("GREEN");

    await new Promise((r) => setTimeout(r, TTL_MS + 100));
    const fresh = await whatsappPage(t.url, shop);
    expect(fresh.value.verdict.level).toBe("attention");
    const messages = fresh.value.verdict.issues.map((i) => i.message).join("\n");
    expect(messages).toMatch(/\+1 555-020-100 has low quality/);
    expect(messages).toMatch(/\+1 555-020-101 is flagged for low quality/);
    expect(fresh.value.numbers[0]).toMatchObject({ qualityRating: "RED" });
    // One limit for the whole business portfolio, shared by both numbers.
    expect(fresh.value.connection?.messagingLimit).toBe("10,000 customers in 24 hours");
    const stored = await row();
    expect(stored.state).toBe("CONNECTED");
    expect(stored.health).toMatchObject({ token: { valid: true }, numbers: [{ id: account.phoneNumberIds[0], qualityRating: "RED", nameStatus: "APPROVED" }, { status: "FLAGGED" }] });
  });

  it("a token Meta no longer accepts turns the connection into Needs reconnect with the reason and the action", async () => {
    sim.faults.invalidateToken(account.token, 460);
    await makeStale();
    const page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("reconnect");
    expect(page.value.verdict.issues[0].message).toMatch(/password of the Meta account changed.*test messages fail/s);
    expect((await row()).state).toBe("NEEDS_RECONNECT");
    // No further checks run until the merchant reconnects.
    // Refresh on a broken connection is not a green "Nothing to check": it says what is wrong and what to do.
    expect((await whatsappAction(t.url, shop, { intent: "refresh-health" })).value).toMatchObject({ ok: false, failure: { code: "token_invalid", message: expect.stringMatching(/nothing to check\. Click Reconnect/) } });
  });

  it("a token that lost the messaging permission is Needs attention, naming the permission; one that cannot read the account needs reconnect", async () => {
    sim.faults.revokeScope(account.token, "whatsapp_business_messaging");
    expect((await whatsappAction(t.url, shop, { intent: "refresh-health" })).value).toMatchObject({ ok: true, message: expect.stringMatching(/^Checked with Meta just now: one thing needs your attention/) });
    let page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("attention");
    expect(page.value.verdict.issues.map((i) => i.message).join(" ")).toMatch(/missing the permission “Send WhatsApp messages \(whatsapp_business_messaging\)”/);
    expect((await row()).state).toBe("CONNECTED");

    sim.faults.revokeScope(account.token, "whatsapp_business_management");
    const res = await whatsappAction(t.url, shop, { intent: "refresh-health" });
    expect(res.value).toMatchObject({ ok: false, failure: { code: "token_invalid", message: expect.stringMatching(/cannot read the phone numbers/) } });
    const stored = await row();
    expect(stored.state).toBe("NEEDS_RECONNECT");
    expect(stored.stateReason).toMatch(new RegExp(`This shop's Meta connection cannot read the phone numbers of WhatsApp Business Account ${account.wabaId}: Meta refused`));
    expect(stored.stateReason).toMatch(/Manage your WhatsApp accounts \(whatsapp_business_management\)/);
    page = await whatsappPage(t.url, shop);
    expect(page.value.verdict.level).toBe("reconnect");
  });

  it("Meta being unavailable is an outage with the time of the last success and the last known figures, never Needs reconnect", async () => {
    await whatsappAction(t.url, shop, { intent: "refresh-health" });
    const lastOk = (await row()).healthCheckedAt!.toISOString();
    sim.faults.add({ kind: "error", endpoint: "GET /debug_token", status: 500, code: 2, times: 10 });
    const res = await whatsappAction(t.url, shop, { intent: "refresh-health" });
    // One outcome: not a green "checked" beside the failure.
    expect(res.value).toMatchObject({ ok: false, failure: { code: "meta_unavailable", message: "Meta is not answering; the app retries by itself, nothing is lost." } });
    const page = await whatsappPage(t.url, shop);
    expect(page.value.connection!.state).toBe("CONNECTED");
    expect(page.value.verdict).toMatchObject({ level: "attention", outage: { lastOkAt: lastOk } });
    expect(page.value.verdict.issues.map((i) => i.message).join(" ")).not.toMatch(/Meta did not answer/); // said once, as the outage
    expect(page.value.commerce.readiness.lines[0]).toMatchObject({ state: "unknown", detail: "Meta is not answering; the app retries by itself, nothing is lost." });
    expect(page.value.numbers).toHaveLength(2);
    const stored = await row();
    expect(stored.lastError).toMatch(/Meta did not answer/);
    expect(stored.health).toMatchObject({ numbers: [{ qualityRating: "GREEN" }, { qualityRating: "GREEN" }] });
  });

  it("a slow check that started first never overwrites the newer one that finished first", async () => {
    sim.faults.add({ kind: "latency", endpoint: "GET /debug_token", ms: 1500, times: 1 });
    const slow = whatsappAction(t.url, shop, { intent: "refresh-health" });
    await new Promise((r) => setTimeout(r, 300));
    phone(0).qualityRating = "YELLOW";
    const fast = await whatsappAction(t.url, shop, { intent: "refresh-health" });
    expect(fast.value).toMatchObject({ ok: true, message: expect.stringMatching(/^Checked with Meta just now/) });
    const newer = (await row()).healthCheckedAt!;
    expect((await slow).value).toMatchObject({ ok: true, message: expect.stringMatching(/newer check finished first/) });
    const stored = await row();
    expect(stored.healthCheckedAt!.getTime()).toBe(newer.getTime());
    expect(stored.health).toMatchObject({ numbers: [{ qualityRating: "YELLOW" }, {}] });
  });

  it("the worker re-checks accounts whose snapshot is older than the interval", async () => {
    const worker = createWhatsAppHealthWorker({
      db: t.db,
      client: clientFor(sim, { retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 } }).client,
      log: pino({ level: "silent" }),
      intervalMs: 60_000,
    });
    await worker.tick(); // earlier shops of this file may be due too
    const before = (await row()).healthCheckedAt!;
    phone(1).nameStatus = "DECLINED";
    phone(1).qualityRating = "RED";
    await worker.tick();
    expect((await row()).healthCheckedAt!.getTime()).toBe(before.getTime()); // fresh: not due
    await makeStale();
    expect(await worker.tick()).toBeGreaterThanOrEqual(1);
    const stored = await row();
    expect(stored.healthCheckedAt!.getTime()).toBeGreaterThan(before.getTime());
    expect(await t.db.phoneNumber.findUniqueOrThrow({ where: { shop_phoneNumberId: { shop, phoneNumberId: account.phoneNumberIds[1] } } })).toMatchObject({
      qualityRating: "RED",
      nameStatus: "DECLINED",
    });
  });
});
