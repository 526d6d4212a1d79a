import { OAUTH_CALLBACK_CHANNEL, OAUTH_CALLBACK_MESSAGE } from "../components/meta-login/oauth-dialog";

/**
 * The redirect page of the Embedded Signup fallback (Meta's OAuth dialog in
 * a top-level window). It runs on the app's origin without a Shopify
 * session: it only hands `code` and `state` back to the app page that opened
 * it (postMessage to the opener, pinned to this origin, and a
 * BroadcastChannel in case Meta's pages cut the opener link), then closes.
 * The code is read from the URL by the script, never written into the HTML,
 * and the URL is cleaned at once.
 */

const SCRIPT = `
(function () {
  var params = new URLSearchParams(location.search);
  var message = {
    type: ${JSON.stringify(OAUTH_CALLBACK_MESSAGE)},
    code: params.get("code"),
    state: params.get("state"),
    error: params.get("error_description") || params.get("error_reason") || params.get("error")
  };
  history.replaceState(null, "", location.pathname);
  var delivered = false;
  try {
    if (window.opener && !window.opener.closed) { window.opener.postMessage(message, location.origin); delivered = true; }
  } catch (e) {}
  try {
    var channel = new BroadcastChannel(${JSON.stringify(OAUTH_CALLBACK_CHANNEL)});
    channel.postMessage(message);
    channel.close();
    delivered = true;
  } catch (e) {}
  document.getElementById("status").textContent = delivered
    ? "Done. You can close this window and return to the app."
    : "Return to the app and click Connect again.";
  setTimeout(function () { window.close(); }, 300);
})();
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Connecting to Meta…</title>
<style>body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;margin:48px;color:#303030}</style>
</head><body><h1 style="font-size:18px">Connecting to Meta…</h1><p id="status">Handing the sign-in back to the app…</p>
<script>${SCRIPT}</script></body></html>`;

export const loader = () =>
  new Response(PAGE, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    },
  });
