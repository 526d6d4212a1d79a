/*
 * Sandbox stand-in for Shopify's App Bridge (cdn.shopify.com/shopifycloud/app-bridge.js).
 * It does the parts the app relies on, against the sandbox's admin stand-in:
 * session tokens (shopify.idToken and a Bearer header on same-origin fetches),
 * the session-token bounce page, the nav menu, toasts, and links to admin pages. Never used in production.
 */
(function () {
  var script = document.currentScript;
  var adminOrigin = new URL(script.src).origin;
  var params = new URLSearchParams(location.search);
  var shop = params.get("shop") || sessionStorage.getItem("sandbox-shop");
  if (shop) sessionStorage.setItem("sandbox-shop", shop);
  var apiKey = script.getAttribute("data-api-key");
  var cached = null;

  function idToken() {
    if (cached && cached.exp - 10000 > Date.now()) return Promise.resolve(cached.token);
    return fetch(adminOrigin + "/session-token?shop=" + encodeURIComponent(shop), { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        cached = { token: body.token, exp: Date.now() + body.expiresIn * 1000 };
        return body.token;
      });
  }

  var originalFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return originalFetch(input, init);
    return idToken().then(function (token) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      return originalFetch(input, Object.assign({}, init, { headers: headers }));
    });
  };

  function toParent(message) {
    if (window.parent !== window) window.parent.postMessage(Object.assign({ source: "sandbox-app-bridge" }, message), adminOrigin);
  }

  var toasts = [];
  window.shopify = {
    config: { apiKey: apiKey, shop: shop, host: params.get("host") },
    environment: { embedded: true, mobile: false, pos: false },
    idToken: idToken,
    toast: {
      show: function (message, opts) {
        toasts.push(message);
        toParent({ type: "toast", message: String(message), isError: Boolean(opts && opts.isError) });
        return String(toasts.length);
      },
      hide: function () {},
    },
    loading: function () {},
    sandbox: true,
    /** True once the app's router listens (the page has hydrated); browser tests wait for it. */
    sandboxReady: false,
  };

  // The bounce page: reload the app with a fresh session token, as App Bridge does.
  var reload = params.get("shopify-reload");
  if (reload) {
    idToken().then(function (token) {
      var target = new URL(reload);
      target.searchParams.set("id_token", token);
      location.replace(target.toString());
    });
  }

  // <ui-nav-menu>: the admin renders the app's navigation from its links.
  function publishNav() {
    var menu = document.querySelector("ui-nav-menu");
    if (!menu) return;
    var items = Array.prototype.map.call(menu.querySelectorAll("a"), function (a) {
      return { label: a.textContent, href: a.getAttribute("href"), home: a.getAttribute("rel") === "home" };
    });
    toParent({ type: "nav", items: items, path: location.pathname });
  }
  if (!customElements.get("ui-nav-menu")) {
    customElements.define(
      "ui-nav-menu",
      class extends HTMLElement {
        connectedCallback() {
          // Hidden by an empty shadow root, not a style attribute: the element is server-rendered, and
          // an attribute added before hydration is a hydration mismatch ("Extra attributes from the server").
          if (!this.shadowRoot) this.attachShadow({ mode: "open" });
          setTimeout(publishNav, 0);
        }
      },
    );
  }
  ["ui-title-bar", "ui-save-bar", "ui-modal"].forEach(function (name) {
    if (!customElements.get(name)) customElements.define(name, class extends HTMLElement {});
  });

  // The app's router listens for "shopify:navigate" (the Remix AppProvider adds that listener in an
  // effect, so only once the page has hydrated). The menu is in the admin as soon as this script
  // runs, before that: a click that came earlier waits here for the router instead of being lost
  // (which made a browser test flaky under load). The same moment marks the page ready for tests.
  var routerReady = false;
  var pendingHref = null;
  var nativeAddEventListener = window.addEventListener;
  window.addEventListener = function (type) {
    var result = nativeAddEventListener.apply(this, arguments);
    if (type === "shopify:navigate" && !routerReady) {
      routerReady = true;
      window.shopify.sandboxReady = true;
      if (pendingHref) setTimeout(navigate, 0, pendingHref);
      pendingHref = null;
    }
    return result;
  };

  function navigate(href) {
    var a = document.createElement("a");
    a.setAttribute("href", href);
    document.body.appendChild(a);
    a.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
    a.remove();
    setTimeout(publishNav, 50);
  }

  // The admin's nav was clicked: navigate inside the app the way App Bridge does.
  nativeAddEventListener.call(window, "message", function (event) {
    if (event.origin !== adminOrigin || !event.data || event.data.type !== "navigate") return;
    if (routerReady) navigate(event.data.href);
    else pendingHref = event.data.href;
  });
  // Links to admin pages: App Bridge's Navigation API opens `shopify://admin/<path>` (an anchor with
  // target="_top") in the admin itself, never inside the app's frame. The stand-in asks its admin to.
  document.addEventListener(
    "click",
    function (event) {
      var a = event.target && event.target.closest ? event.target.closest("a[href]") : null;
      var match = a && /^shopify:(?:\/\/)?admin\/(.*)$/.exec(a.getAttribute("href"));
      if (!match) return;
      event.preventDefault();
      toParent({ type: "admin-open", path: "/" + match[1] });
    },
    true,
  );
  window.addEventListener("popstate", publishNav);
  var pushState = history.pushState;
  history.pushState = function () {
    var result = pushState.apply(this, arguments);
    toParent({ type: "location", path: location.pathname });
    return result;
  };
})();
