/*
 * Stand-in for Meta's JS SDK (https://connect.facebook.net/en_US/sdk.js), for
 * the sandbox and the browser tests. It does what the app relies on:
 * FB.init, and FB.login opening a popup whose page answers the login.
 *
 * - Browser tests serve this file AS https://connect.facebook.net/en_US/sdk.js
 *   (Playwright's route), so the popup is https://www.facebook.com/<version>/dialog/oauth?display=popup
 *   and the test fulfils that page too: its WA_EMBEDDED_SIGNUP messages then
 *   really come from a facebook.com origin. `window.__FB_STANDIN`, prepended
 *   by the test, can ask for a blocked popup.
 * - The sandbox serves it from the admin stand-in, whose /facebook-dialog page
 *   plays the popup (its messages are not from facebook.com, so the app gets
 *   the code only and finds the account from the token, as when Meta's event
 *   goes missing).
 *
 * The popup answers the login with postMessage({ source: "fb-standin-login", code })
 * to its opener; closing without one gives the callback no authResponse, as Meta's SDK does.
 */
(function () {
  var script = document.currentScript;
  var scriptOrigin = new URL(script.src).origin;
  var options = window.__FB_STANDIN || {};
  var onMeta = scriptOrigin === "https://connect.facebook.net";
  var dialogOrigin = onMeta ? "https://www.facebook.com" : scriptOrigin;
  var recorded = { init: null, logins: [] };
  window.__fbStandin = recorded;

  function popupUrl(loginOptions) {
    var version = (recorded.init && recorded.init.version) || "v25.0";
    var url = new URL(onMeta ? "/" + version + "/dialog/oauth" : "/facebook-dialog", dialogOrigin);
    url.searchParams.set("display", "popup");
    url.searchParams.set("client_id", (recorded.init && recorded.init.appId) || "");
    url.searchParams.set("config_id", loginOptions.config_id || "");
    url.searchParams.set("response_type", loginOptions.response_type || "");
    url.searchParams.set("override_default_response_type", String(Boolean(loginOptions.override_default_response_type)));
    url.searchParams.set("extras", JSON.stringify(loginOptions.extras || {}));
    url.searchParams.set("sdk", "standin");
    return url.toString();
  }

  function login(callback, loginOptions) {
    loginOptions = loginOptions || {};
    recorded.logins.push(loginOptions);
    var popup = options.popupBlocked ? null : window.open(popupUrl(loginOptions), "fb-standin-login", "popup,width=600,height=700");
    if (!popup) {
      // What Meta's SDK reports when the browser refuses its popup.
      setTimeout(function () { callback({ status: "unknown", authResponse: null }); }, 0);
      return;
    }
    var answered = false;
    function onMessage(event) {
      if (event.origin !== dialogOrigin || !event.data || event.data.source !== "fb-standin-login") return;
      answered = true;
      window.removeEventListener("message", onMessage);
      callback(event.data.code ? { status: "connected", authResponse: { code: event.data.code } } : { status: "unknown", authResponse: null });
    }
    window.addEventListener("message", onMessage);
    var watch = setInterval(function () {
      if (!popup.closed) return;
      clearInterval(watch);
      // Let a message posted just before closing arrive first.
      setTimeout(function () {
        if (answered) return;
        window.removeEventListener("message", onMessage);
        callback({ status: "unknown", authResponse: null });
      }, 100);
    }, 100);
  }

  window.FB = {
    init: function (initOptions) { recorded.init = initOptions; },
    login: login,
    getLoginStatus: function (callback) { callback({ status: "unknown", authResponse: null }); },
    AppEvents: { logPageView: function () {} },
  };
  if (typeof window.fbAsyncInit === "function") setTimeout(window.fbAsyncInit, 0);
})();
