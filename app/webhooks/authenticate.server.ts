import { env } from "../env.server";
import { authenticate } from "../shopify.server";
import { badRequest } from "./deliveries.server";

const AUTH_ERRORS: Record<number, string> = {
  400: "Missing Shopify webhook headers (X-Shopify-Topic, -Shop-Domain, -Hmac-Sha256, -Api-Version, -Webhook-Id) or an empty body",
  401: "Invalid webhook signature (X-Shopify-Hmac-Sha256 does not match the body)",
  405: "Method not allowed: webhooks are POST only",
};

/**
 * authenticate.webhook with clear error bodies: Shopify's library answers
 * 401/400/405 with empty bodies, and a body that passes the HMAC but is not
 * JSON would escape as a 500.
 */
export async function authenticateWebhook(request: Request) {
  // Shopify names the shop by its *.myshopify.com domain. Any other value (another host, or
  // two values from a duplicated header) made Shopify's library throw InvalidShopError: a 500
  // on every retry (issue 8, hostile-input tests).
  const shop = request.headers.get("x-shopify-shop-domain");
  if (shop !== null && !isShopDomain(shop)) throw badRequest("X-Shopify-Shop-Domain must be the shop's *.myshopify.com domain");
  try {
    return await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response && AUTH_ERRORS[error.status]) {
      throw Response.json({ error: AUTH_ERRORS[error.status] }, { status: error.status });
    }
    if (error instanceof SyntaxError) throw badRequest("The webhook body is not valid JSON");
    throw error;
  }
}

const MYSHOPIFY = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

function isShopDomain(shop: string) {
  if (MYSHOPIFY.test(shop)) return true;
  const custom = env().SHOP_CUSTOM_DOMAIN;
  return Boolean(custom) && shop.endsWith(`.${custom}`) && /^[a-z0-9][a-z0-9-]*$/.test(shop.slice(0, -custom!.length - 1));
}
