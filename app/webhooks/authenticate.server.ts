import { authenticate } from "../shopify.server";
import { badRequest } from "./deliveries.server";
import { AUTH_ERRORS, isShopDomain } from "./verify.server";

/**
 * authenticate.webhook with clear error bodies: Shopify's library answers
 * 401/400/405 with empty bodies, and a body that passes the HMAC but is not
 * JSON would escape as a 500.
 */
export async function authenticateWebhook(request: Request) {
  // A shop domain that is not one (see verify.server.ts) made the library throw: a 500 on every retry.
  const shop = request.headers.get("x-shopify-shop-domain");
  if (shop !== null && !isShopDomain(shop)) throw badRequest("X-Shopify-Shop-Domain must be the shop's *.myshopify.com domain");
  try {
    return await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response && error.status in AUTH_ERRORS) {
      throw Response.json({ error: AUTH_ERRORS[error.status as keyof typeof AUTH_ERRORS] }, { status: error.status });
    }
    if (error instanceof SyntaxError) throw badRequest("The webhook body is not valid JSON");
    throw error;
  }
}
