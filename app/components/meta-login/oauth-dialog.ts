/**
 * The Embedded Signup fallback: Meta's OAuth dialog opened in a top-level
 * window, for when the SDK popup is blocked or never hands back a code. Its
 * redirect page (routes/meta.oauth-callback.tsx, on the app's origin) sends
 * the code back with this message type, to the opener and on this channel.
 */

export const OAUTH_CALLBACK_MESSAGE = "meta-oauth-callback";
export const OAUTH_CALLBACK_CHANNEL = "meta-oauth-callback";

export interface OAuthCallbackMessage {
  type: typeof OAUTH_CALLBACK_MESSAGE;
  code: string | null;
  state: string | null;
  error: string | null;
}

export function isOAuthCallbackMessage(value: unknown): value is OAuthCallbackMessage {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === OAUTH_CALLBACK_MESSAGE;
}

export interface DialogSettings {
  /** Origin of Meta's dialog, e.g. https://www.facebook.com. */
  dialogUrl: string;
  graphVersion: string;
  appId: string;
  configId: string;
  redirectUri: string;
}

export function oauthDialogUrl(s: DialogSettings, state: string, extras: Record<string, unknown>): string {
  const url = new URL(`/${s.graphVersion}/dialog/oauth`, s.dialogUrl);
  url.searchParams.set("client_id", s.appId);
  url.searchParams.set("redirect_uri", s.redirectUri);
  url.searchParams.set("config_id", s.configId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("override_default_response_type", "true");
  url.searchParams.set("state", state);
  url.searchParams.set("extras", JSON.stringify(extras));
  return url.toString();
}
