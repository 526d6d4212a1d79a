import { redactText } from "../logger.server";
import { parseUsageHeaders, regainMsFromHeaders, retryAfterMs, type HeaderSource, type UsageEntry } from "./usage";

/**
 * The error taxonomy of the Graph API, as callers act on it:
 * - TokenInvalid: reconnect needed, never retry;
 * - PermissionMissing: tell the merchant which permission, never retry;
 * - RateLimited: wait `retryAfterMs`, then go on;
 * - Transient: retry with backoff (the client already did, within its budget);
 * - Rejected: Meta refused this request; retrying the same thing will not help.
 * `classify` is the one place that maps a response to a class.
 */

export type MetaErrorKind = "token_invalid" | "permission_missing" | "rate_limited" | "transient" | "rejected";

export interface MetaErrorDetails {
  /** Endpoint label, e.g. "POST /{catalog-id}/items_batch": ids replaced, no query. */
  endpoint: string;
  /** null when no response arrived (network error, timeout). */
  httpStatus: number | null;
  code: number | null;
  subcode: number | null;
  fbtraceId: string | null;
  type?: string | null;
  userTitle?: string | null;
  userMessage?: string | null;
  /**
   * `error.error_data.details`: where the WhatsApp Cloud API says what exactly
   * went wrong (e.g. "Products not found in FB Catalog" under code 131009);
   * Meta recommends handling errors by `code` and `details`
   * (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).
   */
  details?: string | null;
}

/** Removes known secret values, then anything token-shaped. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  return redactText(out);
}

export class MetaGraphError extends Error {
  readonly kind: MetaErrorKind = "rejected";
  readonly endpoint: string;
  readonly httpStatus: number | null;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly fbtraceId: string | null;
  readonly type: string | null;
  /** Meta's own message, redacted. */
  readonly metaMessage: string;
  readonly userTitle: string | null;
  readonly userMessage: string | null;
  /** `error_data.details`, redacted; null when Meta sent none. */
  readonly details: string | null;

  constructor(metaMessage: string, details: MetaErrorDetails, secrets: readonly string[] = []) {
    const safe = scrub(metaMessage, secrets);
    super(`${details.endpoint}: ${safe}${describeCodes(details)}`);
    this.name = new.target.name;
    this.endpoint = details.endpoint;
    this.httpStatus = details.httpStatus;
    this.code = details.code;
    this.subcode = details.subcode;
    this.fbtraceId = details.fbtraceId;
    this.type = details.type ?? null;
    this.metaMessage = safe;
    this.userTitle = details.userTitle ? scrub(details.userTitle, secrets) : null;
    this.userMessage = details.userMessage ? scrub(details.userMessage, secrets) : null;
    this.details = details.details ? scrub(details.details, secrets) : null;
  }

  /** What may be stored (e.g. as a connection's last error) or returned to the UI. */
  toJSON() {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      endpoint: this.endpoint,
      httpStatus: this.httpStatus,
      code: this.code,
      subcode: this.subcode,
      fbtraceId: this.fbtraceId,
    };
  }
}

function describeCodes(d: MetaErrorDetails): string {
  const parts = [
    d.httpStatus !== null ? `HTTP ${d.httpStatus}` : null,
    d.code !== null ? `code ${d.code}` : null,
    d.subcode !== null ? `subcode ${d.subcode}` : null,
    d.fbtraceId ? `fbtrace_id ${d.fbtraceId}` : null,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

const TOKEN_REASONS: Record<number, string> = {
  458: "the app was removed from the Meta business account",
  460: "the password of the Meta account changed",
  463: "the access token expired",
  467: "the access token is no longer valid",
  492: "the Meta session is no longer valid",
};

export class TokenInvalid extends MetaGraphError {
  override readonly kind = "token_invalid" as const;
  /** Merchant-facing: why the connection must be made again. */
  readonly reason: string;

  constructor(metaMessage: string, details: MetaErrorDetails, secrets?: readonly string[]) {
    super(metaMessage, details, secrets);
    this.reason = (details.subcode !== null && TOKEN_REASONS[details.subcode]) || "access was removed";
  }
}

// "(#200) Requires catalog_management permission", "... requires the
// 'business_management' permission", "(#10) ... permission(s): ads_read".
const PERMISSION_PATTERNS = [
  /requires (?:the )?['"]?([a-z][a-z_]*_[a-z_]+)['"]? permission/i,
  /permissions?(?:\(s\))?[:\s]+['"]?([a-z][a-z_]*_[a-z_]+)/i,
];

export function permissionFromMessage(message: string): string | null {
  for (const pattern of PERMISSION_PATTERNS) {
    const match = pattern.exec(message);
    if (match) return match[1].toLowerCase();
  }
  return null;
}

export class PermissionMissing extends MetaGraphError {
  override readonly kind = "permission_missing" as const;
  /** The permission Meta named, e.g. "catalog_management"; null when it did not say. */
  readonly permission: string | null;

  constructor(metaMessage: string, details: MetaErrorDetails, secrets?: readonly string[]) {
    super(metaMessage, details, secrets);
    this.permission = permissionFromMessage(this.metaMessage);
  }
}

/** Used when Meta throttles without saying for how long. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

export class RateLimited extends MetaGraphError {
  override readonly kind = "rate_limited" as const;
  /** How long to wait before calling again. */
  readonly retryAfterMs: number;
  /** The usage readings that came with the refusal. */
  readonly usage: UsageEntry[];

  constructor(metaMessage: string, details: MetaErrorDetails & { retryAfterMs: number; usage?: UsageEntry[] }, secrets?: readonly string[]) {
    super(metaMessage, details, secrets);
    this.retryAfterMs = details.retryAfterMs;
    this.usage = details.usage ?? [];
  }

  override toJSON() {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

export class Transient extends MetaGraphError {
  override readonly kind = "transient" as const;
  /** No answer within the client's timeout: the request may still have been processed. */
  readonly timedOut: boolean;
  /** The connection failed (refused, reset, DNS) before an HTTP response arrived. */
  readonly network: boolean;

  constructor(metaMessage: string, details: MetaErrorDetails & { timedOut?: boolean; network?: boolean }, secrets?: readonly string[]) {
    super(metaMessage, details, secrets);
    this.timedOut = details.timedOut ?? false;
    this.network = details.network ?? false;
  }
}

export class Rejected extends MetaGraphError {
  override readonly kind = "rejected" as const;
}

/** A 2xx answer whose body is not what the endpoint documents. */
export class UnexpectedResponse extends Rejected {}

const RATE_LIMIT_CODES = new Set([
  4, 17, 32, 613,
  // 341: application limit reached; 130429: Cloud API throughput reached;
  // 131056: too many messages to one recipient. All mean "wait", not "fix".
  341, 130429, 131056,
]);
// 131016 "Service unavailable", 133004 "Server temporarily unavailable".
const TRANSIENT_CODES = new Set([1, 2, 131016, 133004]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const toInt = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isInteger(n) ? n : null;
};
const toText = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

export interface ClassifyContext {
  endpoint?: string;
  /** Secret values (token, app secret) to cut out of any message. */
  secrets?: readonly string[];
  appId?: string;
}

/**
 * Maps a failed response to its error class. `body` is the parsed JSON
 * (Meta's `{ error: {...} }` envelope) or raw text when it was not JSON.
 */
export function classify(httpStatus: number, body: unknown, headers?: HeaderSource, context: ClassifyContext = {}): MetaGraphError {
  const envelope = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = toInt(envelope?.code);
  const details: MetaErrorDetails = {
    endpoint: context.endpoint ?? "unknown endpoint",
    httpStatus,
    code,
    subcode: toInt(envelope?.error_subcode),
    fbtraceId: toText(envelope?.fbtrace_id),
    type: toText(envelope?.type),
    userTitle: toText(envelope?.error_user_title),
    userMessage: toText(envelope?.error_user_msg),
    details: isRecord(envelope?.error_data) ? toText(envelope.error_data.details) : null,
  };
  const message =
    toText(envelope?.message) ??
    (typeof body === "string" && body.trim() ? `HTTP ${httpStatus}: ${body.trim().slice(0, 300)}` : `HTTP ${httpStatus} without an error message`);
  const secrets = context.secrets;

  if (code === 190 || code === 102) return new TokenInvalid(message, details, secrets);
  if (httpStatus === 429 || (code !== null && (RATE_LIMIT_CODES.has(code) || (code >= 80001 && code <= 80014)))) {
    const wait = regainMsFromHeaders(headers) ?? retryAfterMs(headers) ?? DEFAULT_RETRY_AFTER_MS;
    return new RateLimited(message, { ...details, retryAfterMs: wait, usage: parseUsageHeaders(headers, context.appId ?? "app") }, secrets);
  }
  if (code === 10 || (code !== null && code >= 200 && code <= 299)) return new PermissionMissing(message, details, secrets);
  if ((code !== null && TRANSIENT_CODES.has(code)) || envelope?.is_transient === true || httpStatus >= 500) {
    return new Transient(message, details, secrets);
  }
  return new Rejected(message, details, secrets);
}
