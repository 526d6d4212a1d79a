import { randomUUID } from "node:crypto";
import { logger } from "../logger.server";
import { SMALL_BODY_BYTES, webhookBodyBudget, type BodyBudget } from "./body-budget.server";

/** Shared pieces of every Shopify webhook route. */

export const MAX_WEBHOOK_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Refuses bodies over the limit before anything parses them (413). Reads the
 * stream with a running count so a missing or lying Content-Length cannot
 * push a huge body through; returns a fresh Request with the same bytes.
 * The body counts against the process's webhook body budget while it is read
 * (body-budget.server.ts: 503 when it has to give way).
 *
 * A body over the limit is still read (and dropped) up to `drainBytes`
 * before the 413 goes out: answering with unread bytes in the socket made
 * the kernel reset the connection, so the sender saw a network error instead
 * of the 413 (issue 8, hostile-input tests). Beyond `drainBytes` the upload
 * is cut off at once. A sender too slow to finish within the server's
 * request timeout is cut off by the server (app/server.ts).
 */
export async function limitBody(request: Request, maxBytes = MAX_WEBHOOK_BODY_BYTES, drainBytes = maxBytes * 4): Promise<Request> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > drainBytes || (declared > maxBytes && (request.method !== "POST" || !request.body))) throw tooLarge(maxBytes);
  if (request.method !== "POST" || !request.body) return request;
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: await readLimited(request.body as unknown as AsyncIterable<Uint8Array>, { maxBytes, drainBytes, declaredBytes: declared, budget: webhookBodyBudget() }),
  });
}

export interface ReadLimits {
  maxBytes?: number;
  /** Bytes read (and dropped) at most before a body over `maxBytes` is cut off; default 4 × maxBytes. */
  drainBytes?: number;
  /** The Content-Length the sender declared, if any: a body declared over the limit keeps nothing. */
  declaredBytes?: number;
  /** Counts the held bytes against a budget (unauthenticated webhook bodies). */
  budget?: BodyBudget;
}

/**
 * The body of a stream (a Fetch body or Node's request) under limitBody's
 * rules: over `maxBytes` it throws the 413 Response once the upload ends,
 * over `drainBytes` at once (leaving the loop cancels the stream); a body
 * that gave way in the budget throws a 503 once the upload ends. A body that
 * will be refused holds nothing while the rest of it is drained.
 */
export async function readLimited(stream: AsyncIterable<Uint8Array>, limits: ReadLimits = {}): Promise<Buffer<ArrayBuffer>> {
  const maxBytes = limits.maxBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const drainBytes = limits.drainBytes ?? maxBytes * 4;
  const chunks: Uint8Array[] = [];
  let size = 0;
  let keeping = !((limits.declaredBytes ?? 0) > maxBytes);
  const drop = () => {
    keeping = false;
    chunks.length = 0;
  };
  const declared = limits.declaredBytes ?? 0;
  const claim = limits.budget?.claim(drop, { small: declared > 0 && declared <= SMALL_BODY_BYTES });
  try {
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > drainBytes) throw tooLarge(maxBytes);
      if (size > maxBytes && keeping) {
        drop();
        claim?.release();
      }
      if (!keeping) continue;
      if (claim && !claim.take(chunk.byteLength)) continue; // gave way: `drop` ran
      chunks.push(chunk);
    }
    if (size > maxBytes) throw tooLarge(maxBytes);
    if (claim?.refused) throw busy();
    return Buffer.concat(chunks);
  } finally {
    claim?.release();
  }
}

function tooLarge(maxBytes: number) {
  const limit = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / 1024 / 1024)} MB` : `${Math.round(maxBytes / 1024)} KB`;
  return Response.json(
    { error: `Webhook body is larger than ${limit}` },
    { status: 413 },
  );
}

/** The webhook body budget is full: the sender retries (Shopify and Meta both retry a 503). */
function busy() {
  return Response.json(
    { error: "The app is receiving more webhook data than it can check at the moment; retry this delivery later" },
    { status: 503, headers: { "retry-after": "10" } },
  );
}

/** A logger for one delivery: the webhook id doubles as the request id. */
export function webhookLogger(webhookId: string | undefined, topic: string, shop: string) {
  return logger.child({ requestId: webhookId || randomUUID(), topic, shop });
}

export function badRequest(message: string) {
  return Response.json({ error: message }, { status: 400 });
}

/** Webhook routes are POST-only; Remix would otherwise answer a GET with 400. */
export function methodNotAllowed() {
  return Response.json({ error: "Method not allowed: webhooks are POST only" }, { status: 405, headers: { Allow: "POST" } });
}
