import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMetaSimulator, type MetaSimulator } from "./index";
import type { Scenario } from "./control";
import { graph, validItem } from "./testing";

/** Fault injection (deterministic with a seed), the /_sim control API and the CLI. */

let sim: MetaSimulator;
let s: Scenario;

beforeAll(async () => {
  sim = await createMetaSimulator({ config: { batchDelayMs: 0 } });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  s = sim.control.seedScenario();
});

const phone = () => graph(sim, "GET", `/${s.phoneNumberId}`, { token: s.wabaToken });
const control = async (method: string, route: string, body?: unknown) => {
  const res = await fetch(`${sim.url}/_sim/${route}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
};

describe("faults", () => {
  it("an error rate with a seed fails the same calls every time", async () => {
    const run = async () => {
      sim.faults.set({ seed: 42, errorRate: { "GET /{phone-number-id}": 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await phone()).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((st) => st === 500).length).toBeGreaterThan(5);
    expect(first.filter((st) => st === 200).length).toBeGreaterThan(5);
  });

  it("an injected error is a 500 with code 2 in Meta's envelope; other endpoints are unaffected", async () => {
    sim.faults.set({ errorRate: { "GET /{phone-number-id}": 1 } });
    const res = await phone();
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 2, type: "OAuthException" });
    expect((await graph(sim, "GET", `/${s.wabaId}`, { token: s.wabaToken })).status).toBe(200);
  });

  it("`times` limits a rule, and latency delays the answer", async () => {
    sim.faults.set({ rules: [{ kind: "error", endpoint: "*", times: 1 }], latencyMs: 60 });
    const started = Date.now();
    expect((await phone()).status).toBe(500);
    expect((await phone()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("throttling answers the code with usage headers announcing the regain time", async () => {
    sim.faults.add({ kind: "throttle", endpoint: "POST /{catalog-id}/items_batch", regainMinutes: 5 });
    const res = await graph(sim, "POST", `/${s.catalogId}/items_batch`, {
      token: s.catalogToken,
      json: { item_type: "PRODUCT_ITEM", requests: [{ method: "UPDATE", data: validItem("a") }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 80014 });
    expect(JSON.parse(res.headers.get("x-business-use-case-usage")!)).toEqual({
      [s.businessId]: [{ type: "catalog_management", call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: 5 }],
    });
  });

  it("every answer carries usage headers", async () => {
    const res = await phone();
    expect(JSON.parse(res.headers.get("x-app-usage")!)).toEqual({ call_count: 0, total_cputime: 0, total_time: 0 });
    expect(JSON.parse(res.headers.get("x-business-use-case-usage")!)[s.businessId][0]).toMatchObject({ type: "whatsapp_business_management" });
  });

  it("counts calls per endpoint label, faulted or not", async () => {
    sim.faults.set({ rules: [{ kind: "error", endpoint: "GET /{phone-number-id}", times: 1 }] });
    await phone();
    await phone();
    await graph(sim, "GET", "/999/phone_numbers", { token: s.wabaToken });
    expect(sim.control.callCounts()).toEqual({ "GET /{phone-number-id}": 2, "GET /{unknown}/phone_numbers": 1 });
  });
});

describe("control API over HTTP", () => {
  it("seeds, configures faults, reads state and resets", async () => {
    const scenario = (await control("POST", "seed/scenario", { businessId: "777", catalogId: "888", catalogToken: "EAAhttpSeededCatalogToken0000000000" })).body;
    expect(scenario).toMatchObject({ businessId: "777", catalogId: "888", catalogToken: "EAAhttpSeededCatalogToken0000000000" });
    const { token } = (await control("POST", "seed/token", { scopes: ["catalog_management"] })).body as unknown as { token: string };
    const { code } = (await control("POST", "seed/auth-code", { token })).body as unknown as { code: string };
    const exchanged = await graph(sim, "GET", "/oauth/access_token", { query: { client_id: sim.appId, client_secret: sim.appSecret, code } });
    expect(exchanged.body).toEqual({ access_token: token, token_type: "bearer" });

    await graph(sim, "POST", "/888/items_batch", {
      token: "EAAhttpSeededCatalogToken0000000000",
      json: { item_type: "PRODUCT_ITEM", requests: [{ method: "UPDATE", data: validItem("h1") }, { method: "UPDATE", data: validItem("h2") }] },
    });
    expect((await control("GET", "catalogs/888/items?limit=1")).body).toEqual({ count: 2, items: [validItem("h1")] });
    expect((await control("GET", "catalogs/888/items/h2")).body).toEqual(validItem("h2"));
    expect((await control("GET", "batches?catalogId=888")).body).toHaveLength(1);
    expect((await control("GET", "calls")).body).toMatchObject({ "GET /oauth/access_token": 1, "POST /{catalog-id}/items_batch": 1 });

    await control("PUT", "faults", { seed: 1, errorRate: { "GET /{waba-id}": 1 } });
    expect((await control("GET", "faults")).body).toMatchObject({ seed: 1, rules: [{ kind: "error", endpoint: "GET /{waba-id}", rate: 1 }] });
    expect((await graph(sim, "GET", `/${s.wabaId}`, { token: s.wabaToken })).status).toBe(500);
    await control("DELETE", "faults");
    expect((await graph(sim, "GET", `/${s.wabaId}`, { token: s.wabaToken })).status).toBe(200);

    await control("POST", "faults/invalidate-token", { token: s.wabaToken, subcode: 458 });
    expect(((await phone()).body.error as Record<string, unknown>).error_subcode).toBe(458);
    await control("POST", "faults/revoke-scope", { token: "EAAhttpSeededCatalogToken0000000000", scope: "catalog_management" });
    expect(((await graph(sim, "GET", "/888", { token: "EAAhttpSeededCatalogToken0000000000" })).body.error as Record<string, unknown>).code).toBe(200);
    await control("POST", "faults/drop-catalog", { catalogId: s.catalogId });
    expect(((await graph(sim, "GET", `/${s.catalogId}`, { token: s.catalogToken })).body.error as Record<string, unknown>).error_subcode).toBe(33);

    await control("PATCH", "config", { batchDelayMs: 10 });
    expect(sim.state.config.batchDelayMs).toBe(10);
    expect((await control("POST", "seed/waba", { businessId: "nope" })).status).toBe(400);
    expect((await control("GET", "nothing-here")).status).toBe(404);

    await control("POST", "reset");
    expect((await control("GET", "state")).body).toMatchObject({ apps: 1, tokens: 0, catalogs: [] });
  });
});

describe("performance", () => {
  it("takes 20 batches of 5,000 items (100,000) quickly", async () => {
    const started = Date.now();
    for (let b = 0; b < 20; b++) {
      const requests = Array.from({ length: 5000 }, (_, i) => ({ method: "UPDATE", data: validItem(`p${b}-${i}`) }));
      const res = await graph(sim, "POST", `/${s.catalogId}/items_batch`, { token: s.catalogToken, json: { item_type: "PRODUCT_ITEM", allow_upsert: true, requests } });
      expect(res.status).toBe(200);
    }
    expect(sim.control.catalogItemCount(s.catalogId)).toBe(100_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe("CLI", () => {
  it("prints its URL (and a seeded scenario) and serves", async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "test/meta-sim/cli.ts", "--port", "0", "--scenario"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const got = out.split("\n").filter(Boolean);
          if (got.length >= 2) resolve(got);
        });
        child.on("exit", (c) => reject(new Error(`cli exited ${c}`)));
      });
      expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const scenario = JSON.parse(lines[1]) as Scenario;
      const res = await fetch(`${lines[0]}/v25.0/${scenario.phoneNumberId}`, { headers: { authorization: `Bearer ${scenario.wabaToken}` } });
      expect(res.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
