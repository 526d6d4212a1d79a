import { requireAppToken } from "./auth";
import { GraphError, invalidParam, tokenMessage } from "./graph-error";
import { json, stringParam } from "./request";
import type { RouteDef } from "./routes";
import type { SimToken } from "./state";

/** The code exchange and debug_token. */

// OAuth errors come without the "(#100)" prefix Graph puts on parameter errors.
const oauthError = (message: string, subcode?: number) => new GraphError(400, 100, message, subcode !== undefined ? { subcode } : {});

const CODE_ERROR = "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request";

export const oauthRoutes: RouteDef[] = [
  {
    label: "GET /oauth/access_token",
    method: "GET",
    kind: null,
    edge: "oauth/access_token",
    handle: ({ req, state }) => {
      const p = req.params;
      const clientId = stringParam(p, "client_id");
      if (!clientId) throw new GraphError(400, 101, "Missing client_id parameter.");
      const app = state.apps.get(clientId);
      if (!app) throw new GraphError(400, 101, "Error validating application. Invalid application ID.");
      if (stringParam(p, "client_secret") !== app.secret) throw oauthError("Error validating client secret.");
      const code = stringParam(p, "code");
      if (!code) throw oauthError("Missing code parameter.");
      const entry = state.codes.get(code);
      // The documented envelope for a bad code has no subcode; used/expired codes carry one.
      if (!entry || entry.appId !== app.id) throw oauthError(CODE_ERROR);
      if (entry.used) throw oauthError("This authorization code has been used.", 36009);
      if (Date.now() > entry.expiresAtMs) throw oauthError("This authorization code has expired.", 36007);
      // SDK codes carry no redirect_uri; dialog codes need exactly the dialog's.
      if ((stringParam(p, "redirect_uri") ?? null) !== entry.redirectUri) throw oauthError(CODE_ERROR);
      entry.used = true;
      const token = state.tokens.get(entry.tokenValue);
      if (!token) throw oauthError(CODE_ERROR);
      return json({
        access_token: token.value,
        token_type: "bearer",
        ...(token.expiresIn !== null ? { expires_in: token.expiresIn } : {}),
      });
    },
  },
  {
    label: "GET /debug_token",
    method: "GET",
    kind: null,
    edge: "debug_token",
    handle: ({ req, state }) => {
      requireAppToken(state, req);
      const input = stringParam(req.params, "input_token");
      if (!input) throw invalidParam("(#100) The parameter input_token is required");
      const token = state.tokens.get(input);
      if (!token) {
        return json({ data: { error: { code: 190, message: tokenMessage(null) }, is_valid: false, scopes: [] } });
      }
      if (token.valid && token.expiresAt > 0 && Date.now() / 1000 > token.expiresAt) {
        token.valid = false;
        token.invalidSubcode = 463;
      }
      return json({ data: describeToken(token) });
    },
  },
];

/** debug_token's `data`, with exactly the documented keys (plus `error` when invalid). */
function describeToken(token: SimToken) {
  return {
    app_id: token.appId,
    type: token.type,
    expires_at: token.expiresAt,
    data_access_expires_at: 0,
    is_valid: token.valid,
    scopes: [...token.scopes],
    granular_scopes: [...token.scopes].map((scope) => {
      const targets = token.granular.get(scope);
      return targets ? { scope, target_ids: [...targets] } : { scope };
    }),
    user_id: token.userId,
    ...(token.valid
      ? {}
      : { error: { code: 190, message: tokenMessage(token.invalidSubcode), ...(token.invalidSubcode !== null ? { subcode: token.invalidSubcode } : {}) } }),
  };
}
