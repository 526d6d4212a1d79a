import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { db } from "../db.server";
import { updateShopScopes } from "../shop.server";
import { badRequest, limitBody, webhookLogger, methodNotAllowed } from "../webhooks/deliveries.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";

// NUL and unpaired surrogates are not text (PostgreSQL refuses NUL): a 400, not a 500 on every retry (issue 8).
const scope = z
  .string()
  .max(200)
  .refine((s) => !s.includes("\u0000") && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s), "not text");
const ScopesUpdate = z.object({ current: z.array(scope).max(500) });

export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } = await authenticateWebhook(await limitBody(request));
  const log = webhookLogger(webhookId, topic, shop);
  if (topic !== "APP_SCOPES_UPDATE") return badRequest(`Unexpected topic ${topic} for /webhooks/app/scopes_update`);
  const parsed = ScopesUpdate.safeParse(payload);
  if (!parsed.success) {
    log.warn({ issues: parsed.error.issues.length }, "malformed scopes_update payload");
    return badRequest("Expected a body of the form { current: string[] }");
  }
  await updateShopScopes(db, shop, parsed.data.current);
  log.info({ scopes: parsed.data.current }, "scopes updated");
  return new Response(null, { status: 200 });
};
