import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMetaSimulator, type MetaSimulator } from "./index";
import type { Scenario } from "./control";
import { graph, until } from "./testing";

/** After a send, Meta-shaped status webhooks arrive in order, signed with the app secret. */

interface Received {
  body: string;
  signature: string | undefined;
}

let receiver: http.Server;
let received: Received[] = [];
let callbackUrl: string;
let sim: MetaSimulator;
let s: Scenario;
const APP_SECRET = "webhook-test-app-secret";

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), signature: req.headers["x-hub-signature-256"] as string | undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/meta`;
  sim = await createMetaSimulator({
    appSecret: APP_SECRET,
    webhookCallbackUrl: callbackUrl,
    config: { statusDelaysMs: { sent: 5, delivered: 5, read: 5 } },
  });
});
afterAll(async () => {
  await sim.close();
  await new Promise((r) => receiver.close(r));
});
beforeEach(() => {
  received = [];
  sim.reset();
  s = sim.control.seedScenario({ displayPhoneNumber: "+1 555-010-4242" });
});

const verify = (r: Received, secret: string) => {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(r.body).digest("hex")}`);
  const given = Buffer.from(r.signature ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const send = (to: string) =>
  graph(sim, "POST", `/${s.phoneNumberId}/messages`, {
    token: s.wabaToken,
    json: { messaging_product: "whatsapp", to, type: "template", template: { name: "hello_world", language: { code: "en_US" } } },
  });

type StatusPayload = {
  object: string;
  entry: Array<{ id: string; changes: Array<{ field: string; value: { messaging_product: string; metadata: Record<string, string>; statuses: Array<Record<string, unknown>> } }> }>;
};

describe("status webhooks", () => {
  it("sends sent -> delivered -> read in Meta's envelope with a valid X-Hub-Signature-256", async () => {
    const res = await send("+1 555 987 6543");
    const wamid = ((res.body.messages as Array<{ id: string }>)[0]).id;
    await until(() => received.length === 3);
    for (const r of received) {
      expect(verify(r, APP_SECRET)).toBe(true);
      expect(verify(r, "another-secret")).toBe(false);
    }
    const payloads = received.map((r) => JSON.parse(r.body) as StatusPayload);
    expect(payloads.map((p) => p.entry[0].changes[0].value.statuses[0].status)).toEqual(["sent", "delivered", "read"]);
    const first = payloads[0];
    expect(first.object).toBe("whatsapp_business_account");
    expect(first.entry[0].id).toBe(s.wabaId);
    expect(first.entry[0].changes[0].field).toBe("messages");
    expect(first.entry[0].changes[0].value).toMatchObject({
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550104242", phone_number_id: s.phoneNumberId },
    });
    expect(first.entry[0].changes[0].value.statuses[0]).toMatchObject({ id: wamid, recipient_id: "15559876543", timestamp: expect.stringMatching(/^\d{10}$/) });
    expect(sim.control.messages()[0].statuses.map((u) => u.status)).toEqual(["sent", "delivered", "read"]);
    // The receiver has the bodies before the simulator has read the answers.
    await until(() => sim.control.webhookDeliveries().every((d) => d.status === 200));
    expect(sim.control.webhookDeliveries()).toHaveLength(3);
  });

  it("a recipient configured to fail gets sent -> failed with Meta's error", async () => {
    sim.control.failRecipient("15550000001", { code: 131026, title: "Message undeliverable" });
    await send("15550000001");
    await until(() => received.length === 2);
    await new Promise((r) => setTimeout(r, 30));
    const statuses = received.map((r) => (JSON.parse(r.body) as StatusPayload).entry[0].changes[0].value.statuses[0]);
    expect(statuses.map((x) => x.status)).toEqual(["sent", "failed"]);
    expect(statuses[1].errors).toEqual([
      {
        code: 131026,
        title: "Message undeliverable",
        message: "Message undeliverable",
        error_data: { details: "Message undeliverable" },
        // As failed statuses carry it (test/fixtures/meta/webhooks/status-failed-131047.json).
        href: "https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes",
      },
    ]);
  });

  it("signs with webhookAppSecret when one is configured (app secret rotation)", async () => {
    sim.control.configure({ webhookAppSecret: "rotated-secret" });
    await send("15550000002");
    await until(() => received.length === 3);
    expect(received.every((r) => verify(r, "rotated-secret"))).toBe(true);
  });

  it("sends nothing for a WABA the app is not subscribed to (statuses still progress)", async () => {
    sim.state.wabas.get(s.wabaId)!.subscribedApps.clear();
    await send("15550000003");
    await until(() => sim.control.messages()[0]?.statuses.length === 3);
    expect(received).toEqual([]);
  });
});
