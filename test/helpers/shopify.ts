import { createHmac, randomUUID } from "node:crypto";
import { mintSessionToken } from "../sandbox/session-token";
import { TEST_API_KEY, TEST_API_SECRET } from "./app-process";

/** Shopify's side of the conversation: signed webhooks and session tokens. */

export function shopifyHmac(body: string, secret = TEST_API_SECRET) {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export interface WebhookOptions {
  shop?: string;
  webhookId?: string;
  secret?: string;
  headers?: Record<string, string>;
  method?: string;
  apiVersion?: string;
}

/** Posts a webhook exactly as Shopify would (headers, HMAC of the raw body). */
export function sendWebhook(baseUrl: string, route: string, topic: string, body: unknown, opts: WebhookOptions = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-topic": topic,
    "x-shopify-shop-domain": opts.shop ?? "test-shop.myshopify.com",
    "x-shopify-api-version": opts.apiVersion ?? "2026-10",
    "x-shopify-webhook-id": opts.webhookId ?? randomUUID(),
    "x-shopify-event-id": randomUUID(),
    "x-shopify-triggered-at": new Date().toISOString(),
    "x-shopify-hmac-sha256": shopifyHmac(raw, opts.secret),
    ...opts.headers,
  };
  return fetch(`${baseUrl}${route}`, { method: opts.method ?? "POST", headers, body: raw });
}

export function sessionToken(shop: string, secret = TEST_API_SECRET) {
  return mintSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: secret });
}

// Shopify's library answers bots (and Node's default user agent) with 410.
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/** An embedded-admin document request, as the admin's iframe makes it. */
export function adminPage(baseUrl: string, pathname: string, shop: string, token = sessionToken(shop)) {
  const host = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
  const url = new URL(pathname, baseUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", host);
  url.searchParams.set("id_token", token);
  return fetch(url, { headers: { accept: "text/html", "user-agent": BROWSER_UA }, redirect: "manual" });
}

/** A data request from the embedded app (App Bridge adds the bearer token). */
export function adminFetch(baseUrl: string, pathname: string, shop: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${sessionToken(shop)}`);
  if (!headers.has("user-agent")) headers.set("user-agent", BROWSER_UA);
  return fetch(new URL(pathname, baseUrl), { ...init, headers, redirect: "manual" });
}
