import type { ActionFunctionArgs } from "@remix-run/node";
import { markUninstalled } from "../shop.server";
import { webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId } = await authenticateWebhook(request);
  webhookLogger(webhookId, topic, shop).info("webhook received");
  // Idempotent: it may arrive twice, and after the shop's data is gone.
  await markUninstalled(shop);
  return new Response(null, { status: 200 });
};
