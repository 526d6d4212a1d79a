import { readLimited } from "../webhooks/deliveries.server";

/**
 * Reads a small request body (the WhatsApp page's JSON actions) with a size
 * limit: null when it is over. An oversized body is still drained, up to a
 * bound, rather than left unread: answering before the client finished
 * sending breaks the keep-alive connection the client will reuse (ECONNRESET
 * on its next request). The reading is the webhooks' readLimited.
 */
const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

export async function readLimitedText(request: Request, maxBytes: number): Promise<string | null> {
  if (!request.body) return "";
  try {
    return (await readLimited(request.body as unknown as AsyncIterable<Uint8Array>, { maxBytes, drainBytes: DRAIN_LIMIT_BYTES })).toString("utf8");
  } catch (error) {
    // readLimited's 413 answer, for the webhook routes; this page answers in its own shape.
    if (error instanceof Response && error.status === 413) return null;
    throw error;
  }
}
