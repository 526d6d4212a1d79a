import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShop } from "../shop.server";
import { badRequest, webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

/** Mandatory compliance topics; Shopify checks that a bad HMAC gets 401. */
export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId } = await authenticateWebhook(request);
  const log = webhookLogger(webhookId, topic, shop);
  switch (topic) {
    case "CUSTOMERS_DATA_REQUEST":
    case "CUSTOMERS_REDACT":
      // The app stores no customer data (test-message recipients are the merchant's own numbers).
      log.info("compliance request: no customer data held");
      return new Response(null, { status: 200 });
    case "SHOP_REDACT":
      await redactShop(shop);
      return new Response(null, { status: 200 });
    default:
      log.warn("unexpected topic on the compliance route");
      return badRequest(`Unexpected topic ${topic} for /webhooks/compliance`);
  }
};
