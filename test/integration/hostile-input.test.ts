import { createHmac } from "node:crypto";
import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCatalogAction } from "../../app/catalog/actions.server";
import { invalidInput, parseWhatsAppAction } from "../../app/whatsapp/actions.server";
import { freePort, TEST_API_SECRET, TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { snapshotRows, useApp } from "../helpers/app-suite";
import { providers } from "../helpers/databases";
import { adminFetch, sendWebhook } from "../helpers/shopify";
import { productPayload } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import { seedInstalledShop, seedMetaConnections } from "../sandbox/seed";

/**
 * Hostile and broken input (issue 8): property-based runs (fast-check) and
 * a fuzz table over every webhook route and every form action. Whatever
 * arrives, the answer is a 4xx with a clear error (JSON `{ error }`, or the
 * page with the message for a document post), never a 5xx, and no row of
 * the database changes (snapshots before and after).
 */

// Seeded tokens are sealed here with the keys of the app under test.
process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
const META_PORT = await freePort();
const META_APP_SECRET = "sim-app-secret-0123456789abcdef";
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

type Header = [string, string];

interface WebhookCase {
  label: string;
  route: string;
  topic: string;
  body: string | Buffer;
  /** "valid" signs the body with the app secret; a string is sent as is; null leaves the header out. */
  hmac?: "valid" | string | null;
  shop?: string;
  contentType?: string;
  method?: string;
  /** Headers left out. */
  omit?: string[];
  /** Headers added again (duplicates). */
  extra?: Header[];
}

const SHOPIFY_ROUTES: { route: string; topics: string[] }[] = [
  { route: "/webhooks/products", topics: ["products/create", "products/update", "products/delete"] },
  { route: "/webhooks/app/uninstalled", topics: ["app/uninstalled"] },
  { route: "/webhooks/app/scopes_update", topics: ["app/scopes_update"] },
  { route: "/webhooks/compliance", topics: ["customers/data_request", "customers/redact", "shop/redact"] },
  { route: "/webhooks/bulk_operations", topics: ["bulk_operations/finish"] },
  { route: "/webhooks/inventory_items", topics: ["inventory_items/create", "inventory_items/update"] },
];

/** The raw JSON of `value` with `marker` (a quoted string) swapped for raw text: numbers JSON can say but JavaScript cannot hold. */
const raw = (value: unknown, marker: string, text: string) => JSON.stringify(value).replace(JSON.stringify(marker), text);
const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

const BAD_TEXT = ["\ud800", "a\udfffb", "nul\u0000byte"];

/** Product fields and values Shopify never sends there. */
function badProducts(): { label: string; body: string }[] {
  const p = productPayload({ id: 4242, updated_at: "2026-11-01T10:00:00Z" }, 2);
  const v = p.variants[0];
  const withField = (field: string, value: unknown) => JSON.stringify({ ...p, [field]: value });
  const withVariant = (field: string, value: unknown) => JSON.stringify({ ...p, variants: [{ ...v, [field]: value }] });
  const out: { label: string; body: string }[] = [];
  for (const value of [0, -1, 1.5, "abc", "", null, true, [], {}, "123456789012345678901", " 42"]) out.push({ label: `id ${JSON.stringify(value)}`, body: withField("id", value) });
  for (const value of [null, 1, true, [], {}, "x".repeat(10_001), ...BAD_TEXT]) out.push({ label: `title ${JSON.stringify(value).slice(0, 20)}`, body: withField("title", value) });
  for (const value of ["", "ACTIVE", "deleted", 1, null]) out.push({ label: `status ${JSON.stringify(value)}`, body: withField("status", value) });
  for (const value of ["", "yesterday", 1, null, "2026-13-45T99:00:00Z", "x".repeat(100)]) out.push({ label: `updated_at ${JSON.stringify(value).slice(0, 20)}`, body: withField("updated_at", value) });
  for (const value of ["x", 1, {}, [1], [{}], [null], Array.from({ length: 2049 }, (_, i) => ({ id: i + 1 }))]) out.push({ label: `variants ${JSON.stringify(value).slice(0, 20)}`, body: withField("variants", value) });
  for (const [field, value] of [
    ["id", "abc"], ["id", -5], ["price", "1.2.3"], ["price", "-"], ["price", "1e5"], ["price", {}], ["inventory_quantity", 1e13], ["inventory_quantity", 1.5],
    ["inventory_quantity", "7"], ["inventory_policy", "sometimes"], ["option1", 5], ["option1", "\ud83d"], ["sku", "a\u0000"], ["image_id", "x"],
  ] as const) out.push({ label: `variant ${field} ${JSON.stringify(value).slice(0, 20)}`, body: withVariant(field, value) });
  for (const value of ["x", [{}], [{ src: 1 }], [{ src: "https://x/1.jpg", variant_ids: ["a"] }]]) out.push({ label: `images ${JSON.stringify(value).slice(0, 20)}`, body: withField("images", value) });
  for (const value of [[{ name: "a" }, { name: "b" }, { name: "c" }, { name: "d" }], "Size", [{ name: 1 }]]) out.push({ label: `options ${JSON.stringify(value).slice(0, 20)}`, body: withField("options", value) });
  for (const value of ["not a date", 5]) out.push({ label: `published_at ${JSON.stringify(value)}`, body: withField("published_at", value) });
  for (const value of [5, [1], { a: 1 }]) out.push({ label: `tags ${JSON.stringify(value)}`, body: withField("tags", value) });
  // Huge and impossible numbers, as raw JSON text.
  out.push({ label: "id 1e309", body: raw({ ...p, id: "#" }, "#", "1e309") });
  out.push({ label: "id 30 digits", body: raw({ ...p, id: "#" }, "#", "123456789012345678901234567890") });
  out.push({ label: "id -0", body: raw({ ...p, id: "#" }, "#", "-0") });
  out.push({ label: "inventory 1e400", body: raw({ ...p, variants: [{ ...v, inventory_quantity: "#" }] }, "#", "1e400") });
  out.push({ label: "price 1e309", body: raw({ ...p, variants: [{ ...v, price: "#" }] }, "#", "1e309") });
  // Deep nesting where the payload has structure.
  out.push({ label: "variants nested 100k deep", body: raw({ ...p, variants: "#" }, "#", deep(100_000)) });
  out.push({ label: "title nested 10k deep", body: raw({ ...p, title: "#" }, "#", deep(10_000)) });
  out.push({ label: "document nested 100k deep", body: deep(100_000) });
  return out;
}

function badOtherPayloads(topic: string, shop: string): { label: string; body: string }[] {
  const common = [
    { label: "array", body: "[1,2,3]" },
    { label: "string", body: '"hello"' },
    { label: "number", body: "12" },
    { label: "null", body: "null" },
    { label: "nested 100k deep", body: deep(100_000) },
  ];
  switch (topic) {
    case "app/scopes_update":
      return [
        ...common,
        ...[{}, { current: "read_products" }, { current: [1] }, { current: null }, { current: Array.from({ length: 501 }, () => "x") }, { current: ["x".repeat(201)] }, { current: ["read_\u0000products"] }, { current: ["\ud800"] }].map(
          (b) => ({ label: `scopes ${JSON.stringify(b).slice(0, 30)}`, body: JSON.stringify(b) }),
        ),
      ];
    case "customers/data_request":
    case "customers/redact":
    case "shop/redact":
      return [
        ...common,
        ...[{}, { shop_id: 1 }, { shop_id: 1, shop_domain: "other-shop.myshopify.com" }, { shop_id: 1, shop_domain: 5 }, { shop_domain: shop.toUpperCase() }].map((b) => ({
          label: `compliance ${JSON.stringify(b).slice(0, 40)}`,
          body: JSON.stringify(b),
        })),
      ];
    case "bulk_operations/finish":
      return [
        ...common,
        ...[{}, { admin_graphql_api_id: "gid://shopify/Product/1", status: "completed" }, { admin_graphql_api_id: "gid://shopify/BulkOperation/1" }, { admin_graphql_api_id: 5, status: "x" }].map(
          (b) => ({ label: `bulk ${JSON.stringify(b).slice(0, 40)}`, body: JSON.stringify(b) }),
        ),
      ];
    case "inventory_items/create":
    case "inventory_items/update":
      return [
        ...common,
        ...[{}, { id: 1, updated_at: "2026-11-01T10:00:00Z" }, { id: 1, tracked: "yes", updated_at: "2026-11-01T10:00:00Z" }, { id: -1, tracked: true, updated_at: "2026-11-01T10:00:00Z" }, { id: 1, tracked: true, updated_at: "soon" }].map(
          (b) => ({ label: `inventory item ${JSON.stringify(b).slice(0, 40)}`, body: JSON.stringify(b) }),
        ),
      ];
    default:
      // app/uninstalled carries the shop object: anything that is not an object is not from Shopify.
      return common;
  }
}

/** A valid body for the topic (the header and signature cases mutate everything else). */
function validBody(topic: string, shop: string) {
  if (topic === "products/delete") return JSON.stringify({ id: 4242 });
  if (topic.startsWith("products/")) return JSON.stringify(productPayload({ id: 4242, updated_at: "2026-11-01T10:00:00Z" }, 1));
  if (topic === "app/scopes_update") return JSON.stringify({ current: ["read_products"], previous: [] });
  if (topic === "bulk_operations/finish") return JSON.stringify({ admin_graphql_api_id: "gid://shopify/BulkOperation/1", status: "completed" });
  if (topic.startsWith("inventory_items/")) return JSON.stringify({ id: 4242, admin_graphql_api_id: "gid://shopify/InventoryItem/4242", tracked: true, updated_at: "2026-11-01T10:00:00Z" });
  return JSON.stringify({ shop_id: 1, shop_domain: shop, id: 1, myshopify_domain: shop });
}

/** A POST whose answer is read even when the server stops the upload early (as it should for a body over the limit); status 0 = closed without an answer. */
function rawPost(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    let settled = false;
    let status = 0;
    let text = "";
    const finish = () => {
      if (!settled) resolve({ status, body: text });
      settled = true;
    };
    const req = http.request(url, { method: "POST", headers, agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", finish);
      res.on("close", finish);
      res.on("error", finish);
    });
    req.setTimeout(15_000, () => req.destroy());
    req.on("error", () => setTimeout(finish, 200));
    req.on("close", () => setTimeout(finish, 200));
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}

describe.each(providers())("hostile input on %s", (provider) => {
  const t = useApp(provider, {
    META_GRAPH_URL: `http://127.0.0.1:${META_PORT}`,
    META_APP_ID: "1234567890123456",
    META_APP_SECRET,
    META_WEBHOOK_VERIFY_TOKEN: "hostile-verify-token",
    WHATSAPP_HEALTH_TTL_MS: "86400000",
  });
  const shop = `hostile-${provider}.myshopify.com`;
  let sim: MetaSimulator;
  let scenario: Scenario;

  /** The database without what merely opening a page touches (the shop row's updatedAt). */
  const rows = async () => {
    const all = JSON.parse(await snapshotRows(t.db)) as { shops: Record<string, unknown>[] } & Record<string, unknown>;
    for (const s of all.shops) delete s.updatedAt;
    return JSON.stringify(all);
  };

  function webhook(c: WebhookCase) {
    const body = typeof c.body === "string" ? Buffer.from(c.body, "utf8") : c.body;
    const headers = new Headers({
      "content-type": c.contentType ?? "application/json",
      "x-shopify-topic": c.topic,
      "x-shopify-shop-domain": c.shop ?? shop,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": `fuzz-${Math.random().toString(36).slice(2)}`,
      "x-shopify-triggered-at": new Date().toISOString(),
    });
    const hmac = c.hmac === undefined || c.hmac === "valid" ? createHmac("sha256", TEST_API_SECRET).update(body).digest("base64") : c.hmac;
    if (hmac !== null) headers.set("x-shopify-hmac-sha256", hmac);
    for (const name of c.omit ?? []) headers.delete(name);
    for (const [name, value] of c.extra ?? []) headers.append(name, value);
    return fetch(`${t.url}${c.route}`, { method: c.method ?? "POST", headers, body: c.method === "GET" ? undefined : new Uint8Array(body) });
  }

  /** A 4xx whose body says what is wrong. */
  async function expectClearJson4xx(res: Response, label: string) {
    const text = await res.text();
    expect(res.status, `${label}: ${res.status} ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    expect(res.status, `${label}: ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
    let error: unknown;
    try {
      error = (JSON.parse(text) as { error?: unknown }).error;
    } catch {
      error = undefined;
    }
    expect(typeof error === "string" && error.length > 5, `${label}: no clear error in ${text.slice(0, 200)}`).toBe(true);
  }

  beforeAll(async () => {
    sim = await createMetaSimulator({ port: META_PORT });
    await seedInstalledShop(t.db, shop);
    const s = sim.control.seedScenario();
    scenario = s;
    await seedMetaConnections(t.db, shop, {
      businessId: s.businessId,
      wabaId: s.wabaId,
      wabaToken: s.wabaToken,
      phoneNumbers: [{ id: s.phoneNumberId, display: "+1 555-010-0001", verifiedName: "Simulated Shop" }],
      catalogId: s.catalogId,
      catalogToken: s.catalogToken,
    });
    for (const id of [1, 2, 3]) {
      const res = await sendWebhook(t.url, "/webhooks/products", "products/create", productPayload({ id }, 2), { shop });
      expect(res.status).toBe(200);
    }
    // Opening the pages once settles what a page view writes (health snapshot, shop row).
    for (const path of ["/app/catalog", "/app/whatsapp", "/app/catalog/1"]) expect((await adminFetch(t.url, path, shop)).status).toBe(200);
  });
  afterAll(async () => {
    await sim?.close();
  });

  describe("Shopify webhook routes", () => {
    it("refuse every malformed payload with a clear 400, signed or not, and store nothing", async () => {
      const before = await rows();
      const cases: WebhookCase[] = [];
      for (const { route, topics } of SHOPIFY_ROUTES) {
        for (const topic of topics) {
          const bodies = topic.startsWith("products/") && topic !== "products/delete" ? badProducts() : topic === "products/delete" ? badProducts().filter((b) => b.label.startsWith("id ")) : badOtherPayloads(topic, shop);
          for (const b of bodies) cases.push({ label: `${topic} ${b.label}`, route, topic, body: b.body });
        }
      }
      for (const c of cases) await expectClearJson4xx(await webhook(c), c.label);
      expect(await rows()).toBe(before);
    });

    it("refuse random bytes, truncated JSON and random JSON (property-based)", async () => {
      const before = await rows();
      const routes = SHOPIFY_ROUTES.flatMap(({ route, topics }) => topics.map((topic) => ({ route, topic })));
      const target = fc.constantFrom(...routes);
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((b) => ({ kind: "bytes", body: Buffer.from(b) as string | Buffer })),
        fc.record({ cut: fc.nat(), of: fc.constantFrom(...routes) }).map(({ cut, of }) => {
          const full = validBody(of.topic, shop);
          return { kind: "truncated", body: full.slice(0, 1 + (cut % (full.length - 1))) as string | Buffer };
        }),
        fc.string({ unit: "binary", maxLength: 200 }).map((s) => ({ kind: "text", body: s as string | Buffer })),
        fc.oneof(fc.array(fc.jsonValue(), { maxLength: 5 }), fc.string(), fc.double(), fc.constant(null)).map((v) => ({ kind: "json", body: JSON.stringify(v) ?? "null" })),
      );
      await fc.assert(
        fc.asyncProperty(target, body, async ({ route, topic }, b) => {
          // A JSON object may be a legitimate app/uninstalled body; everything else here is not.
          const res = await webhook({ label: b.kind, route, topic, body: b.body });
          await expectClearJson4xx(res, `${topic} ${b.kind} ${JSON.stringify(b.body.toString()).slice(0, 80)}`);
        }),
        { numRuns: RUNS * 3 },
      );
      expect(await rows()).toBe(before);
    });

    it("refuse products whose fields have the wrong type (property-based)", async () => {
      const before = await rows();
      const fields = ["id", "title", "status", "updated_at", "variants", "images", "options", "published_at", "tags", "vendor", "body_html", "handle"];
      const wrong = fc.oneof(fc.integer(), fc.double({ noDefaultInfinity: true, noNaN: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), fc.object({ maxDepth: 2 }));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), wrong, fc.constantFrom("products/create", "products/update"), async (field, value, topic) => {
          const product = { ...productPayload({ id: 4343, updated_at: "2026-11-01T10:00:00Z" }, 1), [field]: value } as Record<string, unknown>;
          // Values the schema rightly accepts for a field are not wrong: skip them.
          if (field === "published_at" && value === null) return;
          if (["vendor", "body_html", "handle", "tags"].includes(field) && value === null) return;
          if (field === "tags" && Array.isArray(value) && value.length === 0) return;
          if (["id"].includes(field) && typeof value === "number" && Number.isSafeInteger(value) && value > 0) return;
          if (field === "images" && (value === null || (Array.isArray(value) && value.length === 0))) return;
          if (field === "variants" && Array.isArray(value) && value.length === 0) return;
          if (field === "options" && (value === null || (Array.isArray(value) && value.length === 0))) return;
          const res = await webhook({ label: field, route: "/webhooks/products", topic, body: JSON.stringify(product) });
          await expectClearJson4xx(res, `${field} = ${JSON.stringify(value)?.slice(0, 80)}`);
        }),
        { numRuns: RUNS * 2 },
      );
      expect(await rows()).toBe(before);
    });

    it("refuse bad and missing signatures, missing and duplicated headers, other methods, shops outside myshopify.com", async () => {
      const before = await rows();
      const cases: WebhookCase[] = [];
      for (const { route, topics } of SHOPIFY_ROUTES) {
        const topic = topics[0];
        const body = validBody(topic, shop);
        const base = { route, topic, body };
        cases.push({ ...base, label: `${route} wrong secret`, hmac: createHmac("sha256", "not-the-secret").update(body).digest("base64") });
        cases.push({ ...base, label: `${route} no hmac`, hmac: null });
        cases.push({ ...base, label: `${route} garbage hmac`, hmac: "not base64 at all" });
        cases.push({ ...base, label: `${route} hmac of another body`, hmac: createHmac("sha256", TEST_API_SECRET).update(`${body} `).digest("base64") });
        for (const header of ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"]) cases.push({ ...base, label: `${route} without ${header}`, omit: [header] });
        const hmac = createHmac("sha256", TEST_API_SECRET).update(body).digest("base64");
        cases.push({ ...base, label: `${route} duplicated hmac`, extra: [["x-shopify-hmac-sha256", hmac]] });
        cases.push({ ...base, label: `${route} duplicated topic`, extra: [["x-shopify-topic", topic]] });
        cases.push({ ...base, label: `${route} duplicated shop`, extra: [["x-shopify-shop-domain", "other-shop.myshopify.com"]] });
        cases.push({ ...base, label: `${route} empty body`, body: "" });
        for (const other of ["evil.example.com", `${shop}.evil.example.com`, "evil.com/.myshopify.com", "../x.myshopify.com", "a b.myshopify.com", "", "localhost", "127.0.0.1", "xn--80ak6aa92e.com", "shop.myshopify.com:443", "-x.myshopify.com"]) {
          cases.push({ ...base, label: `${route} shop "${other}"`, shop: other, body: validBody(topic, other) });
        }
        cases.push({ ...base, label: `${route} multipart`, contentType: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--" });
        cases.push({ ...base, label: `${route} form-encoded`, contentType: "application/x-www-form-urlencoded", body: "id=1&title=x" });
        cases.push({ ...base, label: `${route} PUT`, method: "PUT" });
        cases.push({ ...base, label: `${route} GET`, method: "GET" });
      }
      for (const c of cases) await expectClearJson4xx(await webhook(c), c.label);
      expect(await rows()).toBe(before);
    });

    it("refuse bodies over the limit with 413 before reading them whole", async () => {
      const before = await rows();
      const big = Buffer.from(JSON.stringify({ ...productPayload({ id: 4444 }, 1), body_html: "x".repeat(2 * 1024 * 1024 + 10) }));
      for (const { route, topics } of SHOPIFY_ROUTES) {
        for (const declared of [true, false]) {
          // The app may answer before the upload ends and close the connection: read the answer whatever happens to the upload.
          const answer = await rawPost(`${t.url}${route}`, big, {
            "content-type": "application/json",
            "x-shopify-topic": topics[0],
            "x-shopify-shop-domain": shop,
            "x-shopify-api-version": "2026-10",
            "x-shopify-webhook-id": `big-${declared}`,
            "x-shopify-hmac-sha256": createHmac("sha256", TEST_API_SECRET).update(big).digest("base64"),
            ...(declared ? { "content-length": String(big.length) } : { "transfer-encoding": "chunked" }),
          });
          // Status 0 would be a connection cut off before the answer.
          expect(answer.status, `${route} ${declared ? "with Content-Length" : "chunked"}`).toBe(413);
          expect(JSON.parse(answer.body).error).toMatch(/larger than 2 MB/);
        }
      }
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
      expect(await rows()).toBe(before);
    });

    it("accept unusual but valid text, and store it exactly", async () => {
      const title = "Ünïcödé 🎉 👨‍👩‍👧 e\u0301 ‮RTL‬ \ufeffBOM 𝔘 ﷽ \uffff";
      const res = await sendWebhook(t.url, "/webhooks/products", "products/update", productPayload({ id: 1, title, updated_at: "2026-12-01T00:00:00Z" }, 1), { shop });
      expect(res.status).toBe(200);
      const row = await t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: "1" } } });
      expect(row.title).toBe(title);
      expect((row.snapshot as { title: string }).title).toBe(title);
    });
  });

  describe("Meta webhook route", () => {
    const sign = (body: Buffer | string) => `sha256=${createHmac("sha256", META_APP_SECRET).update(body).digest("hex")}`;
    const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
      fetch(`${t.url}/webhooks/meta`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": sign(body), ...headers },
        body: typeof body === "string" ? body : new Uint8Array(body),
      });

    it("refuses unsigned, badly signed, unparsable and oversized bodies with a clear 4xx", async () => {
      const before = await rows();
      const body = JSON.stringify({ object: "whatsapp_business_account", entry: [] });
      await expectClearJson4xx(await post(body, { "x-hub-signature-256": "" }), "no signature");
      await expectClearJson4xx(await post(body, { "x-hub-signature-256": "sha256=" + "0".repeat(64) }), "wrong signature");
      await expectClearJson4xx(await post(body, { "x-hub-signature-256": sign(body).toUpperCase() + "0" }), "malformed signature");
      await expectClearJson4xx(await post(body, { "x-hub-signature-256": `sha1=${createHmac("sha1", META_APP_SECRET).update(body).digest("hex")}` }), "sha1 signature");
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.string({ maxLength: 200 }).map((s) => `{${s}`)), async (garbage) => {
          try {
            JSON.parse(garbage.toString());
            return; // valid JSON: the next test's business
          } catch {
            // not JSON: must be refused
          }
          const res = await post(garbage);
          await expectClearJson4xx(res, `signed garbage ${JSON.stringify(garbage.toString()).slice(0, 60)}`);
        }),
        { numRuns: RUNS },
      );
      const big = Buffer.alloc(4 * 1024 * 1024, 0x20);
      const res = await post(big);
      expect(res.status).toBe(413);
      await expectClearJson4xx(res, "over the limit");
      expect(await rows()).toBe(before);
    });

    it("acknowledges signed JSON it does not understand without changing anything (Meta retries non-200s for days)", async () => {
      const before = await rows();
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ object: fc.string(), entry: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }) })), async (value) => {
          const res = await post(JSON.stringify(value) ?? "null");
          expect(res.status, JSON.stringify(value).slice(0, 100)).toBe(200);
        }),
        { numRuns: RUNS },
      );
      for (const bad of ["\u0000", "\ud800"]) {
        const payload = {
          object: "whatsapp_business_account",
          entry: [{ id: `waba${bad}`, changes: [{ field: "messages", value: { metadata: { phone_number_id: `1${bad}` }, statuses: [{ id: `wamid.${bad}`, status: "read", timestamp: "1" }] } }] }],
        };
        const res = await post(JSON.stringify(payload));
        expect(res.status, `text ${JSON.stringify(bad)}`).toBeLessThan(500);
      }
      expect(await rows()).toBe(before);
    });

    it("opens no customer window for a sender that is neither a phone number nor a business-scoped user id (issue 18)", async () => {
      const senders: Record<string, unknown>[] = [
        { from: "+1 415 555", type: "text" },
        { from: "1".repeat(16), type: "text" },
        { from: "14155550123\u0000", type: "text" },
        { from: { phone: "14155550123" }, type: "text" },
        { from_user_id: "not a user id", type: "text" },
        { from_user_id: `US.${"a".repeat(200)}`, type: "text" },
        { from_user_id: "US.1\ud800", type: "text" },
        { from: "14155550123", type: "system" },
        { from: "14155550123", type: "text", timestamp: String(Math.floor(Date.now() / 1000) - 3 * 86_400) },
        { type: "text" },
      ];
      for (const [i, sender] of senders.entries()) {
        const message = { id: `wamid.hostile.window.${i}`, timestamp: String(Math.floor(Date.now() / 1000)), ...sender };
        const payload = {
          object: "whatsapp_business_account",
          entry: [{ id: scenario.wabaId, changes: [{ field: "messages", value: { metadata: { phone_number_id: scenario.phoneNumberId }, messages: [message] } }] }],
        };
        const res = await post(JSON.stringify(payload));
        expect(res.status, JSON.stringify(sender)).toBe(200);
      }
      expect(await t.db.customerWindow.count()).toBe(0);
    });
  });

  describe("form actions", () => {
    const page = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
      adminFetch(t.url, path, shop, { method: "POST", body, headers });
    const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

    /** A 4xx page that shows the message. */
    async function expectPageError(res: Response, message: string | null, label: string) {
      const html = await res.text();
      expect(res.status, `${label}: ${res.status} ${html.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${label}: ${res.status} ${html.slice(0, 300)}`).toBeLessThan(500);
      if (message) expect(html.includes(escapeHtml(message)) || html.includes(message), `${label}: "${message}" not on the page`).toBe(true);
    }

    const catalogPaths = ["/app/catalog?index", "/app/catalog/1"];

    it("catalog page actions refuse malformed forms with the reason on the page (property-based)", async () => {
      const before = await rows();
      const field = fc.oneof(fc.constantFrom("intent", "token", "code", "catalogId", "productId", "redirectUri"), fc.string({ maxLength: 12 }));
      const value = fc.oneof(
        fc.string({ maxLength: 50 }),
        fc.constantFrom("connect-token", "choose-catalog", "sync", "exclude", "include", "connect-code", "CONNECT-TOKEN", " sync", "sync\u0000", "\ud800", "9".repeat(40), "-1", "1e400", "../1", "x".repeat(5000)),
        fc.string({ unit: "binary", maxLength: 30 }),
      );
      const form = fc.array(fc.tuple(field, value), { maxLength: 6 });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...catalogPaths), form, async (path, entries) => {
          const body = new URLSearchParams(entries);
          if (path !== "/app/catalog?index") body.set("productId", "1");
          const parsed = parseCatalogAction(body as unknown as FormData);
          // A well-formed action is not hostile input: leave those to the feature tests.
          if (!("error" in parsed)) return;
          if (path !== "/app/catalog?index") body.delete("productId");
          const res = await page(path, body);
          await expectPageError(res, parsed.error, `${path} ${body.toString().slice(0, 80)}`);
        }),
        { numRuns: RUNS * 2 },
      );
      expect(await rows()).toBe(before);
    });

    it("catalog page actions refuse bodies that are not forms, other products' ids and oversized fields", async () => {
      const before = await rows();
      for (const path of catalogPaths) {
        await expectPageError(await page(path, JSON.stringify({ intent: "sync" }), { "content-type": "application/json" }), null, `${path} JSON`);
        await expectPageError(await page(path, "intent=sync", { "content-type": "text/plain" }), null, `${path} text/plain`);
        await expectPageError(await page(path, "--x\r\n\r\nbroken", { "content-type": "multipart/form-data; boundary=x" }), null, `${path} broken multipart`);
        await expectPageError(await page(path, "%%%=%%%&intent=%E0%A4%A", { "content-type": "application/x-www-form-urlencoded" }), null, `${path} bad percent-encoding`);
        await expectPageError(await page(path, new URLSearchParams({ intent: "connect-token", token: "EAA".repeat(400) })), "The access token is too long: at most 1000 characters.", `${path} token over 1000`);
      }
      for (const id of ["abc", "9".repeat(21), "-1", "1.5", "%00", "..%2F..%2Fapp"]) {
        const res = await page(`/app/catalog/${id}`, new URLSearchParams({ intent: "sync" }));
        expect(res.status, id).toBeGreaterThanOrEqual(400);
        expect(res.status, id).toBeLessThan(500);
      }
      // A product id this shop has no row for: refused, nothing queued.
      await expectPageError(await page("/app/catalog/999999", new URLSearchParams({ intent: "sync" })), "That product is not in this shop's catalog list.", "unknown product");
      expect(await rows()).toBe(before);
    });

    it("the sync-status endpoint refuses malformed JSON, wrong types and unknown ids with { error } (property-based)", async () => {
      const before = await rows();
      const json = (id: string, body: BodyInit, contentType = "application/json") =>
        adminFetch(t.url, `/api/products/${id}/sync-status`, shop, { method: "POST", body, headers: { "content-type": contentType } });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.constantFrom("1", "gid://shopify/Product/1"), fc.string({ maxLength: 25 }).filter((s) => s.length > 0 && !/[/?#%]/.test(s))),
          fc.oneof(
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"),
            fc.string({ maxLength: 100 }),
            fc.constantFrom('{"action":"SYNC"}', '{"action":["sync"]}', '{"action":null}', '{"action":"sync"', deep(100_000), '{"action":"sync\\u0000"}'),
          ),
          async (id, body) => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(body);
            } catch {
              parsed = undefined;
            }
            const valid = /^(\d{1,20}|gid:\/\/shopify\/Product\/\d{1,20})$/.test(id) && typeof parsed === "object" && parsed !== null && ["sync", "exclude", "include"].includes((parsed as { action?: string }).action ?? "");
            if (valid) return;
            await expectClearJson4xx(await json(encodeURIComponent(id), body), `${id} ${body.slice(0, 60)}`);
          },
        ),
        { numRuns: RUNS * 2 },
      );
      await expectClearJson4xx(await json("1", "action=sync", "application/x-www-form-urlencoded"), "form body");
      await expectClearJson4xx(await json("1", JSON.stringify({ action: "sync", pad: "x".repeat(500 * 1024) })), "500 KB body");
      await expectClearJson4xx(await json("777777", JSON.stringify({ action: "exclude" })), "unknown product");
      await expectClearJson4xx(await json("99999999999999999999999", JSON.stringify({ action: "sync" })), "huge id");
      expect(await rows()).toBe(before);
    });

    it("the WhatsApp page's actions refuse malformed bodies with the reason on the page (property-based)", async () => {
      const before = await rows();
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"),
            fc.string({ maxLength: 100 }),
            fc.constantFrom(
              '{"intent":"send-test","to":"12"}',
              '{"intent":"send-test","to":"+1415555012\\u0000"}',
              '{"intent":"connect","code":""}',
              '{"intent":"choose-number","phoneNumberId":"../x"}',
              '{"intent":"disconnect","shop":"other-shop.myshopify.com"}',
              '{"intent":"refresh-health","extra":1}',
              // WhatsApp commerce (issue 18)
              '{"intent":"link-catalog","replaceCatalogId":"../../x"}',
              '{"intent":"link-catalog","replaceCatalogId":5}',
              '{"intent":"unlink-catalog"}',
              '{"intent":"unlink-catalog","catalogId":"1?x=2"}',
              '{"intent":"set-commerce","cartEnabled":"true","catalogVisible":true}',
              '{"intent":"set-commerce","cartEnabled":true}',
              '{"intent":"send-product","productIds":[]}',
              '{"intent":"send-product","productIds":"101"}',
              '{"intent":"send-product","productIds":["101\u0000"]}',
              '{"intent":"send-product","productIds":["-1"]}',
              '{"intent":"send-product","productIds":[101]}',
              JSON.stringify({ intent: "send-product", productIds: Array.from({ length: 31 }, (_, i) => String(i)) }),
              '{"intent":"refresh-commerce","shop":"other-shop.myshopify.com"}',
              deep(100_000),
              JSON.stringify({ intent: "connect", code: "x".repeat(20_000) }),
            ),
          ),
          async (body) => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(body);
            } catch {
              parsed = undefined;
            }
            const checked = parseWhatsAppAction(body.length <= 16 * 1024 ? (parsed ?? null) : null);
            if (checked.success) return;
            const tooLarge = Buffer.byteLength(body) > 16 * 1024;
            const message = tooLarge ? "The request is too large." : (invalidInput(checked.error) as { failure: { message: string } }).failure.message;
            // As the page's fetchers send it (a single-fetch data request), and as a document post.
            const data = await page("/app/whatsapp.data", body, { "content-type": "application/json" });
            const text = await data.text();
            expect(data.status, `${body.slice(0, 60)}: ${text.slice(0, 200)}`).toBe(tooLarge ? 413 : 400);
            expect(text, body.slice(0, 60)).toContain(message);
            await expectPageError(await page("/app/whatsapp", body, { "content-type": "application/json" }), null, body.slice(0, 60));
          },
        ),
        { numRuns: RUNS },
      );
      expect(await rows()).toBe(before);
    });
  });
});
