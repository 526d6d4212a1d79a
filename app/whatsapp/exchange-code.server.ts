import type { MetaGraphClient, SecretLike, TokenInfo } from "../meta/index.server";
import { Rejected } from "../meta/index.server";
import { oauthRedirectUri } from "../meta/login-settings.server";
import { env } from "../env.server";
import { fail } from "./failures";
import { step } from "./meta-failure.server";

/**
 * Step 1 of a connect: trade the signup code (it lives 30 seconds and works
 * once) for the business token, then inspect that token with debug_token.
 * Codes from the SDK are exchanged without redirect_uri; codes from the
 * OAuth dialog fallback with exactly the dialog's redirect_uri.
 */

export interface ExchangedGrant {
  token: SecretLike;
  info: TokenInfo;
}

const CODE_REJECTED =
  "Meta did not accept the sign-in code: it expires 30 seconds after Meta's window closes and works only once. " +
  "Click the button again (Connect WhatsApp or Reconnect, as the page shows it) and sign in once more.";

export async function exchangeSignupCode(client: MetaGraphClient, code: string, via: "sdk" | "dialog"): Promise<ExchangedGrant> {
  const config = env();
  if (!config.META_APP_ID || !config.META_APP_SECRET) {
    fail("not_configured", "The app's Meta settings are missing (META_APP_ID, META_APP_SECRET). Ask the app's operator to set them.");
  }
  const token = await step("exchanging the sign-in code", "code_invalid", async () => {
    try {
      return (await client.exchangeCode(code, via === "dialog" ? { redirectUri: oauthRedirectUri() } : {})).token;
    } catch (error) {
      if (error instanceof Rejected && error.code === 100) return fail("code_invalid", CODE_REJECTED);
      throw error;
    }
  });
  const info = await step("checking the new connection", "token_invalid", () => client.debugToken(token));
  if (!info.isValid) {
    fail("token_invalid", "Meta says the connection it just created is not valid. Click the button again (Connect WhatsApp or Reconnect, as the page shows it) and sign in once more.");
  }
  if (info.appId && info.appId !== config.META_APP_ID) {
    fail("wrong_app", "Meta issued this connection for a different Meta app. Check META_APP_ID and META_CONFIG_ID with the app's operator.");
  }
  return { token, info };
}
