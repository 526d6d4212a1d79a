import { randomBytes } from "node:crypto";
import type http from "node:http";

/**
 * Shopify's token endpoint for expiring offline access tokens, as far as the
 * app's background work uses it: the refresh grant, and the access tokens it
 * issues checked on every Admin API request of the shops it issued them for
 * (a shop it never issued a token for accepts any token, as the stand-in
 * always did). Each rule cites where it comes from.
 */

const HOUR_S = 3600;
const DAY_MS = 86_400_000;

// "expires_in: time to live (TTL) of the access token in seconds (3600 seconds)"; the refresh token lasts 90 days.
// Sources: changelog "Offline access tokens now support expiry and refresh" (2025-12-10),
// https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh, and changelog
// "More resilient refreshes for expiring offline access tokens" (2026-08-28, "its normal 90-day lifetime").
const ACCESS_TTL_S = HOUR_S;
const REFRESH_TTL_S = 90 * 24 * HOUR_S;
// "An app can retry its previously stored refresh token until it starts using the replacement refresh token ...
// limited to 30 days from the original refresh token's first use"; "When an app uses the replacement refresh
// token, the preceding refresh token is retired." Source: changelog "More resilient refreshes for expiring offline
// access tokens", https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens
const RETRY_WINDOW_MS = 30 * DAY_MS;

interface AccessToken {
  shop: string;
  expiresAt: number;
}

interface RefreshToken {
  shop: string;
  expiresAt: number;
  /** When it was first used, and the pair it gave then (a retry gets a new pair; the previous one is retired on use). */
  firstUsedAt: number | null;
  /** The refresh token this one replaced: retired as soon as this one is used. */
  replaces: string | null;
  retired: boolean;
}

export interface IssuedToken {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  refreshTokenExpiresAt: Date;
}

export class ShopifyOAuth {
  readonly #access = new Map<string, AccessToken>();
  readonly #refresh = new Map<string, RefreshToken>();
  readonly #shops = new Set<string>();
  readonly #issued: string[] = [];
  #client: { id: string; secret: string } | null = null;
  #requests = 0;

  /** The app's credentials the token endpoint checks (client_id, client_secret). */
  setClient(id: string, secret: string) {
    this.#client = { id, secret };
  }

  /** An expiring offline token pair for `shop`, as a token exchange with expiring=1 gives; `expiresInSec` 0 = already expired. */
  issue(shop: string, opts: { expiresInSec?: number; replaces?: string } = {}): IssuedToken {
    const now = Date.now();
    const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
    const refreshToken = `shprt_${randomBytes(24).toString("hex")}`;
    const expiresAt = now + (opts.expiresInSec ?? ACCESS_TTL_S) * 1000;
    this.#shops.add(shop);
    this.#access.set(accessToken, { shop, expiresAt });
    this.#refresh.set(refreshToken, { shop, expiresAt: now + REFRESH_TTL_S * 1000, firstUsedAt: null, replaces: opts.replaces ?? null, retired: false });
    this.#issued.push(accessToken, refreshToken);
    return { accessToken, refreshToken, expiresAt: new Date(expiresAt), refreshTokenExpiresAt: new Date(now + REFRESH_TTL_S * 1000) };
  }

  /** A non-expiring token stored before expiring tokens (no refresh token); checked like the others. */
  registerNonExpiring(shop: string, accessToken: string) {
    this.#shops.add(shop);
    this.#access.set(accessToken, { shop, expiresAt: Number.POSITIVE_INFINITY });
  }

  /** Revokes a refresh token (e.g. the merchant uninstalled and reinstalled). */
  revoke(refreshToken: string) {
    const token = this.#refresh.get(refreshToken);
    if (token) token.retired = true;
  }

  /** Every token value handed out, for leak checks. */
  issuedTokens(): string[] {
    return [...this.#issued];
  }

  /** Token endpoint requests answered. */
  tokenRequests(): number {
    return this.#requests;
  }

  /**
   * The Admin API's check of X-Shopify-Access-Token: null when allowed, else
   * the 401 body Shopify answers for an unknown or expired token.
   */
  refuse(shop: string, accessToken: string): unknown {
    if (!this.#shops.has(shop)) return null;
    const token = this.#access.get(accessToken);
    if (token && token.shop === shop && token.expiresAt > Date.now()) return null;
    return { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };
  }

  /**
   * POST /{shop}/admin/oauth/access_token with a JSON body, as the library
   * sends it (Shopify/shopify-app-js, packages/apps/shopify-api/lib/auth/oauth/refresh-token.ts:
   * client_id, client_secret, refresh_token, grant_type "refresh_token"). The
   * answer carries access_token, expires_in, refresh_token,
   * refresh_token_expires_in and scope (the fields createSession reads).
   * Errors use OAuth's shape and codes (RFC 6749 §5.2: 400 with
   * { error: "invalid_grant" | "invalid_client" | "unsupported_grant_type" | "invalid_request" }),
   * which Shopify's token endpoint follows.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse, shop: string) {
    const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      this.#requests += 1;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { error: "invalid_request" });
      }
      if (this.#client && (body.client_id !== this.#client.id || body.client_secret !== this.#client.secret)) return send(400, { error: "invalid_client" });
      if (body.grant_type !== "refresh_token") return send(400, { error: "unsupported_grant_type" });
      const value = String(body.refresh_token ?? "");
      const token = this.#refresh.get(value);
      const now = Date.now();
      const usable = token && token.shop === shop && !token.retired && token.expiresAt > now && (token.firstUsedAt === null || now - token.firstUsedAt < RETRY_WINDOW_MS);
      if (!token || !usable) return send(400, { error: "invalid_grant" });
      token.firstUsedAt ??= now;
      // Using a replacement retires the token it replaced.
      if (token.replaces) this.revoke(token.replaces);
      const issued = this.issue(shop, { replaces: value });
      send(200, {
        access_token: issued.accessToken,
        expires_in: ACCESS_TTL_S,
        refresh_token: issued.refreshToken,
        refresh_token_expires_in: Math.round((issued.refreshTokenExpiresAt.getTime() - now) / 1000),
        scope: "read_products,read_inventory,read_publications",
      });
    });
  }
}
