/**
 * The product webhook a newcomer sends first: the command `npm run sandbox`
 * prints (with its port, shop and secret) and the README shows (with the
 * defaults). The product is one the app syncs: active, published on the
 * Online Store, with an image and a priced variant (a product without them is
 * rightly kept out of the catalog). `updated_at` is the time of sending, so
 * running it again is a newer change, never an older snapshot the app ignores.
 */

export const EXAMPLE_PRODUCT = {
  id: 7001,
  title: "Sandbox Tee",
  status: "active",
  published_at: "2026-11-01T10:00:00Z",
  updated_at: "$now",
  vendor: "Sandbox Store",
  handle: "sandbox-tee",
  image: { id: 70011, src: "https://cdn.example.com/sandbox-tee.jpg", position: 1 },
  variants: [{ id: 700101, title: "M", price: "19.99", inventory_quantity: 5, option1: "M" }],
  options: [{ name: "Size", position: 1 }],
} as const;

/** The catalog item (Meta retailer id) the example's variant becomes. */
export const EXAMPLE_RETAILER_ID = "shopify_7001_700101";

export interface WebhookExampleOptions {
  appUrl: string;
  shop: string;
  secret: string;
  apiVersion?: string;
}

/** A shell command (bash or zsh, with openssl and curl) that posts the example as Shopify would, signed. */
export function productWebhookCommand({ appUrl, shop, secret, apiVersion = "2026-10" }: WebhookExampleOptions) {
  // The body is single-quoted shell text; the time goes in between two quoted halves.
  const body = JSON.stringify(EXAMPLE_PRODUCT).replace('"$now"', `"'"$now"'"`);
  return [
    `now=$(date -u +%Y-%m-%dT%H:%M:%SZ)`,
    `body='${body}'`,
    `hmac=$(printf '%s' "$body" | openssl dgst -sha256 -hmac '${secret}' -binary | base64)`,
    `curl -sS -w '\\nHTTP %{http_code}\\n' -X POST ${appUrl}/webhooks/products -H 'content-type: application/json' \\`,
    `  -H 'x-shopify-topic: products/update' -H 'x-shopify-shop-domain: ${shop}' -H 'x-shopify-api-version: ${apiVersion}' \\`,
    `  -H "x-shopify-webhook-id: example-$now-$RANDOM" -H "x-shopify-hmac-sha256: $hmac" --data-binary "$body"`,
  ].join("\n");
}
