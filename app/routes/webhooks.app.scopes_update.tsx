import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { updateShopScopes } from "../shop.server";
import { badRequest, webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

const ScopesUpdate = z.object({ current: z.array(z.string().max(200)).max(500) });

export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } = await authenticateWebhook(request);
  const log = webhookLogger(webhookId, topic, shop);
  const parsed = ScopesUpdate.safeParse(payload);
  if (!parsed.success) {
    log.warn({ issues: parsed.error.issues.length }, "malformed scopes_update payload");
    return badRequest("Expected a body of the form { current: string[] }");
  }
  await updateShopScopes(shop, parsed.data.current);
  log.info({ scopes: parsed.data.current }, "scopes updated");
  return new Response(null, { status: 200 });
};
