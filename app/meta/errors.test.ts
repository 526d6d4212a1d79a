import { describe, expect, it } from "vitest";
import {
  classify,
  DEFAULT_RETRY_AFTER_MS,
  PermissionMissing,
  permissionFromMessage,
  RateLimited,
  Rejected,
  TokenInvalid,
  Transient,
} from "./errors";

const envelope = (code: number, extra: Record<string, unknown> = {}) => ({
  error: { message: `(#${code}) something`, type: "OAuthException", code, fbtrace_id: "AbCdEf12345", ...extra },
});
const ctx = { endpoint: "POST /{catalog-id}/items_batch" };

describe("classify", () => {
  it.each([
    [458, "the app was removed from the Meta business account"],
    [460, "the password of the Meta account changed"],
    [463, "the access token expired"],
    [467, "the access token is no longer valid"],
    [492, "the Meta session is no longer valid"],
    [null, "access was removed"],
  ])("190 / subcode %s -> TokenInvalid with a merchant-facing reason", (subcode, reason) => {
    const err = classify(400, envelope(190, subcode === null ? {} : { error_subcode: subcode }), undefined, ctx);
    expect(err).toBeInstanceOf(TokenInvalid);
    expect((err as TokenInvalid).reason).toBe(reason);
    expect(err.subcode).toBe(subcode);
    expect(err.kind).toBe("token_invalid");
  });

  it.each([10, 200, 230, 299])("code %s -> PermissionMissing", (code) => {
    expect(classify(403, envelope(code), undefined, ctx)).toBeInstanceOf(PermissionMissing);
  });

  it("names the permission Meta's message mentions", () => {
    const err = classify(403, { error: { message: "(#200) Requires catalog_management permission", code: 200 } }, undefined, ctx) as PermissionMissing;
    expect(err.permission).toBe("catalog_management");
    expect(permissionFromMessage("(#10) This endpoint requires the 'whatsapp_business_messaging' permission")).toBe("whatsapp_business_messaging");
    expect(permissionFromMessage("(#10) Application does not have permission for this action")).toBeNull();
  });

  it.each([4, 17, 32, 613, 80001, 80004, 80014])("code %s -> RateLimited", (code) => {
    expect(classify(400, envelope(code), undefined, ctx)).toBeInstanceOf(RateLimited);
  });

  it("HTTP 429 -> RateLimited even without an envelope", () => {
    expect(classify(429, "Too Many Requests", undefined, ctx)).toBeInstanceOf(RateLimited);
  });

  it("reads the wait from X-Business-Use-Case-Usage (minutes), then X-App-Usage, then Retry-After, else the default", () => {
    const buc = { "x-business-use-case-usage": JSON.stringify({ "123": [{ type: "catalog_management", call_count: 100, estimated_time_to_regain_access: 7 }] }) };
    expect((classify(400, envelope(80014), buc, ctx) as RateLimited).retryAfterMs).toBe(7 * 60_000);
    const app = new Headers({ "x-app-usage": JSON.stringify({ call_count: 100, estimated_time_to_regain_access: 2 }) });
    expect((classify(400, envelope(4), app, ctx) as RateLimited).retryAfterMs).toBe(2 * 60_000);
    expect((classify(429, envelope(4), { "Retry-After": "30" }, ctx) as RateLimited).retryAfterMs).toBe(30_000);
    expect((classify(400, envelope(4), {}, ctx) as RateLimited).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
    expect((classify(400, envelope(4), { "x-business-use-case-usage": "not json" }, ctx) as RateLimited).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
  });

  it.each([
    [400, envelope(1)],
    [500, envelope(2)],
    [503, "<html>Service Unavailable</html>"],
    [502, undefined],
    [400, envelope(131016)],
  ])("HTTP %s %j -> Transient", (status, body) => {
    expect(classify(status, body, undefined, ctx)).toBeInstanceOf(Transient);
  });

  it("other 4xx -> Rejected with Meta's message and fbtrace_id", () => {
    const err = classify(400, { error: { message: "(#100) Invalid parameter", type: "OAuthException", code: 100, error_subcode: 33, fbtrace_id: "Xyz" } }, undefined, ctx);
    expect(err).toBeInstanceOf(Rejected);
    expect(err.metaMessage).toBe("(#100) Invalid parameter");
    expect(err.message).toBe("POST /{catalog-id}/items_batch: (#100) Invalid parameter (HTTP 400, code 100, subcode 33, fbtrace_id Xyz)");
    expect(err.fbtraceId).toBe("Xyz");
    expect(err.endpoint).toBe(ctx.endpoint);
    expect(err.toJSON()).toMatchObject({ kind: "rejected", code: 100, subcode: 33, httpStatus: 400 });
  });

  it("redacts tokens, secrets and secret query parameters from messages", () => {
    const token = "EAAGm0PX4ZCpsBAKZCfakeTokenValue1234567890";
    const message = `bad token ${token} at https://graph.facebook.com/v25.0/oauth/access_token?client_id=1&client_secret=s3cr3t-value&code=AQcode123 plain-secret-here`;
    const err = classify(400, { error: { message, code: 100, error_user_msg: `again ${token}` } }, undefined, { ...ctx, secrets: ["plain-secret-here"] });
    for (const secret of [token, "s3cr3t-value", "AQcode123", "plain-secret-here"]) {
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err)).not.toContain(secret);
    }
    expect(err.userMessage).toBe("again [redacted]");
  });
});
