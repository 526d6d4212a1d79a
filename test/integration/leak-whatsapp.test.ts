import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { adminPage } from "../helpers/shopify";
import {
  connectBody,
  postMetaWebhook,
  seedSignupAccount,
  seedToken,
  useWhatsAppApp,
  WA_VERIFY_TOKEN,
  whatsappAction,
  whatsappPage,
  type Answer,
  type SignupAccount,
} from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";
import { openSecret } from "../../app/vault/secrets.server";

/**
 * No plaintext token or PIN anywhere a person or a log collector can see:
 * every WhatsApp step (connect, registration, health, reconnect, a token
 * invalidated mid-use, test message with its status webhooks, inbound and
 * account webhooks, handshake, disconnect) runs against an app logging at
 * debug level, and every log line, every HTTP response body and header and
 * every rendered page is searched for every token and PIN involved.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());

describe.each(providers())("WhatsApp secrets never leak on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim);
  const shop = `wa-leak-${provider}.myshopify.com`;
  const seen: string[] = [];
  const secrets = new Set<string>();
  /** A customer's phone number and business-scoped user id (issue 18): pages may show the last 4 digits, nothing more. */
  const personal = new Set<string>();
  let account: SignupAccount;

  const record = async <T>(answer: Promise<Answer<T>>) => {
    const a = await answer;
    seen.push(a.text, JSON.stringify([...a.headers]));
    return a;
  };
  const recordResponse = async (res: Promise<Response>) => {
    const r = await res;
    seen.push(await r.text(), JSON.stringify([...r.headers]));
    return r;
  };
  const act = (body: unknown) => record(whatsappAction(t.url, shop, body));
  const page = () => record(whatsappPage(t.url, shop));
  const render = (path: string) => recordResponse(adminPage(t.url, path, shop));
  const rememberPins = async () => {
    for (const p of await t.db.phoneNumber.findMany({ where: { shop, pinCiphertext: { not: null } } })) secrets.add(openSecret(shop, "whatsapp.pin", p.pinCiphertext!).reveal());
  };
  const waitFor = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    await seedInstalledShop(t.db, shop);
    sim.control.configure({ statusDelaysMs: { sent: 10, delivered: 20, read: 20 } });
  });

  it("drives every WhatsApp step with debug logging", async () => {
    account = seedSignupAccount(sim, { numbers: 2 });
    secrets.add(account.token);

    // A bad code, then a good connect with registration of the chosen number.
    await act(connectBody("not-a-real-code-123456", null));
    const code = sim.control.issueAuthCode({ token: account.token });
    secrets.add(code);
    expect((await act(connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }))).value.ok).toBe(true);
    expect((await act({ intent: "register-number", phoneNumberId: account.phoneNumberIds[1] })).value.ok).toBe(true);
    await rememberPins();
    expect(secrets.size).toBe(4); // token, code, two PINs

    // A number whose PIN the app does not know: the app sets its own through the API (the PIN goes in a
    // request body), once refused by Meta, once accepted.
    secrets.add("424242");
    sim.control.phoneNumber(account.phoneNumberIds[1])!.pin = "424242";
    await t.db.phoneNumber.updateMany({ where: { shop, phoneNumberId: account.phoneNumberIds[1] }, data: { registered: false } });
    sim.faults.add({ kind: "error", endpoint: "POST /{phone-number-id}", status: 400, code: 100, message: "(#100) Invalid parameter", times: 1 });
    expect((await act({ intent: "register-number", phoneNumberId: account.phoneNumberIds[1] })).value).toMatchObject({ ok: false, failure: { code: "pin_mismatch" } });
    expect((await act({ intent: "register-number", phoneNumberId: account.phoneNumberIds[1] })).value.ok).toBe(true);

    // Pages and health.
    await page();
    await render("/app/whatsapp");
    await render("/app");
    await act({ intent: "refresh-health" });

    // A test message followed to read through the status webhooks.
    expect((await act({ intent: "send-test", to: "+14155550123" })).value.ok).toBe(true);
    await waitFor(async () => (await whatsappPage(t.url, shop)).value.lastTestMessage?.status === "READ");
    await page();

    // WhatsApp commerce (issue 18): a customer writes (the window opens), the checklist's actions, a product send.
    const customer = { phone: "+14155550188", userId: "US.90000000000000000188" };
    personal.add(customer.phone.slice(1));
    personal.add(customer.userId);
    expect((await sim.inbound({ phoneNumberId: account.phoneNumberIds[0], from: customer.phone, userId: customer.userId })).delivered).toBe(true);
    expect((await page()).value.commerce.window?.sender).toBe("•••0188");
    await act({ intent: "refresh-commerce" });
    await act({ intent: "link-catalog" });
    await act({ intent: "unlink-catalog", catalogId: "123456789" });
    await act({ intent: "set-commerce", cartEnabled: true, catalogVisible: true });
    await act({ intent: "send-product", productIds: ["1"] });
    await render("/app/whatsapp");
    await render("/app");

    // Inbound and account webhooks, the handshake, an unsigned delivery.
    const inbound = {
      object: "whatsapp_business_account",
      entry: [{ id: account.wabaId, changes: [{ field: "messages", value: { metadata: { phone_number_id: account.phoneNumberIds[0] }, messages: [{ id: "wamid.leak.in", type: "text" }] } }] }],
    };
    await recordResponse(postMetaWebhook(t.url, inbound, sim.appSecret));
    await recordResponse(postMetaWebhook(t.url, inbound, null));
    await recordResponse(
      postMetaWebhook(t.url, { object: "whatsapp_business_account", entry: [{ id: account.wabaId, changes: [{ field: "account_update", value: { event: "ACCOUNT_VIOLATION" } }] }] }, sim.appSecret),
    );
    await recordResponse(fetch(`${t.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${WA_VERIFY_TOKEN}&hub.challenge=42`));

    // The token dies mid-use (190), the page shows it, a reconnect with a new token repairs it.
    sim.faults.invalidateToken(account.token, 467);
    await act({ intent: "send-test", to: "+14155550123" });
    await act({ intent: "refresh-health" });
    await render("/app/whatsapp");
    const fresh = seedToken(sim, account);
    secrets.add(fresh);
    const reconnectCode = sim.control.issueAuthCode({ token: fresh });
    expect((await act(connectBody(reconnectCode, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }))).value.ok).toBe(true);
    // A reconnect refused for missing permissions, and one for a different account.
    const reduced = seedToken(sim, account, { scopes: ["whatsapp_business_management"] });
    secrets.add(reduced);
    await act(connectBody(sim.control.issueAuthCode({ token: reduced }), null));
    const other = seedSignupAccount(sim);
    secrets.add(other.token);
    await act(connectBody(sim.control.issueAuthCode({ token: other.token }), { event: "FINISH", wabaId: other.wabaId }));
    await page();
    await render("/app/whatsapp");

    // Disconnect.
    expect((await act({ intent: "disconnect" })).value.ok).toBe(true);
    await page();
    await render("/app/whatsapp");
  });

  it("finds no token or PIN in any log line, response body, header or rendered page", () => {
    const logs = t.app.logs();
    expect(logs).toMatch(/meta graph call/); // debug logging was on
    const haystacks = { logs, responses: seen.join("\n") };
    const hits: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of secrets) if (text.includes(secret)) hits.push(`${where}: ${secret.slice(0, 4)}…`);
      // The app secret too, and no vault ciphertext is ever sent to the browser.
      if (text.includes(sim.appSecret)) hits.push(`${where}: app secret`);
      for (const value of personal) if (text.includes(value)) hits.push(`${where}: a customer's ${value.includes(".") ? "user id" : "phone number"}`);
    }
    if (/v1\.k1\.[A-Za-z0-9_-]{8,}/.test(haystacks.responses)) hits.push("responses: vault ciphertext");
    expect(hits).toEqual([]);
    expect(secrets.size).toBeGreaterThanOrEqual(7);
  });
});
