import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, shopifyApi, WebhookValidationErrorReason } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "../../app/webhooks/verify.server";
import { shopifyHmac } from "../helpers/shopify";

/**
 * The products route checks Shopify's signature itself (app/webhooks/verify.server.ts,
 * for speed); Shopify's own library is the judge of whether it checks the same way.
 * Every case goes to both, and both must reach the same verdict.
 */

const SECRET = "bench-and-test-secret";
const api = shopifyApi({
  apiKey: "key",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.October25,
  hostName: "app.example.com",
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error, log: async () => undefined },
});

const body = JSON.stringify({ id: 1, title: "Tee", updated_at: "2026-11-01T00:00:00Z" });
const good = () => ({
  "x-shopify-topic": "products/update",
  "x-shopify-shop-domain": "shop-1.myshopify.com",
  "x-shopify-api-version": "2026-10",
  "x-shopify-webhook-id": "b1c2",
  "x-shopify-triggered-at": "2026-11-01T00:00:01Z",
  "x-shopify-hmac-sha256": shopifyHmac(body, SECRET),
});

type Case = [name: string, headers: Record<string, string | string[]>, rawBody: string];
const without = (name: string) => Object.fromEntries(Object.entries(good()).filter(([k]) => k !== name));
const cases: Case[] = [
  ["a signed delivery", good(), body],
  ["a body changed after signing", good(), body.replace("Tee", "Tea")],
  ["another app's signature", { ...good(), "x-shopify-hmac-sha256": shopifyHmac(body, "other-secret") }, body],
  ["a signature sent twice", { ...good(), "x-shopify-hmac-sha256": [shopifyHmac(body, SECRET), shopifyHmac(body, SECRET)] }, body],
  ["a truncated signature", { ...good(), "x-shopify-hmac-sha256": shopifyHmac(body, SECRET).slice(0, 40) }, body],
  ["a hex signature", { ...good(), "x-shopify-hmac-sha256": Buffer.from(shopifyHmac(body, SECRET), "base64").toString("hex") }, body],
  ["no signature", without("x-shopify-hmac-sha256"), body],
  ["an empty body", { ...good(), "x-shopify-hmac-sha256": shopifyHmac("", SECRET) }, ""],
  ["no topic", without("x-shopify-topic"), body],
  ["no shop", without("x-shopify-shop-domain"), body],
  ["no API version", without("x-shopify-api-version"), body],
  ["no webhook id", without("x-shopify-webhook-id"), body],
];

async function libraryVerdict(headers: Record<string, string | string[]>, rawBody: string) {
  const h = new Headers();
  for (const [k, v] of Object.entries(headers)) for (const value of [v].flat()) h.append(k, value);
  const check = await api.webhooks.validate({ rawBody, rawRequest: new Request("https://app.example.com/webhooks/products", { method: "POST", headers: h, body: rawBody || undefined }) });
  if (check.valid) return { status: 200, topic: check.topic, webhookId: check.webhookId, shop: check.domain };
  return { status: check.reason === WebhookValidationErrorReason.InvalidHmac ? 401 : 400 };
}

function appVerdict(headers: Record<string, string | string[]>, rawBody: string) {
  // As Node hands them over: lower-case names, a repeated header joined by ", ".
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v].flat().join(", ")]));
  const verified = verifyWebhook({ header: (name) => lower[name], body: Buffer.from(rawBody) }, SECRET);
  if (verified.ok) return { status: 200, topic: verified.topic, webhookId: verified.webhookId, shop: verified.shop };
  return { status: verified.status };
}

describe("the products route's signature check agrees with @shopify/shopify-api", () => {
  it.each(cases)("%s", async (_name, headers, rawBody) => {
    expect(appVerdict(headers, rawBody)).toEqual(await libraryVerdict(headers, rawBody));
  });

  it("passes the payload on parsed, and refuses a signed body that is not JSON with 400", () => {
    const ok = verifyWebhook({ header: (name) => good()[name as keyof ReturnType<typeof good>], body: Buffer.from(body) }, SECRET);
    expect(ok).toMatchObject({ ok: true, topic: "PRODUCTS_UPDATE", payload: { id: 1, title: "Tee" } });
    const raw = "{not json";
    const headers = { ...good(), "x-shopify-hmac-sha256": shopifyHmac(raw, SECRET) };
    const bad = verifyWebhook({ header: (name) => headers[name as keyof typeof headers], body: Buffer.from(raw) }, SECRET);
    expect(bad).toEqual({ ok: false, status: 400, error: "The webhook body is not valid JSON" });
  });
});
