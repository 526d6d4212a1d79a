import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../db.server";
import { logger } from "../logger.server";

/** Shared pieces of every Shopify webhook route. */

export const MAX_WEBHOOK_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Refuses bodies over the limit before anything parses them (413). Reads the
 * stream with a running count so a missing or lying Content-Length cannot
 * push a huge body through; returns a fresh Request with the same bytes.
 *
 * A body over the limit is still read (and dropped) up to `drainBytes`
 * before the 413 goes out: answering with unread bytes in the socket made
 * the kernel reset the connection, so the sender saw a network error instead
 * of the 413 (issue 8, hostile-input tests). Beyond `drainBytes` the upload
 * is cut off at once.
 */
export async function limitBody(request: Request, maxBytes = MAX_WEBHOOK_BODY_BYTES, drainBytes = maxBytes * 4): Promise<Request> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > drainBytes || (declared > maxBytes && (request.method !== "POST" || !request.body))) throw tooLarge(maxBytes);
  if (request.method !== "POST" || !request.body) return request;
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: await readLimited(request.body as unknown as AsyncIterable<Uint8Array>, maxBytes, drainBytes),
  });
}

/**
 * The body of a stream (a Fetch body or Node's request) under limitBody's
 * rules: over `maxBytes` it throws the 413 Response once the upload ends,
 * over `drainBytes` at once (leaving the loop cancels the stream).
 */
export async function readLimited(stream: AsyncIterable<Uint8Array>, maxBytes = MAX_WEBHOOK_BODY_BYTES, drainBytes = maxBytes * 4): Promise<Buffer<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > drainBytes) throw tooLarge(maxBytes);
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) throw tooLarge(maxBytes);
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number) {
  const limit = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / 1024 / 1024)} MB` : `${Math.round(maxBytes / 1024)} KB`;
  return Response.json(
    { error: `Webhook body is larger than ${limit}` },
    { status: 413 },
  );
}

/** A logger for one delivery: the webhook id doubles as the request id. */
export function webhookLogger(webhookId: string | undefined, topic: string, shop: string) {
  return logger.child({ requestId: webhookId || randomUUID(), topic, shop });
}

/** Thrown inside a transaction when a webhook id was already processed. */
export class DuplicateDelivery extends Error {
  constructor() {
    super("duplicate webhook delivery");
  }
}

/**
 * Records a delivery by its X-Shopify-Webhook-Id (the same across retries).
 * Throws DuplicateDelivery when it was seen before, which rolls back the
 * caller's transaction: the de-duplication and the effect commit together.
 */
export async function recordDelivery(
  tx: Prisma.TransactionClient,
  webhookId: string | undefined,
  shop: string,
  topic: string,
) {
  if (!webhookId) return;
  try {
    await tx.webhookDelivery.create({ data: { webhookId, shop, topic } });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new DuplicateDelivery();
    throw error;
  }
}

/** Deliveries are kept a few days: Shopify retries for at most 4 hours. */
export async function pruneDeliveries(database: Db, olderThanMs = 3 * 24 * 3600_000) {
  const { count } = await database.webhookDelivery.deleteMany({
    where: { receivedAt: { lt: new Date(Date.now() - olderThanMs) } },
  });
  return count;
}

export function badRequest(message: string) {
  return Response.json({ error: message }, { status: 400 });
}

/** Webhook routes are POST-only; Remix would otherwise answer a GET with 400. */
export function methodNotAllowed() {
  return Response.json({ error: "Method not allowed: webhooks are POST only" }, { status: 405, headers: { Allow: "POST" } });
}
