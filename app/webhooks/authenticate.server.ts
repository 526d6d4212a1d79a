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
