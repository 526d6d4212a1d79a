/**
 * Loading Meta's JS SDK once per page and initialising it. The SDK must be
 * ready before the merchant clicks: FB.login opens a popup, and browsers
 * only allow that synchronously inside the click.
 */

export interface FacebookLoginResponse {
  status?: string;
  authResponse?: { code?: string | null } | null;
}

export interface FacebookSdk {
  init(options: { appId: string; autoLogAppEvents: boolean; xfbml: boolean; version: string }): void;
  login(callback: (response: FacebookLoginResponse) => void, options: Record<string, unknown>): void;
}

declare global {
  interface Window {
    FB?: FacebookSdk;
    fbAsyncInit?: () => void;
  }
}

let loading: Promise<FacebookSdk> | null = null;
let initialisedFor: string | null = null;

export function loadFacebookSdk(opts: { sdkUrl: string; appId: string; version: string; timeoutMs?: number }): Promise<FacebookSdk> {
  const key = `${opts.appId}|${opts.version}`;
  const init = (fb: FacebookSdk) => {
    if (initialisedFor !== key) {
      fb.init({ appId: opts.appId, autoLogAppEvents: true, xfbml: true, version: opts.version });
      initialisedFor = key;
    }
    return fb;
  };
  if (window.FB) return Promise.resolve(init(window.FB));
  loading ??= new Promise<FacebookSdk>((resolve, reject) => {
    const timer = window.setTimeout(() => reject(new Error("Meta's SDK did not load in time")), opts.timeoutMs ?? 15_000);
    const done = () => {
      window.clearTimeout(timer);
      if (window.FB) resolve(window.FB);
      else reject(new Error("Meta's SDK loaded without defining FB"));
    };
    // The SDK calls fbAsyncInit once it is ready; onload covers stand-ins that do not.
    window.fbAsyncInit = done;
    const script = document.createElement("script");
    script.src = opts.sdkUrl;
    script.async = true;
    script.defer = true;
    script.crossOrigin = "anonymous";
    script.onload = () => window.setTimeout(() => window.FB && done(), 0);
    script.onerror = () => {
      window.clearTimeout(timer);
      loading = null;
      script.remove();
      reject(new Error("Meta's SDK could not be loaded"));
    };
    document.body.appendChild(script);
  });
  return loading.then(init);
}
