import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../app/db.server";
import { freePort, TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { useApp } from "../helpers/app-suite";
import { providers } from "../helpers/databases";
import { metaSignature, statusWebhookBody } from "../helpers/whatsapp";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { seedInstalledShop, seedMetaConnections } from "../sandbox/seed";

/**
 * Meta's WhatsApp webhooks, hostile cases (issue 8): a bad signature, a
 * replayed delivery, an unknown WABA, and statuses that name another shop's
 * message (through its wamid, its phone number or its WABA) change nothing.
 */

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const META_PORT = await freePort();
const META_APP_SECRET = "sim-app-secret-0123456789abcdef";

/** Every row, without the connection's "last webhook seen" stamp (it notes that a delivery arrived, nothing more). */
async function rows(db: Db) {
  const [connections, phones, messages] = await Promise.all([
    db.whatsAppConnection.findMany({ orderBy: { shop: "asc" } }),
    db.phoneNumber.findMany({ orderBy: { id: "asc" } }),
    db.messageLog.findMany({ orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify({ connections: connections.map(({ webhookSeenAt: _seen, updatedAt: _updated, ...c }) => c), phones, messages });
}

describe.each(providers())("Meta webhooks, hostile cases, on %s", (provider) => {
  const t = useApp(provider, {
    META_GRAPH_URL: `http://127.0.0.1:${META_PORT}`,
    META_APP_ID: "1234567890123456",
    META_APP_SECRET,
  });
  const shopA = `meta-a-${provider}.myshopify.com`;
  const shopB = `meta-b-${provider}.myshopify.com`;
  let sim: MetaSimulator;
  let a: Scenario;
  let b: Scenario;

  const sign = (body: string, secret = META_APP_SECRET) => metaSignature(body, secret);
  const post = (payload: unknown, signature?: string) => {
    const body = JSON.stringify(payload);
    return fetch(`${t.url}/webhooks/meta`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature ?? sign(body) }, body });
  };
  const message = (wamid: string) => t.db.messageLog.findUniqueOrThrow({ where: { wamid } });

  beforeAll(async () => {
    sim = await createMetaSimulator({ port: META_PORT });
    a = sim.control.seedScenario();
    b = sim.control.seedScenario();
    for (const [shop, s] of [
      [shopA, a],
      [shopB, b],
    ] as const) {
      await seedInstalledShop(t.db, shop);
      await seedMetaConnections(t.db, shop, {
        businessId: s.businessId,
        wabaId: s.wabaId,
        wabaToken: s.wabaToken,
        phoneNumbers: [{ id: s.phoneNumberId, display: "+1 555-010-1111", verifiedName: "Sender" }],
        catalogId: s.catalogId,
        catalogToken: s.catalogToken,
      });
    }
    await t.db.messageLog.create({ data: { shop: shopA, phoneNumberId: a.phoneNumberId, to: "+15550001111", wamid: "wamid.ALPHA1", status: "SENT", direction: "OUT" } });
    await t.db.messageLog.create({ data: { shop: shopB, phoneNumberId: b.phoneNumberId, to: "+15550002222", wamid: "wamid.BRAVO1", status: "SENT", direction: "OUT" } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("refuses a delivery with a bad signature and applies nothing", async () => {
    const before = await rows(t.db);
    const payload = statusWebhookBody(a.wabaId, a.phoneNumberId, "wamid.ALPHA1", "delivered");
    const body = JSON.stringify(payload);
    for (const signature of [sign(body, "another-app-secret"), "sha256=" + "0".repeat(64), "", "sha256=", sign(`${body} `), sign(body).replace("sha256=", "sha1=")]) {
      const res = await post(payload, signature);
      expect(res.status, signature).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/signature/i);
    }
    expect((await message("wamid.ALPHA1")).status).toBe("SENT");
    expect(await rows(t.db)).toBe(before);
  });

  it("applies a status once; a replayed delivery and an older status change nothing", async () => {
    const delivered = statusWebhookBody(a.wabaId, a.phoneNumberId, "wamid.ALPHA1", "delivered");
    expect((await post(delivered)).status).toBe(200);
    expect((await message("wamid.ALPHA1")).status).toBe("DELIVERED");
    // Meta retries with the original body: nothing changes, however often.
    const after = await rows(t.db);
    for (let i = 0; i < 3; i++) expect((await post(delivered)).status).toBe(200);
    expect(JSON.parse(await rows(t.db))).toEqual(JSON.parse(after));
    // An older status arriving late goes into the timeline but never moves the status back; its replay changes nothing either.
    const late = statusWebhookBody(a.wabaId, a.phoneNumberId, "wamid.ALPHA1", "sent", Math.floor(Date.now() / 1000) - 60);
    expect((await post(late)).status).toBe(200);
    expect((await message("wamid.ALPHA1")).status).toBe("DELIVERED");
    const afterLate = await rows(t.db);
    for (let i = 0; i < 2; i++) expect((await post(late)).status).toBe(200);
    expect(JSON.parse(await rows(t.db))).toEqual(JSON.parse(afterLate));
  });

  it("ignores an unknown WABA, and statuses that name another shop's message, number or WABA", async () => {
    const before = await rows(t.db);
    const cases = [
      { what: "unknown WABA", payload: statusWebhookBody("998877665544", a.phoneNumberId, "wamid.ALPHA1", "read") },
      { what: "B's message under A's WABA and number", payload: statusWebhookBody(a.wabaId, a.phoneNumberId, "wamid.BRAVO1", "read") },
      { what: "B's message under A's WABA, B's number", payload: statusWebhookBody(a.wabaId, b.phoneNumberId, "wamid.BRAVO1", "read") },
      { what: "A's message under B's WABA", payload: statusWebhookBody(b.wabaId, a.phoneNumberId, "wamid.ALPHA1", "read") },
      { what: "A's message under B's WABA and number", payload: statusWebhookBody(b.wabaId, b.phoneNumberId, "wamid.ALPHA1", "read") },
      { what: "B's number, unknown message", payload: statusWebhookBody(b.wabaId, b.phoneNumberId, "wamid.NOPE", "failed") },
      { what: "unknown object", payload: { ...statusWebhookBody(a.wabaId, a.phoneNumberId, "wamid.ALPHA1", "read"), object: "page" } },
      {
        what: "an inbound message reusing B's wamid under A's WABA",
        payload: {
          object: "whatsapp_business_account",
          entry: [{ id: a.wabaId, changes: [{ field: "messages", value: { metadata: { phone_number_id: a.phoneNumberId }, messages: [{ id: "wamid.BRAVO1", from: "15550002222", type: "text" }] } }] }],
        },
      },
      {
        what: "a quality update for B's number under an unknown WABA",
        payload: { object: "whatsapp_business_account", entry: [{ id: "998877665544", changes: [{ field: "phone_number_quality_update", value: { display_phone_number: "15550101111", event: "DOWNGRADE", current_limit: "TIER_50" } }] }] },
      },
    ];
    for (const c of cases) {
      const res = await post(c.payload);
      // Acknowledged (Meta retries anything else for days), and without effect.
      expect(res.status, c.what).toBe(200);
      expect(await rows(t.db), c.what).toBe(before);
    }
    expect((await message("wamid.BRAVO1")).status).toBe("SENT");
  });
});
