import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { db } from "../db.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { limitBody } from "../webhooks/deliveries.server";
import {
  MAX_META_WEBHOOK_BYTES,
  MetaWebhookPayload,
  processMetaWebhook,
  validSignature,
  verifyHandshake,
} from "../whatsapp/meta-webhooks.server";

/** GET: Meta's verify handshake. POST: WhatsApp webhooks, signed with the Meta app secret. */

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const challenge = verifyHandshake(new URL(request.url).searchParams, env().META_WEBHOOK_VERIFY_TOKEN);
  if (challenge === null) return new Response("Forbidden: wrong hub.mode or hub.verify_token", { status: 403, headers: { "content-type": "text/plain" } });
  return new Response(challenge, { status: 200, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return Response.json({ error: "Method not allowed" }, { status: 405, headers: { Allow: "GET, POST" } });
  let limited: Request;
  try {
    limited = await limitBody(request, MAX_META_WEBHOOK_BYTES);
  } catch (error) {
    // The rest of an oversized body may be unread: close the connection so it cannot be reused mid-upload.
    if (error instanceof Response) {
      const headers = new Headers(error.headers); // keeps a 503's Retry-After
      headers.set("connection", "close");
      return new Response(error.body, { status: error.status, headers });
    }
    throw error;
  }
  const raw = Buffer.from(await limited.arrayBuffer());
  const config = env();
  // Nothing is parsed, let alone stored, before the signature holds.
  if (!validSignature(raw, limited.headers.get("x-hub-signature-256"), [config.META_APP_SECRET, config.META_APP_SECRET_PREVIOUS])) {
    return Response.json({ error: "Invalid X-Hub-Signature-256 (HMAC-SHA256 of the body with the Meta app secret)" }, { status: 401 });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    return Response.json({ error: "The webhook body is not valid JSON" }, { status: 400 });
  }
  const payload = MetaWebhookPayload.safeParse(json);
  // A signed body we do not understand is acknowledged: Meta would otherwise retry it for days.
  if (!payload.success) {
    logger.warn({ module: "meta-webhooks", issue: payload.error.issues[0]?.path.join(".") }, "meta webhook with an unexpected shape ignored");
    return Response.json({ received: true, ignored: true });
  }
  const summary = await processMetaWebhook(db, payload.data);
  logger.debug({ module: "meta-webhooks", ...summary }, "meta webhook processed");
  return Response.json({ received: true });
};
