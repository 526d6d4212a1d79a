import { useCallback, useEffect, useRef, useState } from "react";
import { loadFacebookSdk, type FacebookLoginResponse, type FacebookSdk } from "./facebook-sdk";
import { isOAuthCallbackMessage, oauthDialogUrl, OAUTH_CALLBACK_CHANNEL, type OAuthCallbackMessage } from "./oauth-dialog";
import { isMetaOrigin, parseSignupMessage, type SignupFinish } from "./signup-message";

/**
 * Meta login in the browser, for Embedded Signup (WhatsApp) and Facebook
 * Login for Business (catalog): load the SDK on mount, launch FB.login
 * synchronously from the click, and collect the two results Meta sends
 * independently and in either order: the code (FB.login's callback) and the
 * WA_EMBEDDED_SIGNUP window message. When the popup is blocked or no code
 * comes back, `openDialog` (also called from a click) opens Meta's OAuth
 * dialog in a top-level window whose redirect page hands the code back.
 */

export interface MetaLoginConfig {
  appId: string;
  graphVersion: string;
  /** The Embedded Signup or Login for Business configuration. */
  configId: string;
  sdkUrl: string;
  dialogUrl: string;
  redirectUri: string;
  /** FB.login extras; `setup: {}` is always included. */
  extras?: Record<string, unknown>;
  /** Embedded Signup sends a WA_EMBEDDED_SIGNUP message; plain Login for Business does not. */
  expectSignupEvent?: boolean;
}

export interface MetaLoginResult {
  code: string;
  via: "sdk" | "dialog";
  /** What the WA_EMBEDDED_SIGNUP message said, when it arrived. */
  signup: SignupFinish | null;
}

export type MetaLoginStatus =
  | { kind: "idle" }
  | { kind: "waiting" }
  | { kind: "finishing" }
  | { kind: "done"; via: "sdk" | "dialog" }
  | { kind: "cancelled"; currentStep: string | null }
  | { kind: "user_error"; message: string; errorCode: string | null; sessionId: string | null }
  | { kind: "no_code"; finished: boolean }
  | { kind: "sdk_unavailable" }
  | { kind: "dialog_open" }
  | { kind: "dialog_blocked" }
  | { kind: "dialog_error"; message: string };

/** Timings, overridable for tests. */
export const META_LOGIN_TIMING = {
  /** After the code, how long the signup message may still take. */
  eventAfterCodeMs: 1500,
  /** After a callback without a code, how long a CANCEL message may still take. */
  cancelAfterCallbackMs: 1500,
  /** After FINISH, how long the code may take before the fallback is offered. */
  codeAfterFinishMs: 6000,
};

interface Session {
  code: string | null;
  finish: SignupFinish | null;
  callbackDone: boolean;
  done: boolean;
  timer: number | null;
}

const randomState = () => {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
};

export function useMetaLogin(config: MetaLoginConfig, onResult: (result: MetaLoginResult) => void) {
  const [status, setStatus] = useState<MetaLoginStatus>({ kind: "idle" });
  const [sdk, setSdk] = useState<FacebookSdk | null>(null);
  const [sdkState, setSdkState] = useState<"loading" | "ready" | "failed">("loading");
  const session = useRef<Session | null>(null);
  const dialogState = useRef<string | null>(null);
  // The latest callback and config, read from event handlers registered once.
  const latest = useRef({ config, onResult });
  latest.current = { config, onResult };

  useEffect(() => {
    let cancelled = false;
    loadFacebookSdk({ sdkUrl: config.sdkUrl, appId: config.appId, version: config.graphVersion })
      .then((fb) => {
        if (cancelled) return;
        setSdk(fb);
        setSdkState("ready");
      })
      .catch(() => !cancelled && setSdkState("failed"));
    return () => {
      cancelled = true;
    };
  }, [config.sdkUrl, config.appId, config.graphVersion]);

  const finish = useCallback((s: Session, result: MetaLoginResult) => {
    if (s.done) return;
    s.done = true;
    if (s.timer !== null) window.clearTimeout(s.timer);
    setStatus({ kind: "done", via: result.via });
    latest.current.onResult(result);
  }, []);

  const end = useCallback((s: Session, next: MetaLoginStatus) => {
    if (s.done) return;
    s.done = true;
    if (s.timer !== null) window.clearTimeout(s.timer);
    setStatus(next);
  }, []);

  const later = (s: Session, ms: number, run: () => void) => {
    if (s.timer !== null) window.clearTimeout(s.timer);
    s.timer = window.setTimeout(() => {
      s.timer = null;
      if (!s.done) run();
    }, ms);
  };

  const completeWithCode = useCallback(
    (s: Session) => finish(s, { code: s.code!, via: "sdk", signup: s.finish }),
    [finish],
  );

  // Window messages: Meta's signup events, and the fallback redirect page's code.
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (isMetaOrigin(event.origin)) {
        const s = session.current;
        const message = parseSignupMessage(event.data);
        if (!s || s.done || !message) return;
        if (message.kind === "cancel") return end(s, { kind: "cancelled", currentStep: message.currentStep });
        if (message.kind === "error") return end(s, { kind: "user_error", message: message.message, errorCode: message.errorCode, sessionId: message.sessionId });
        s.finish = message;
        if (s.code) return completeWithCode(s);
        setStatus({ kind: "finishing" });
        // Known failure: the popup finishes without handing the code to the callback.
        later(s, META_LOGIN_TIMING.codeAfterFinishMs, () => setStatus({ kind: "no_code", finished: true }));
        return;
      }
      if (event.origin === window.location.origin && isOAuthCallbackMessage(event.data)) onDialogResult(event.data);
    };
    const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(OAUTH_CALLBACK_CHANNEL) : null;
    if (channel) channel.onmessage = (event: MessageEvent) => isOAuthCallbackMessage(event.data) && onDialogResult(event.data);
    window.addEventListener("message", onMessage);
    return () => {
      window.removeEventListener("message", onMessage);
      channel?.close();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- registered once; reads refs
  }, []);

  function onDialogResult(message: OAuthCallbackMessage) {
    // Only the dialog this page opened, once.
    if (!dialogState.current || message.state !== dialogState.current) return;
    dialogState.current = null;
    const s = session.current;
    if (s && !s.done) {
      s.done = true;
      if (s.timer !== null) window.clearTimeout(s.timer);
    }
    if (!message.code) {
      setStatus({ kind: "dialog_error", message: message.error ?? "Meta's window closed without finishing." });
      return;
    }
    setStatus({ kind: "done", via: "dialog" });
    latest.current.onResult({ code: message.code, via: "dialog", signup: s?.finish ?? null });
  }

  /** Call synchronously from the click handler: the popup opens only there. */
  const launch = useCallback(() => {
    const fb = sdk ?? window.FB;
    if (!fb) {
      setStatus({ kind: "sdk_unavailable" });
      return;
    }
    const { config: c } = latest.current;
    if (session.current && !session.current.done && session.current.timer !== null) window.clearTimeout(session.current.timer);
    const s: Session = { code: null, finish: null, callbackDone: false, done: false, timer: null };
    session.current = s;
    setStatus({ kind: "waiting" });
    fb.login(
      (response: FacebookLoginResponse) => {
        if (session.current !== s || s.done) return;
        s.callbackDone = true;
        const code = response?.authResponse?.code;
        if (code) {
          s.code = code;
          if (s.finish || c.expectSignupEvent === false) return completeWithCode(s);
          setStatus({ kind: "finishing" });
          // No signup message at all is survivable: the server finds the account from the token.
          later(s, META_LOGIN_TIMING.eventAfterCodeMs, () => completeWithCode(s));
          return;
        }
        if (s.finish) return; // the FINISH timer is already running
        // Closed, blocked, or a CANCEL message still on its way.
        later(s, META_LOGIN_TIMING.cancelAfterCallbackMs, () => end(s, { kind: "no_code", finished: false }));
      },
      {
        config_id: c.configId,
        response_type: "code",
        override_default_response_type: true,
        extras: { setup: {}, ...c.extras },
      },
    );
  }, [sdk, completeWithCode, end]);

  /** The fallback: Meta's OAuth dialog in a top-level window. Call from a click. */
  const openDialog = useCallback(() => {
    const { config: c } = latest.current;
    const state = randomState();
    const url = oauthDialogUrl(c, state, { setup: {}, ...c.extras });
    const opened = window.open(url, "meta-oauth-dialog", "popup,width=720,height=800");
    if (!opened) {
      setStatus({ kind: "dialog_blocked" });
      return;
    }
    dialogState.current = state;
    setStatus({ kind: "dialog_open" });
  }, []);

  const reset = useCallback(() => {
    if (session.current?.timer) window.clearTimeout(session.current.timer);
    session.current = null;
    dialogState.current = null;
    setStatus({ kind: "idle" });
  }, []);

  return { status, sdkState, launch, openDialog, reset };
}
