import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { snapshotRows } from "../helpers/app-suite";
import {
  connectBody,
  metaSignature,
  postMetaWebhook,
  seedSignupAccount,
  statusWebhookBody,
  useWhatsAppApp,
  WA_VERIFY_TOKEN,
  whatsappAction,
  whatsappPage,
  type SignupAccount,
} from "../helpers/whatsapp";
import { seedInstalledShop } from "../sandbox/seed";
import { createMetaSimulator } from "../meta-sim";

/**
 * GET|POST /webhooks/meta: the verify handshake, the signature on the raw
 * body (current and previous app secret), routing by WABA and phone number
 * to the right shop, idempotent status/inbound/health effects, and the
 * deliveries that must change nothing.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const sim = await createMetaSimulator();
afterAll(() => sim.close());
const PREVIOUS_SECRET = "previous-meta-app-secret-42";

describe.each(providers())("Meta webhooks on %s", (provider) => {
  const t = useWhatsAppApp(provider, sim, { META_APP_SECRET_PREVIOUS: PREVIOUS_SECRET });
  const shopA = `wa-hooks-a-${provider}.myshopify.com`;
  const shopB = `wa-hooks-b-${provider}.myshopify.com`;
  let a: SignupAccount;
  let b: SignupAccount;
  const post = (body: unknown, secret: string | null = sim.appSecret) => postMetaWebhook(t.url, body, secret);
  const message = (shop: string, wamid: string) => t.db.messageLog.findFirstOrThrow({ where: { shop, wamid } });

  beforeAll(async () => {
    sim.control.configure({ webhookCallbackUrl: null }); // these tests post every delivery themselves
    for (const [shop, set] of [
      [shopA, (x: SignupAccount) => (a = x)],
      [shopB, (x: SignupAccount) => (b = x)],
    ] as const) {
      await seedInstalledShop(t.db, shop);
      const account = set(seedSignupAccount(sim, { numbers: 1 }));
      const code = sim.control.issueAuthCode({ token: account.token });
      const res = await whatsappAction(t.url, shop, connectBody(code, { event: "FINISH", wabaId: account.wabaId, phoneNumberId: account.phoneNumberIds[0] }));
      expect(res.value.ok).toBe(true);
    }
    // One message per shop, logged as the test-message step does.
    await t.db.messageLog.create({ data: { shop: shopA, phoneNumberId: a.phoneNumberIds[0], to: "+14155550123", template: "hello_world", wamid: "wamid.A1", timeline: [] } });
    await t.db.messageLog.create({ data: { shop: shopB, phoneNumberId: b.phoneNumberIds[0], to: "+14155550123", template: "hello_world", wamid: "wamid.B1", timeline: [] } });
  });

  describe("verify handshake", () => {
    const handshake = (params: Record<string, string>) => fetch(`${t.url}/webhooks/meta?${new URLSearchParams(params)}`);

    it("answers the challenge as plain text when the verify token matches", async () => {
      const res = await handshake({ "hub.mode": "subscribe", "hub.verify_token": WA_VERIFY_TOKEN, "hub.challenge": "1158201444" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await res.text()).toBe("1158201444");
    });

    it("answers 403 to a wrong token or mode", async () => {
      expect((await handshake({ "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1" })).status).toBe(403);
      expect((await handshake({ "hub.mode": "unsubscribe", "hub.verify_token": WA_VERIFY_TOKEN, "hub.challenge": "1" })).status).toBe(403);
      expect((await handshake({})).status).toBe(403);
    });
  });

  describe("signature", () => {
    it("refuses unsigned and wrongly signed deliveries with 401, storing nothing", async () => {
      const body = statusWebhookBody(a.wabaId, a.phoneNumberIds[0], "wamid.A1", "delivered", 1_800_000_000);
      const before = await snapshotRows(t.db);
      expect((await post(body, null)).status).toBe(401);
      expect((await post(body, "not-the-app-secret")).status).toBe(401);
      const raw = JSON.stringify(body);
      const tampered = await fetch(`${t.url}/webhooks/meta`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": metaSignature(raw, sim.appSecret) },
        body: raw.replace("delivered", "read"),
      });
      expect(tampered.status).toBe(401);
      expect(await snapshotRows(t.db)).toBe(before);
    });

    it("accepts the previous app secret during a rotation", async () => {
      const res = await post(statusWebhookBody(a.wabaId, a.phoneNumberIds[0], "wamid.A1", "sent", 1_800_000_000), PREVIOUS_SECRET);
      expect(res.status).toBe(200);
      expect((await message(shopA, "wamid.A1")).status).toBe("SENT");
    });

    it("refuses a body over the limit with 413 and a signed non-JSON body with 400", async () => {
      const huge = JSON.stringify({ object: "whatsapp_business_account", entry: [], pad: "x".repeat(4 * 1024 * 1024) });
      expect((await post(huge)).status).toBe(413);
      expect((await post("{not json")).status).toBe(400);
    });
  });

  describe("statuses", () => {
    it("records a status for the shop that owns the WABA and number, and a replay changes nothing", async () => {
      const body = statusWebhookBody(a.wabaId, a.phoneNumberIds[0], "wamid.A1", "delivered", 1_800_000_010);
      expect((await post(body)).status).toBe(200);
      const once = await message(shopA, "wamid.A1");
      expect(once.status).toBe("DELIVERED");
      expect((await post(body)).status).toBe(200);
      const twice = await message(shopA, "wamid.A1");
      expect(twice.timeline).toEqual(once.timeline);
      expect(twice.statusAt!.getTime()).toBe(once.statusAt!.getTime());
    });

    it("never moves a message backwards: a late delivered after read keeps read", async () => {
      await post(statusWebhookBody(a.wabaId, a.phoneNumberIds[0], "wamid.A1", "read", 1_800_000_020));
      await post(statusWebhookBody(a.wabaId, a.phoneNumberIds[0], "wamid.A1", "delivered", 1_800_000_015));
      const m = await message(shopA, "wamid.A1");
      expect(m.status).toBe("READ");
      expect((m.timeline as { status: string }[]).map((e) => e.status)).toEqual(["SENT", "DELIVERED", "READ"]);
    });

    it("a status naming another shop's message, from this shop's WABA, changes nothing", async () => {
      const before = await snapshotRows(t.db);
      expect((await post(statusWebhookBody(a.wabaId, a.phoneNumberIds[0], "wamid.B1", "read", 1_800_000_030))).status).toBe(200);
      // Nor does shop B's number reported under shop A's WABA.
      expect((await post(statusWebhookBody(a.wabaId, b.phoneNumberIds[0], "wamid.B1", "read", 1_800_000_030))).status).toBe(200);
      const after = JSON.parse(await snapshotRows(t.db));
      expect(after.messages).toEqual(JSON.parse(before).messages);
      expect((await message(shopB, "wamid.B1")).status).toBe("PENDING");
    });

    it("failed records Meta's reason, in the merchant's words with the advice for a known code", async () => {
      const errors = [{ code: 131049, title: "Message not delivered to maintain healthy ecosystem engagement", message: "Message failed", error_data: { details: "Not delivered to maintain healthy ecosystem engagement" } }];
      await post(statusWebhookBody(b.wabaId, b.phoneNumberIds[0], "wamid.B1", "failed", 1_800_000_040, errors));
      const m = await message(shopB, "wamid.B1");
      expect(m.status).toBe("FAILED");
      expect(m.error).toMatch(/^Meta refused delivering the test message: WhatsApp held it back .*Don't send it again right away/);
    });

    it("acknowledges a WABA the app does not know with 200 and ignores it", async () => {
      const before = await snapshotRows(t.db);
      const res = await post(statusWebhookBody("987654321098765", "123123123", "wamid.X", "read", 1_800_000_050));
      expect(res.status).toBe(200);
      expect(await snapshotRows(t.db)).toBe(before);
    });
  });

  describe("inbound and account events", () => {
    it("counts inbound messages once each, without keeping their content or sender", async () => {
      const body = {
        object: "whatsapp_business_account",
        entry: [
          {
            id: a.wabaId,
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "15550200100", phone_number_id: a.phoneNumberIds[0] },
                  contacts: [{ profile: { name: "Customer" }, wa_id: "14155550123" }],
                  messages: [{ from: "14155550123", id: "wamid.IN1", timestamp: "1800000060", type: "text", text: { body: "Hi, is my order shipped?" } }],
                },
              },
            ],
          },
        ],
      };
      expect((await post(body)).status).toBe(200);
      expect((await post(body)).status).toBe(200);
      const inbound = await t.db.messageLog.findMany({ where: { shop: shopA, direction: "IN" } });
      expect(inbound).toHaveLength(1);
      expect(JSON.stringify(inbound)).not.toMatch(/order shipped|14155550123/);
      // Not shown: the page's last test message is still the outbound one.
      expect((await whatsappPage(t.url, shopA)).value.lastTestMessage?.to).toBe("+14155550123");
    });

    it("phone_number_quality_update (as sent since February 2026) and account_update change the health the page shows", async () => {
      const display = (await t.db.phoneNumber.findFirstOrThrow({ where: { shop: shopA } })).displayPhoneNumber;
      const time = Math.floor(Date.now() / 1000) + 5;
      const body = {
        object: "whatsapp_business_account",
        entry: [
          {
            id: a.wabaId,
            time,
            changes: [
              { field: "phone_number_quality_update", value: { display_phone_number: display.replace(/\D/g, ""), event: "DOWNGRADE", old_limit: "TIER_2K", max_daily_conversations_per_business: "TIER_250" } },
              { field: "account_update", value: { phone_number: display.replace(/\D/g, ""), event: "ACCOUNT_RESTRICTION", restriction_info: [{ restriction_type: "RESTRICTED_ADD_PHONE_NUMBER_ACTION", expiration: 1900000000 }] } },
            ],
          },
        ],
      };
      expect((await post(body)).status).toBe(200);
      expect((await post(body)).status).toBe(200); // replay
      const page = await whatsappPage(t.url, shopA);
      // The business portfolio's limit (no current_limit since February 2026).
      expect(page.value.connection?.messagingLimit).toBe("250 customers in 24 hours");
      expect((await t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop: shopA } })).messagingLimit).toBe("TIER_250");
      expect(page.value.verdict.level).toBe("attention");
      const issues = page.value.verdict.issues.map((i) => i.message);
      expect(issues.filter((m) => /lowered your business portfolio's messaging limit/.test(m))).toHaveLength(1);
      expect(issues.filter((m) => /restricted the WhatsApp Business Account/.test(m))).toHaveLength(1);
      const row = await t.db.whatsAppConnection.findUniqueOrThrow({ where: { shop: shopA } });
      expect(row.webhookSeenAt).not.toBeNull();
      // Shop B's health is untouched.
      expect((await whatsappPage(t.url, shopB)).value.verdict.issues.map((i) => i.message).join(" ")).not.toMatch(/restricted/);
    });
  });
});
