import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { db } from "../db.server";
import { redactShop } from "../shop.server";
import { badRequest, limitBody, webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

/** Mandatory compliance topics; Shopify checks that a bad HMAC gets 401. */
export const loader = methodNotAllowed;

// Every compliance payload names the shop it is about. shop/redact deletes everything of the
// shop, so a body that does not name this shop (garbage, or another shop's) changes nothing (issue 8).
const Compliance = z.object({ shop_domain: z.string() }).passthrough();

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } = await authenticateWebhook(await limitBody(request));
  const log = webhookLogger(webhookId, topic, shop);
  const parsed = Compliance.safeParse(payload);
  if (!parsed.success || parsed.data.shop_domain !== shop) {
    log.warn("compliance payload does not name the shop of the request");
    return badRequest("Expected a body whose shop_domain is the X-Shopify-Shop-Domain of the request");
  }
  switch (topic) {
    case "CUSTOMERS_DATA_REQUEST":
    case "CUSTOMERS_REDACT":
      // The app stores no customer data (test-message recipients are the merchant's own numbers).
      log.info("compliance request: no customer data held");
      return new Response(null, { status: 200 });
    case "SHOP_REDACT":
      await redactShop(db, shop);
      return new Response(null, { status: 200 });
    default:
      log.warn("unexpected topic on the compliance route");
      return badRequest(`Unexpected topic ${topic} for /webhooks/compliance`);
  }
};
