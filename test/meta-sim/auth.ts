import { createHmac, timingSafeEqual } from "node:crypto";
import { GraphError, invalidParam, permissionError, tokenError } from "./graph-error";
import type { SimRequest } from "./request";
import type { SimApp, SimState, SimToken } from "./state";

/**
 * Token checks run on every Graph call: the token must exist and be valid,
 * carry the scope the endpoint needs, and, when its grant is limited to
 * some objects (granular_scopes target_ids), name the object being used.
 */

export function requireToken(state: SimState, req: SimRequest): SimToken {
  if (!req.accessToken) throw new GraphError(400, 190, "An access token is required to request this resource.");
  const token = state.tokens.get(req.accessToken);
  if (!token) throw tokenError(null);
  if (token.valid && token.expiresAt > 0 && Date.now() / 1000 > token.expiresAt) {
    token.valid = false;
    token.invalidSubcode = 463;
  }
  if (!token.valid) throw tokenError(token.invalidSubcode);
  if (state.config.requireAppSecretProof) requireAppSecretProof(state, req, token);
  return token;
}

/**
 * "Require App Secret" on: every call with a user or system-user token must
 * carry appsecret_proof = hex HMAC-SHA256 of the token keyed with the app
 * secret (https://developers.facebook.com/docs/graph-api/security#appsecret_proof).
 * Meta's refusals, as integrations report them: missing -> "API calls from the
 * server require an appsecret_proof argument" (GraphMethodException, code 100,
 * HTTP 400; thephpleague/oauth2-facebook#17, adamwathan/eloquent-oauth-l5#46);
 * wrong -> "Invalid appsecret_proof provided in the API argument" (Kdyby/Facebook#22).
 */
function requireAppSecretProof(state: SimState, req: SimRequest, token: SimToken) {
  const given = typeof req.params.appsecret_proof === "string" ? req.params.appsecret_proof : "";
  if (!given) throw new GraphError(400, 100, "API calls from the server require an appsecret_proof argument", { type: "GraphMethodException" });
  const secret = state.apps.get(token.appId)?.secret ?? "";
  const expected = Buffer.from(createHmac("sha256", secret).update(token.value).digest("hex"));
  const actual = Buffer.from(given.toLowerCase());
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new GraphError(400, 100, "Invalid appsecret_proof provided in the API argument", { type: "GraphMethodException" });
  }
}

/** Throws the permission error Meta gives when `scope` is missing or does not cover `targetId`. */
export function requireScope(token: SimToken, scope: string, targetId: string | null = null) {
  if (!token.scopes.has(scope)) throw permissionError(scope);
  const targets = token.granular.get(scope);
  if (targetId !== null && targets && !targets.includes(targetId)) throw permissionError(scope, targetId);
}

/**
 * Managing a WhatsApp Business Account (its numbers, templates, webhook
 * subscription): whatsapp_business_management, or the
 * whatsapp_business_manage_events that Embedded Signup tokens carry in its
 * place since June 2026, with which reading the WABA's phone numbers still
 * works (chatwoot/chatwoot#14690 and the fix that relies on that, #14697).
 */
export const WHATSAPP_MANAGE_SCOPES = ["whatsapp_business_management", "whatsapp_business_manage_events"] as const;

export function requireWhatsAppManage(token: SimToken, wabaId: string) {
  const held = WHATSAPP_MANAGE_SCOPES.filter((scope) => token.scopes.has(scope));
  if (held.some((scope) => !token.granular.get(scope) || token.granular.get(scope)!.includes(wabaId))) return;
  throw permissionError(WHATSAPP_MANAGE_SCOPES[0], held.length ? wabaId : undefined);
}

/** The objects a scope is limited to, or null when it covers everything. */
export function targetsOf(token: SimToken, scope: string): Set<string> | null {
  const targets = token.granular.get(scope);
  return targets ? new Set(targets) : null;
}

/** debug_token wants the app token "APP_ID|APP_SECRET". */
export function requireAppToken(state: SimState, req: SimRequest): SimApp {
  const value = req.accessToken;
  if (!value) throw new GraphError(400, 190, "An access token is required to request this resource.");
  const [appId, secret] = value.split("|");
  const app = state.apps.get(appId);
  if (!app || secret === undefined) {
    throw invalidParam("(#100) You must provide an app access token, or a user access token that is an owner or developer of the app");
  }
  if (app.secret !== secret) throw tokenError(null);
  return app;
}
