import { createHmac, randomUUID } from "node:crypto";

/**
 * Session tokens as the Shopify admin mints them for an embedded app: an
 * HS256 JWT signed with the app secret, audience = the app's client id.
 * The sandbox's admin stand-in and the tests mint them the same way.
 */
export function mintSessionToken(opts: {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string;
  ttlSeconds?: number;
}): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = b64({ alg: "HS256", typ: "JWT" });
  const payload = b64({
    iss: `https://${opts.shop}/admin`,
    dest: `https://${opts.shop}`,
    aud: opts.apiKey,
    sub: opts.userId ?? "1",
    exp: now + (opts.ttlSeconds ?? 60),
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  });
  const signature = createHmac("sha256", opts.apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
