import { createHmac } from "node:crypto";
import type { Logger } from "../logger.server";
import { backoffDelay, type RetryPolicy } from "./backoff";
import { type EndpointLabel, route } from "./endpoints";
import { classify, MetaGraphError, RateLimited, Transient } from "./errors";
import type { SecretLike } from "./secret";
import { parseUsageHeaders, type UsageTracker } from "./usage";

/**
 * One Graph API request, end to end: URL and headers, a timeout on every
 * attempt, classification of failures, Transient-only retries with backoff,
 * usage recording and one debug log line per attempt. Tokens travel in the
 * Authorization header; the few values Meta only takes in the query (code,
 * client_secret, input_token) are cut out of anything logged or thrown.
 */

export interface TransportOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Wait out a RateLimited answer and try again when Meta asks for at most this long (0 = never wait). */
  rateLimitWaitMaxMs: number;
  appId: string;
  /** Cut out of every error and log line, whatever the call. */
  appSecret: SecretLike;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  logger: Pick<Logger, "debug">;
  usage: UsageTracker;
}

export interface GraphCall {
  label: EndpointLabel;
  ids?: Record<string, string>;
  query?: Record<string, string | undefined>;
  /** Sent as a JSON body. */
  json?: unknown;
  /** Sent as `Authorization: Bearer ...`, with its appsecret_proof unless `appToken`. */
  bearer?: SecretLike;
  /** The bearer is the app token ("APP_ID|APP_SECRET"), which carries no appsecret_proof. */
  appToken?: boolean;
  /** Values to cut out of errors and logs besides the bearer token (app secret, code, input token). */
  secrets?: readonly string[];
  /**
   * Whether a timed-out attempt may be repeated. False for calls with a
   * visible side effect (sending a message): a timeout does not tell whether
   * Meta acted, and a duplicate is worse than a reported failure.
   */
  retryTimeouts?: boolean;
}

export class GraphTransport {
  constructor(private readonly opts: TransportOptions) {}

  async send(call: GraphCall): Promise<unknown> {
    const { method, path, label } = route(call.label, call.ids);
    const proof = call.bearer && !call.appToken ? this.appSecretProof(call.bearer) : undefined;
    const url = this.url(path, { ...call.query, appsecret_proof: proof });
    const secrets = [this.opts.appSecret.reveal(), ...(call.secrets ?? []), ...(call.bearer ? [call.bearer.reveal()] : []), ...(proof ? [proof] : [])];
    const { retry } = this.opts;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(method, url, label, call, secrets, attempt);
      if (!(outcome instanceof MetaGraphError)) return outcome;
      const retriesLeft = attempt <= retry.retries;
      if (outcome instanceof Transient && retriesLeft && (!outcome.timedOut || call.retryTimeouts !== false)) {
        await this.opts.sleep(backoffDelay(attempt - 1, retry, this.opts.random));
        continue;
      }
      if (outcome instanceof RateLimited && retriesLeft && outcome.retryAfterMs <= this.opts.rateLimitWaitMaxMs) {
        await this.opts.sleep(outcome.retryAfterMs);
        continue;
      }
      throw outcome;
    }
  }

  /**
   * HMAC-SHA256 of the access token keyed with the app secret, hex: Meta
   * refuses user and system-user token calls without it when the app has
   * "Require App Secret" on (https://developers.facebook.com/docs/graph-api/security#appsecret_proof).
   * Sent on every such call, so the setting can be turned on at any time.
   */
  private appSecretProof(token: SecretLike): string | undefined {
    const secret = this.opts.appSecret.reveal();
    return secret ? createHmac("sha256", secret).update(token.reveal()).digest("hex") : undefined;
  }

  private url(path: string, query: GraphCall["query"]): string {
    const base = this.opts.baseUrl.replace(/\/+$/, "");
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    return `${base}/${this.opts.version}${path}${qs ? `?${qs}` : ""}`;
  }

  /** One attempt: the parsed 2xx body, or the error it ended with. */
  private async attempt(method: string, url: string, label: EndpointLabel, call: GraphCall, secrets: string[], attempt: number): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (call.bearer) headers.authorization = `Bearer ${call.bearer.reveal()}`;
    let body: string | undefined;
    if (call.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(call.json);
    }
    const started = performance.now();
    const context = { endpoint: label, secrets, appId: this.opts.appId };
    let status: number | null = null;
    let result: unknown;
    try {
      const res = await this.opts.fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      status = res.status;
      this.opts.usage.record(parseUsageHeaders(res.headers, this.opts.appId));
      const text = await res.text();
      const parsed = parseBody(text);
      const hasError = typeof parsed === "object" && parsed !== null && "error" in parsed;
      result = res.ok && !hasError && parsed !== undefined ? parsed : classify(res.status, parsed ?? text, res.headers, context);
    } catch (err) {
      result = failure(err, label, secrets, this.opts.timeoutMs);
    }
    const ms = Math.round(performance.now() - started);
    const error = result instanceof MetaGraphError ? result : null;
    this.opts.logger.debug(
      { meta: { method, endpoint: label, status, ms, attempt, outcome: error ? error.kind : "ok", code: error?.code ?? undefined, fbtraceId: error?.fbtraceId ?? undefined } },
      "meta graph call",
    );
    return result;
  }
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A fetch that threw: timeout or network failure, both Transient. */
function failure(err: unknown, label: string, secrets: string[], timeoutMs: number): MetaGraphError {
  const name = err instanceof Error ? err.name : "";
  const base = { endpoint: label, httpStatus: null, code: null, subcode: null, fbtraceId: null };
  if (name === "TimeoutError" || name === "AbortError") {
    return new Transient(`no response within ${timeoutMs} ms`, { ...base, timedOut: true }, secrets);
  }
  // undici puts the useful part ("connect ECONNREFUSED ...") in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : "";
  const text = err instanceof Error ? err.message : String(err);
  return new Transient(`network error: ${text}${cause ? ` (${cause})` : ""}`, { ...base, network: true }, secrets);
}
