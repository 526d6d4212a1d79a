import type { ActionFunctionArgs } from "@remix-run/node";
import { markUninstalled } from "../shop.server";
import { badRequest, limitBody, webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } = await authenticateWebhook(await limitBody(request));
  // Only its own topic, and the body is the shop object; anything else did not come from Shopify as it should (issue 8).
  if (topic !== "APP_UNINSTALLED") return badRequest(`Unexpected topic ${topic} for /webhooks/app/uninstalled`);
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return badRequest("Expected the shop object as the body");
  webhookLogger(webhookId, topic, shop).info("webhook received");
  // Idempotent: it may arrive twice, and after the shop's data is gone.
  await markUninstalled(shop);
  return new Response(null, { status: 200 });
};
