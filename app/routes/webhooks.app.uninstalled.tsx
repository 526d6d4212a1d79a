import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { db } from "../db.server";
import { markUninstalled } from "../shop.server";
import { badRequest, limitBody, webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

export const loader = methodNotAllowed;

const ShopObject = z.looseObject({ myshopify_domain: z.string() });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } = await authenticateWebhook(await limitBody(request));
  // Only its own topic, and the body is the shop object; anything else did not come from Shopify as it should (issue 8).
  if (topic !== "APP_UNINSTALLED") return badRequest(`Unexpected topic ${topic} for /webhooks/app/uninstalled`);
  // The body is the shop object: it must name the shop of the request, as the compliance route checks. The topic
  // and shop headers are not signed, so a captured delivery of one shop must not uninstall another (issue 14).
  const parsed = ShopObject.safeParse(payload);
  if (!parsed.success || parsed.data.myshopify_domain !== shop) {
    return badRequest("Expected the shop object whose myshopify_domain is the X-Shopify-Shop-Domain of the request");
  }
  webhookLogger(webhookId, topic, shop).info("webhook received");
  // Idempotent: it may arrive twice, and after the shop's data is gone.
  await markUninstalled(db, shop);
  return new Response(null, { status: 200 });
};
