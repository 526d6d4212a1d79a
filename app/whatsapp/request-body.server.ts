/**
 * Reads a small request body (the WhatsApp page's JSON actions) with a size
 * limit. An oversized body is still drained, up to a bound, rather than
 * left unread: answering before the client finished sending breaks the
 * keep-alive connection the client will reuse (ECONNRESET on its next request).
 */
const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

export async function readLimitedText(request: Request, maxBytes: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= maxBytes) chunks.push(value);
    else if (size > DRAIN_LIMIT_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return size > maxBytes ? null : Buffer.concat(chunks).toString("utf8");
}
