import type { Db } from "../db.server";
import { webhookLogger } from "../webhooks/deliveries.server";
import { verifyWebhook, type RawWebhook } from "../webhooks/verify.server";
import { DeletePayload, ProductPayload } from "./product-payload";
import { ingestDelivery, type IngestResult } from "./store/deliveries.server";
import { productState } from "./store/products.server";

/**
 * products/create, products/update and products/delete: the app's busiest
 * webhook, so it runs without Remix where it can. The production server
 * (app/server.ts) answers it straight from Node's request; the Remix route
 * (webhooks.products.tsx, what `shopify app dev` serves) is the same call
 * over a Fetch Request. Either way: verify, validate, store, answer; no
 * Graph call here (the worker makes them).
 */

export interface WebhookAnswer {
  status: number;
  body: { result: IngestResult } | { error: string };
}

const badRequest = (error: string): WebhookAnswer => ({ status: 400, body: { error } });

export async function receiveProductsWebhook(db: Db, raw: RawWebhook): Promise<WebhookAnswer> {
  const verified = verifyWebhook(raw);
  if (!verified.ok) return { status: verified.status, body: { error: verified.error } };
  const { shop, topic, webhookId, triggeredAt, payload } = verified;
  const log = webhookLogger(webhookId, topic, shop);
  const delivery = { shop, topic, webhookId };

  let result: IngestResult;
  if (topic === "PRODUCTS_DELETE") {
    const parsed = DeletePayload.safeParse(payload);
    // Any other field means the body is not a delete's (say, a product's body under a forged topic).
    if (!parsed.success) return badRequest("A products/delete body is exactly { id }: this body does not match its topic");
    // Deleted when Shopify says it was (X-Shopify-Triggered-At), else now.
    const at = triggeredAt && !Number.isNaN(Date.parse(triggeredAt)) ? new Date(triggeredAt) : new Date();
    result = await ingestDelivery(db, delivery, { kind: "delete", productId: parsed.data.id, at });
  } else if (topic === "PRODUCTS_CREATE" || topic === "PRODUCTS_UPDATE") {
    const parsed = ProductPayload.safeParse(payload);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      log.warn({ path: first?.path.join("."), issue: first?.message }, "malformed product payload");
      return badRequest(`Invalid product payload at "${first?.path.join(".")}": ${first?.message}`);
    }
    result = await ingestDelivery(db, delivery, { kind: "product", state: productState(shop, parsed.data) });
  } else {
    return badRequest(`Unexpected topic ${topic} for /webhooks/products`);
  }
  log.debug({ result }, "product webhook processed");
  return { status: 200, body: { result } };
}
