import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { markBulkFinished } from "../catalog/full-sync.server";
import { db } from "../db.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";
import { badRequest, limitBody, methodNotAllowed, webhookLogger } from "../webhooks/deliveries.server";

/** bulk_operations/finish: a full sync's product export is ready to stream. */
export const loader = methodNotAllowed;

const Finished = z.object({
  admin_graphql_api_id: z.string().regex(/^gid:\/\/shopify\/BulkOperation\/\d+$/),
  status: z.string().max(40),
  error_code: z.string().max(100).nullish(),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } = await authenticateWebhook(await limitBody(request));
  const log = webhookLogger(webhookId, topic, shop);
  // Only its own topic (a duplicated X-Shopify-Topic header, say, is refused; issue 8).
  if (topic !== "BULK_OPERATIONS_FINISH") return badRequest(`Unexpected topic ${topic} for /webhooks/bulk_operations`);
  const parsed = Finished.safeParse(payload);
  if (!parsed.success) return badRequest("Expected a bulk operation payload with admin_graphql_api_id and status");
  const matched = await markBulkFinished(db, shop, parsed.data.admin_graphql_api_id);
  log.info({ status: parsed.data.status, matched }, "bulk operation finished");
  return new Response(null, { status: 200 });
};
