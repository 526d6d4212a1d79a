import type { ActionFunctionArgs } from "@remix-run/node";
import { DeletePayload, ProductPayload } from "../catalog/product-payload";
import { ingestProduct, ingestProductDelete } from "../catalog/ingest.server";
import { badRequest, limitBody, webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

/** products/create, products/update and products/delete: one route, topic from the header. */
export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const limited = await limitBody(request);
  const { shop, topic, webhookId, payload } = await authenticateWebhook(limited);
  const log = webhookLogger(webhookId, topic, shop);
  const delivery = { shop, topic, webhookId, triggeredAt: limited.headers.get("x-shopify-triggered-at") ?? undefined };

  let result;
  if (topic === "PRODUCTS_DELETE") {
    const parsed = DeletePayload.safeParse(payload);
    if (!parsed.success) return badRequest("products/delete body must be { id: number }");
    result = await ingestProductDelete(delivery, parsed.data.id);
  } else if (topic === "PRODUCTS_CREATE" || topic === "PRODUCTS_UPDATE") {
    const parsed = ProductPayload.safeParse(payload);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      log.warn({ path: first?.path.join("."), issue: first?.message }, "malformed product payload");
      return badRequest(`Invalid product payload at "${first?.path.join(".")}": ${first?.message}`);
    }
    result = await ingestProduct(delivery, parsed.data);
  } else {
    return badRequest(`Unexpected topic ${topic} for /webhooks/products`);
  }
  log.debug({ result }, "product webhook processed");
  return Response.json({ result });
};
