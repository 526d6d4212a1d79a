import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "../env.server";

/**
 * Shopify's webhook checks, for the one route that takes Shopify's volume
 * (products/*, see products-webhook.server.ts): the same checks, in the same
 * order and with the same answers, as authenticate.webhook, which the other
 * webhook routes use. authenticate.webhook also loads the shop's offline
 * session from the database and wants a Fetch Request; on a 2-core machine
 * that framework work was 80 % of a delivery's CPU (issue 7's benchmark).
 * test/integration/webhook-verify.test.ts checks every verdict against
 * @shopify/shopify-api's own webhooks.validate.
 */

export const AUTH_ERRORS = {
  400: "Missing Shopify webhook headers (X-Shopify-Topic, -Shop-Domain, -Hmac-Sha256, -Api-Version, -Webhook-Id) or an empty body",
  401: "Invalid webhook signature (X-Shopify-Hmac-Sha256 does not match the body)",
  405: "Method not allowed: webhooks are POST only",
} as const;

export interface RawWebhook {
  /** A request header by its lower-case name (several values joined by ", "). */
  header(name: string): string | null | undefined;
  body: Buffer;
}

export type VerifiedWebhook =
  | { ok: true; shop: string; topic: string; webhookId: string; apiVersion: string; triggeredAt?: string; payload: unknown }
  | { ok: false; status: 400 | 401; error: string };

const REQUIRED = ["x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"] as const;

/**
 * X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body under the
 * app's client secret. Compared as text, in constant time: decoding it first
 * would accept a header sent twice ("sig, sig"), as Node's base64 decoder
 * skips what it cannot read.
 */
export function validHmac(body: Buffer, signature: string, secret: string) {
  return safeEqual(signature, createHmac("sha256", secret).update(body).digest("base64"));
}

/** Two strings compared in constant time (for their length), so timing tells nothing of a secret. */
export function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyWebhook(raw: RawWebhook, secret = env().SHOPIFY_API_SECRET): VerifiedWebhook {
  const header = (name: string) => raw.header(name) || null;
  // Shopify names the shop by its *.myshopify.com domain. Any other value (another host, or
  // two values from a duplicated header) made Shopify's library throw InvalidShopError: a 500
  // on every retry (issue 8, hostile-input tests).
  const shop = header("x-shopify-shop-domain");
  if (shop !== null && !isShopDomain(shop)) return { ok: false, status: 400, error: "X-Shopify-Shop-Domain must be the shop's *.myshopify.com domain" };
  const signature = header("x-shopify-hmac-sha256");
  if (!signature || raw.body.length === 0) return { ok: false, status: 400, error: AUTH_ERRORS[400] };
  if (!validHmac(raw.body, signature, secret)) return { ok: false, status: 401, error: AUTH_ERRORS[401] };
  if (REQUIRED.some((name) => !header(name))) return { ok: false, status: 400, error: AUTH_ERRORS[400] };
  let payload: unknown;
  try {
    payload = JSON.parse(raw.body.toString("utf8"));
  } catch {
    return { ok: false, status: 400, error: "The webhook body is not valid JSON" };
  }
  return {
    ok: true,
    shop: shop!,
    // As the library names topics: products/update -> PRODUCTS_UPDATE.
    topic: header("x-shopify-topic")!.toUpperCase().replace(/[/.]/g, "_"),
    webhookId: header("x-shopify-webhook-id")!,
    apiVersion: header("x-shopify-api-version")!,
    triggeredAt: header("x-shopify-triggered-at") ?? undefined,
    payload,
  };
}

const MYSHOPIFY = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export function isShopDomain(shop: string) {
  if (MYSHOPIFY.test(shop)) return true;
  const custom = env().SHOP_CUSTOM_DOMAIN;
  return Boolean(custom) && shop.endsWith(`.${custom}`) && /^[a-z0-9][a-z0-9-]*$/.test(shop.slice(0, -custom!.length - 1));
}
