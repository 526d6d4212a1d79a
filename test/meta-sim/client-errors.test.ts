import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MetaGraphClient } from "../../app/meta/client.server";
import { MetaGraphError, PermissionMissing, RateLimited, Rejected, TokenInvalid, Transient } from "../../app/meta/errors";
import { asSecret } from "../../app/meta/secret";
import { createMetaSimulator, type MetaSimulator } from "./index";
import type { Scenario } from "./control";
import { clientFor, validItem } from "./testing";

/** Every error class, the retry rules, and that no secret reaches an error or a log line. */

// Not EAA-shaped on purpose: the logger's pattern-based redaction must not be what hides them.
const APP_SECRET = "canary-app-secret-7f3a9c1d";
const WABA_TOKEN = "canary-waba-token-51be0d22";
const CATALOG_TOKEN = "canary-catalog-token-9e8d7c6b";

let sim: MetaSimulator;
let s: Scenario;
const waba = () => asSecret(WABA_TOKEN);
const catalog = () => asSecret(CATALOG_TOKEN);

beforeAll(async () => {
  sim = await createMetaSimulator({ appId: "1122334455667788", appSecret: APP_SECRET, config: { batchDelayMs: 0 } });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  s = sim.control.seedScenario({ wabaToken: WABA_TOKEN, catalogToken: CATALOG_TOKEN });
});

const calls = (label: string) => sim.control.callCounts()[label] ?? 0;
async function failure(promise: Promise<unknown>): Promise<MetaGraphError> {
  const err = await promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MetaGraphError);
  return err as MetaGraphError;
}

describe("TokenInvalid", () => {
  it("190/460 surfaces with the reason and is never retried", async () => {
    sim.faults.invalidateToken(WABA_TOKEN, 460);
    const { client } = clientFor(sim);
    const err = await failure(client.getPhoneNumber(waba(), s.phoneNumberId));
    expect(err).toBeInstanceOf(TokenInvalid);
    expect(err).toMatchObject({ code: 190, subcode: 460, httpStatus: 400, endpoint: "GET /{phone-number-id}" });
    expect((err as TokenInvalid).reason).toBe("the password of the Meta account changed");
    expect(err.fbtraceId).toMatch(/^[A-Za-z0-9]+$/);
    expect(calls("GET /{phone-number-id}")).toBe(1);
  });

  it("an unknown token is 190 without subcode: access was removed", async () => {
    const { client } = clientFor(sim);
    const err = await failure(client.itemsBatch(asSecret("EAAunknownTokenValue1234567890abc"), s.catalogId, [{ method: "DELETE", data: { id: "a" } }]));
    expect(err).toBeInstanceOf(TokenInvalid);
    expect((err as TokenInvalid).reason).toBe("access was removed");
  });
});

describe("PermissionMissing", () => {
  it("names the scope a token lost", async () => {
    sim.faults.revokeScope(CATALOG_TOKEN, "catalog_management");
    const { client } = clientFor(sim);
    const err = await failure(client.itemsBatch(catalog(), s.catalogId, [{ method: "UPDATE", data: validItem("a") }]));
    expect(err).toBeInstanceOf(PermissionMissing);
    expect((err as PermissionMissing).permission).toBe("catalog_management");
    expect(calls("POST /{catalog-id}/items_batch")).toBe(1);
  });

  it("refuses objects outside the token's granular target ids", async () => {
    const other = sim.control.seedWaba({ businessId: s.businessId });
    const phone = sim.control.seedPhoneNumber({ wabaId: other.id });
    const { client } = clientFor(sim);
    const err = await failure(client.getPhoneNumber(waba(), phone.id));
    expect(err).toBeInstanceOf(PermissionMissing);
    expect((err as PermissionMissing).permission).toBe("whatsapp_business_management");
  });
});

describe("RateLimited", () => {
  it("surfaces with the regain time from the usage header, not retried", async () => {
    sim.faults.add({ kind: "throttle", endpoint: "POST /{catalog-id}/items_batch", regainMinutes: 3 });
    const { client } = clientFor(sim);
    const err = await failure(client.itemsBatch(catalog(), s.catalogId, [{ method: "UPDATE", data: validItem("a") }]));
    expect(err).toBeInstanceOf(RateLimited);
    expect(err.code).toBe(80014);
    expect((err as RateLimited).retryAfterMs).toBe(3 * 60_000);
    expect((err as RateLimited).usage).toContainEqual(expect.objectContaining({ id: s.businessId, regainMinutes: 3, callCount: 100 }));
    expect(calls("POST /{catalog-id}/items_batch")).toBe(1);
    expect(client.shouldSlowDown({ id: s.businessId })).toBe(true);
  });

  it("app-level throttling (code 4) on WhatsApp endpoints too", async () => {
    sim.faults.add({ kind: "throttle", endpoint: "GET /{phone-number-id}", regainMinutes: 1 });
    const err = await failure(clientFor(sim).client.getPhoneNumber(waba(), s.phoneNumberId));
    expect(err).toMatchObject({ kind: "rate_limited", code: 4, retryAfterMs: 60_000 });
  });

  it("with rateLimitWaitMaxMs, waits the regain time and tries again", async () => {
    sim.faults.add({ kind: "throttle", endpoint: "POST /{catalog-id}/items_batch", regainMinutes: 2, times: 1 });
    const waits: number[] = [];
    const { client } = clientFor(sim, { rateLimitWaitMaxMs: 5 * 60_000, sleep: async (ms) => void waits.push(ms) });
    const result = await client.itemsBatch(catalog(), s.catalogId, [{ method: "UPDATE", data: validItem("a") }]);
    expect(result.handles).toHaveLength(1);
    expect(waits).toEqual([2 * 60_000]);
    expect(calls("POST /{catalog-id}/items_batch")).toBe(2);
  });

  it("does not wait longer than rateLimitWaitMaxMs", async () => {
    sim.faults.add({ kind: "throttle", endpoint: "POST /{catalog-id}/items_batch", regainMinutes: 30, times: 1 });
    const waits: number[] = [];
    const { client } = clientFor(sim, { rateLimitWaitMaxMs: 60_000, sleep: async (ms) => void waits.push(ms) });
    await expect(client.itemsBatch(catalog(), s.catalogId, [{ method: "UPDATE", data: validItem("a") }])).rejects.toBeInstanceOf(RateLimited);
    expect(waits).toEqual([]);
  });
});

describe("Transient", () => {
  it("500s with code 2 are retried with backoff, then succeed", async () => {
    sim.faults.add({ kind: "error", endpoint: "GET /{catalog-id}/check_batch_request_status", times: 2 });
    const waits: number[] = [];
    const { client, logLines } = clientFor(sim, { sleep: async (ms) => void waits.push(ms), random: () => 0.5, retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 10_000 } });
    const { handles } = await client.itemsBatch(catalog(), s.catalogId, [{ method: "UPDATE", data: validItem("a") }]);
    const status = await client.checkBatchStatus(catalog(), s.catalogId, handles[0]);
    expect(status.status).toBe("finished");
    expect(calls("GET /{catalog-id}/check_batch_request_status")).toBe(3);
    expect(waits).toEqual([50, 100]);
    const attempts = logLines()
      .map((l) => l.meta as Record<string, unknown>)
      .filter((m) => m.endpoint === "GET /{catalog-id}/check_batch_request_status");
    expect(attempts.map((m) => [m.attempt, m.status, m.outcome])).toEqual([
      [1, 500, "transient"],
      [2, 500, "transient"],
      [3, 200, "ok"],
    ]);
    expect(attempts.every((m) => typeof m.ms === "number" && m.method === "GET")).toBe(true);
  });

  it("gives up after the retry budget", async () => {
    sim.faults.add({ kind: "error", endpoint: "GET /{waba-id}/phone_numbers", code: 1, status: 500 });
    const err = await failure(clientFor(sim, { retry: { retries: 2, baseDelayMs: 1 } }).client.listPhoneNumbers(waba(), s.wabaId));
    expect(err).toBeInstanceOf(Transient);
    expect(err).toMatchObject({ code: 1, httpStatus: 500 });
    expect(calls("GET /{waba-id}/phone_numbers")).toBe(3);
  });

  it("a timeout is retried, and succeeds when the next attempt answers", async () => {
    sim.faults.add({ kind: "hang", endpoint: "GET /{phone-number-id}", times: 1 });
    const { client } = clientFor(sim, { timeoutMs: 150 });
    expect((await client.getPhoneNumber(waba(), s.phoneNumberId)).id).toBe(s.phoneNumberId);
    expect(calls("GET /{phone-number-id}")).toBe(2);
  });

  it("timeouts that persist surface as Transient (timedOut)", async () => {
    sim.faults.add({ kind: "hang", endpoint: "GET /{waba-id}" });
    const err = await failure(clientFor(sim, { timeoutMs: 100, retry: { retries: 2, baseDelayMs: 1 } }).client.getWaba(waba(), s.wabaId));
    expect(err).toBeInstanceOf(Transient);
    expect(err).toMatchObject({ timedOut: true, httpStatus: null, endpoint: "GET /{waba-id}" });
    expect(calls("GET /{waba-id}")).toBe(3);
  });

  it("a slow answer (latency past the timeout) is a timeout too", async () => {
    sim.faults.set({ latencyMs: { "GET /{waba-id}": 300 } });
    const err = await failure(clientFor(sim, { timeoutMs: 100, retry: { retries: 0 } }).client.getWaba(waba(), s.wabaId));
    expect(err).toMatchObject({ kind: "transient", timedOut: true });
  });

  it("a message send is not repeated after a timeout (Meta may have sent it)", async () => {
    sim.faults.add({ kind: "hang", endpoint: "POST /{phone-number-id}/messages", times: 1 });
    const err = await failure(clientFor(sim, { timeoutMs: 100 }).client.sendTextMessage(waba(), s.phoneNumberId, "15551230000", "hi"));
    expect(err).toMatchObject({ kind: "transient", timedOut: true });
    expect(calls("POST /{phone-number-id}/messages")).toBe(1);
  });

  it("but a 500 on send is retried", async () => {
    sim.faults.add({ kind: "error", endpoint: "POST /{phone-number-id}/messages", times: 1 });
    await clientFor(sim).client.sendTextMessage(waba(), s.phoneNumberId, "15551230000", "hi");
    expect(calls("POST /{phone-number-id}/messages")).toBe(2);
    expect(sim.control.messages()).toHaveLength(1);
  });

  it("a network failure is Transient (network)", async () => {
    const closed = await createMetaSimulator();
    const url = closed.url;
    await closed.close();
    const client = new MetaGraphClient({ baseUrl: url, version: "v25.0", appId: "1", appSecret: "x", retry: { retries: 1, baseDelayMs: 1 }, logger: { debug: () => undefined } });
    const err = await failure(client.getWaba(waba(), s.wabaId));
    expect(err).toMatchObject({ kind: "transient", network: true, httpStatus: null });
  });
});

describe("Rejected", () => {
  it("other 4xx carry Meta's message and fbtrace_id and are not retried", async () => {
    const { client } = clientFor(sim);
    const err = await failure(client.sendTextMessage(waba(), s.phoneNumberId, "12", "hi"));
    expect(err).toBeInstanceOf(Rejected);
    expect(err).toMatchObject({ code: 131009, httpStatus: 400 });
    expect(err.metaMessage).toContain("Parameter value is not valid");
    expect(err.fbtraceId).toBeTruthy();
    expect(calls("POST /{phone-number-id}/messages")).toBe(1);
  });

  it("a dropped catalog answers 'does not exist' (100/33)", async () => {
    sim.faults.dropCatalog(s.catalogId);
    const err = await failure(clientFor(sim).client.itemsBatch(catalog(), s.catalogId, [{ method: "DELETE", data: { id: "a" } }]));
    expect(err).toBeInstanceOf(Rejected);
    expect(err).toMatchObject({ code: 100, subcode: 33 });
  });

  it("an unregistered number cannot send (133010)", async () => {
    const phone = sim.control.seedPhoneNumber({ wabaId: s.wabaId, registered: false });
    const err = await failure(clientFor(sim).client.sendTemplateMessage(waba(), phone.id, "15551230000", { name: "hello_world", languageCode: "en_US" }));
    expect(err).toMatchObject({ kind: "rejected", code: 133010 });
  });
});

describe("secrets", () => {
  it("never appear in errors or log lines, even when Meta echoes them", async () => {
    const code = sim.control.issueAuthCode({ token: WABA_TOKEN });
    const { client, logs } = clientFor(sim, { timeoutMs: 100, retry: { retries: 1, baseDelayMs: 1 } });
    const errors: unknown[] = [];
    const attempt = async (p: Promise<unknown>) => {
      await p.catch((e: unknown) => errors.push(e));
    };

    // Meta echoing secrets in its message (seen with proxies and some OAuth errors).
    sim.faults.add({
      kind: "error",
      endpoint: "GET /{waba-id}",
      status: 400,
      code: 100,
      message: `Bad request for ${WABA_TOKEN} with secret ${APP_SECRET}: https://graph.facebook.com/?access_token=${WABA_TOKEN}&client_secret=${APP_SECRET}`,
      times: 1,
    });
    await attempt(client.getWaba(waba(), s.wabaId));
    await attempt(client.exchangeCode(code));
    await attempt(client.exchangeCode(code)); // used: Rejected
    sim.faults.add({ kind: "error", endpoint: "GET /debug_token", message: `debug ${WABA_TOKEN} ${APP_SECRET}` });
    await attempt(client.debugToken(waba()));
    sim.faults.add({ kind: "hang", endpoint: "GET /{waba-id}/phone_numbers" });
    await attempt(client.listPhoneNumbers(waba(), s.wabaId));
    sim.faults.add({ kind: "throttle", endpoint: "POST /{catalog-id}/items_batch" });
    await attempt(client.itemsBatch(catalog(), s.catalogId, [{ method: "UPDATE", data: validItem("a") }]));
    await attempt(client.registerPhoneNumber(waba(), s.phoneNumberId, asSecret("999999")));
    sim.faults.invalidateToken(WABA_TOKEN);
    await attempt(client.getPhoneNumber(waba(), s.phoneNumberId));

    expect(errors.length).toBeGreaterThanOrEqual(7);
    const rendered = errors.map((e) => [String(e), (e as Error).stack, JSON.stringify(e), inspect(e, { depth: 5 })].join("\n")).join("\n");
    const everything = `${rendered}\n${logs()}`;
    for (const secret of [APP_SECRET, WABA_TOKEN, CATALOG_TOKEN, code, "999999"]) expect(everything).not.toContain(secret);
    expect(rendered).toContain("[redacted]");
    expect(logs()).toContain("GET /{waba-id}");
  });
});
