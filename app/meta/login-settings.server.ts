import type { MetaLoginConfig } from "../components/meta-login/use-meta-login";
import { env } from "../env.server";

/**
 * What the browser's Meta login button needs, for both pages that use it:
 * WhatsApp's Embedded Signup and the catalog's Facebook Login for Business.
 * Ids and URLs only; nothing secret.
 */

/** MetaLoginConfig without the per-flow extras. */
export interface MetaLoginSettings extends Omit<MetaLoginConfig, "extras"> {
  /** False when the operator has not configured the Meta app yet. */
  configured: boolean;
}

/** The redirect page of the OAuth dialog fallback, on the app's own origin. */
export function oauthRedirectUri(): string {
  return new URL("/meta/oauth-callback", env().SHOPIFY_APP_URL).toString();
}

/**
 * The login settings for a configuration: Embedded Signup (META_CONFIG_ID,
 * the default) or, for the catalog page, META_CATALOG_CONFIG_ID.
 */
export function metaLoginSettings(configId: string = env().META_CONFIG_ID): MetaLoginSettings {
  const c = env();
  return {
    appId: c.META_APP_ID,
    graphVersion: c.META_GRAPH_VERSION,
    configId,
    sdkUrl: c.META_SDK_URL,
    dialogUrl: c.META_OAUTH_DIALOG_URL,
    redirectUri: oauthRedirectUri(),
    configured: Boolean(c.META_APP_ID && configId),
  };
}
