/** Meta login for the embedded app: the hook and its button. Reused by the WhatsApp and catalog pages. */
export { MetaLoginButton, type MetaLoginButtonProps } from "./MetaLoginButton";
export { useMetaLogin, META_LOGIN_TIMING, type MetaLoginConfig, type MetaLoginResult, type MetaLoginStatus } from "./use-meta-login";
export { isMetaOrigin, parseSignupMessage, type SignupFinish, type SignupMessage } from "./signup-message";
export { oauthDialogUrl, OAUTH_CALLBACK_CHANNEL, OAUTH_CALLBACK_MESSAGE } from "./oauth-dialog";
