import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { mintSessionToken } from "./session-token";

/**
 * A local stand-in for the Shopify admin host: it frames the embedded app
 * the way admin.shopify.com does (embedded=1, shop, host, id_token), serves
 * the App Bridge stand-in instead of Shopify's CDN script, and mints session
 * tokens with the sandbox's app secret. For the sandbox and browser tests only.
 */

export interface AdminStandinOptions {
  port: number;
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  shops: string[];
  /**
   * WhatsApp (issue 5): lets the Meta SDK stand-in's sign-in windows hand out
   * real codes from the sandbox's Meta simulator, for this token.
   */
  metaSignup?: { graphUrl: string; token: string };
  /**
   * WhatsApp commerce (issue 18): a header button plays a customer (the
   * merchant's own phone, `customerPhone`) writing to one of `numbers`
   * through the simulator, which opens the customer service window and
   * sends Meta's signed messages webhook to the app.
   */
  metaInbound?: { graphUrl: string; numbers: { id: string; display: string }[]; customerPhone: string };
}

const APP_BRIDGE = fs.readFileSync(path.join(import.meta.dirname, "public/app-bridge.js"), "utf8");
// WhatsApp (issue 5): the stand-in for Meta's JS SDK (META_SDK_URL points here in the sandbox).
const FACEBOOK_SDK = fs.readFileSync(path.join(import.meta.dirname, "public/facebook-sdk.js"), "utf8");

/**
 * The sign-in windows of the Meta SDK stand-in (WhatsApp, issue 5): the SDK's
 * popup (/facebook-dialog) and the OAuth dialog fallback (/vNN.N/dialog/oauth).
 * "Finish" fetches a code from the simulator and hands it back as Meta would.
 */
function signupWindow(kind: "popup" | "dialog") {
  const finish =
    kind === "popup"
      ? `window.opener && window.opener.postMessage({ source: "fb-standin-login", code: body.code }, "*"); window.close();`
      : `var back = new URL(params.get("redirect_uri")); back.searchParams.set("code", body.code); back.searchParams.set("state", params.get("state") || ""); location.href = back.toString();`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Meta sign-in (sandbox stand-in)</title>
<style>body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;margin:32px;color:#1c1e21}button{font-size:15px;padding:8px 16px;margin-right:8px}</style></head>
<body><h1 style="font-size:20px">Connect WhatsApp (sandbox)</h1>
<p>This stands in for Meta's Embedded Signup. Finish connects the sandbox's simulated WhatsApp Business Account.</p>
<button id="finish">Finish</button><button id="cancel">Cancel</button><p id="error" style="color:#b00"></p>
<script>
  var params = new URLSearchParams(location.search);
  document.getElementById("cancel").onclick = function () { window.close(); };
  document.getElementById("finish").onclick = function () {
    var q = ${kind === "dialog" ? `"?redirect_uri=" + encodeURIComponent(params.get("redirect_uri") || "")` : `""`};
    fetch("/facebook-dialog/code" + q, { method: "POST" })
      .then(function (r) { return r.json(); })
      .then(function (body) { if (!body.code) throw new Error(body.error || "no code"); ${finish} })
      .catch(function (e) { document.getElementById("error").textContent = String(e.message || e); });
  };
</script></body></html>`;
}
const TOKEN_TTL_SECONDS = 60;

export function hostParam(shop: string) {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");
}

function escapeHtml(s: string) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The header's "a customer writes" control (issue 18), when the sandbox runs its Meta simulator. */
function customerControls(opts: AdminStandinOptions) {
  if (!opts.metaInbound) return "";
  const options = opts.metaInbound.numbers.map((n) => `<option value="${escapeHtml(n.id)}">to ${escapeHtml(n.display)}</option>`).join("");
  return `<span class="sandbox-customer" title="Plays ${escapeHtml(opts.metaInbound.customerPhone)} (you) writing to the shop on WhatsApp: opens the 24-hour window for product messages">
  <span>Your phone ${escapeHtml(opts.metaInbound.customerPhone)}:</span>
  <select id="sandbox-customer-number" aria-label="Business number to write to">${options}</select>
  <button id="sandbox-customer-message" type="button">Send “Hi” on WhatsApp</button>
</span>
<script>
  document.getElementById("sandbox-customer-message").addEventListener("click", function () {
    var number = document.getElementById("sandbox-customer-number").value;
    fetch("/sandbox/customer-message", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ phoneNumberId: number }) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) { showToast(res.ok ? "WhatsApp message sent to the shop" : "Could not send: " + (res.body.error || "unknown error")); })
      .catch(function (e) { showToast("Could not send: " + e.message); });
  });
</script>`;
}

function adminPage(opts: AdminStandinOptions, shop: string, appPath: string) {
  const src = new URL(appPath, opts.appUrl);
  src.searchParams.set("embedded", "1");
  src.searchParams.set("shop", shop);
  src.searchParams.set("host", hostParam(shop));
  src.searchParams.set("id_token", mintSessionToken({ shop, apiKey: opts.apiKey, apiSecret: opts.apiSecret, ttlSeconds: TOKEN_TTL_SECONDS }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox admin · ${escapeHtml(shop)}</title>
<style>
  body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; background: #f1f1f1; display: flex; flex-direction: column; height: 100vh; }
  header { flex: none; min-height: 48px; box-sizing: border-box; background: #1a1a1a; color: #e3e3e3; display: flex; flex-wrap: wrap; align-items: center; padding: 8px 16px; gap: 8px 12px; font-size: 13px; }
  header strong { color: #fff; }
  header .sandbox-customer { margin-left: auto; display: flex; gap: 8px; align-items: center; }
  header select, header button { font-size: 13px; padding: 4px 8px; border-radius: 6px; border: 1px solid #555; background: #303030; color: #fff; }
  header button { cursor: pointer; background: #2c6ecb; border-color: #2c6ecb; }
  .layout { display: flex; flex: 1; min-height: 0; }
  nav { width: 220px; padding: 12px 8px; box-sizing: border-box; font-size: 13px; }
  nav a { display: block; padding: 6px 10px; border-radius: 8px; color: #303030; text-decoration: none; }
  nav a.active, nav a:hover { background: #fafafa; font-weight: 600; }
  nav .app { padding: 6px 10px; color: #616161; font-weight: 600; }
  main { flex: 1; padding: 0; }
  iframe { width: 100%; height: 100%; border: 0; background: #f1f1f1; }
  /* A phone: the admin's menu moves above the app, which gets the whole width (as in Shopify's mobile admin). */
  @media (max-width: 768px) {
    header { font-size: 12px; } /* wraps (flex-wrap above): the customer controls stay reachable */
    .layout { flex-direction: column; }
    nav { width: auto; display: flex; align-items: center; gap: 4px; padding: 4px 8px; overflow-x: auto; }
    nav .app { display: none; }
    #nav-items { display: flex; gap: 4px; }
    main { flex: 1; min-height: 0; }
    header .sandbox-customer { margin-left: 0; flex-wrap: wrap; }
  }
  #toast { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); background: #1a1a1a; color: #fff; padding: 10px 16px; border-radius: 8px; display: none; }
</style></head>
<body>
<header><strong>Shopify admin (sandbox stand-in)</strong><span>${escapeHtml(shop)}</span>${customerControls(opts)}</header>
<div class="layout">
  <nav id="nav"><div class="app">Apps › WhatsApp &amp; Meta Catalog</div><div id="nav-items"></div></nav>
  <main><iframe id="app-iframe" name="app-iframe" title="WhatsApp &amp; Meta Catalog" src="${escapeHtml(src.toString())}"></iframe></main>
</div>
<div id="toast" role="status"></div>
<script>
  var appOrigin = ${JSON.stringify(new URL(opts.appUrl).origin)};
  var frame = document.getElementById("app-iframe");
  var current = ${JSON.stringify(new URL(appPath, opts.appUrl).pathname)};
  function render(items) {
    var box = document.getElementById("nav-items");
    box.innerHTML = "";
    // As the admin does: the current page's link is highlighted, a page below it (a product under
    // Catalog) highlights its section: the longest link that the path starts with, segment-wise.
    var active = null;
    items.forEach(function (item) {
      var href = item.href;
      var base = href.charAt(href.length - 1) === "/" ? href.slice(0, -1) : href;
      var under = current === href || current.indexOf(base + "/") === 0;
      if (under && (!active || href.length > active.length)) active = href;
    });
    items.forEach(function (item) {
      var a = document.createElement("a");
      a.textContent = item.label;
      a.href = "#" + item.href;
      a.dataset.href = item.href;
      if (item.href === active) { a.className = "active"; a.setAttribute("aria-current", "page"); }
      a.addEventListener("click", function (e) {
        e.preventDefault();
        current = item.href;
        frame.contentWindow.postMessage({ type: "navigate", href: item.href }, appOrigin);
        render(items);
        history.replaceState(null, "", ${JSON.stringify(`/store/${shop.replace(/\.myshopify\.com$/, "")}/apps/app`)} + item.href.replace(/^\\/app/, ""));
      });
      box.appendChild(a);
    });
  }
  var lastItems = [];
  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || !event.data || event.data.source !== "sandbox-app-bridge") return;
    if (event.data.type === "nav") { lastItems = event.data.items; current = event.data.path; render(lastItems); }
    if (event.data.type === "location") { current = event.data.path; render(lastItems); }
    if (event.data.type === "toast") showToast(event.data.message);
    if (event.data.type === "admin-open") location.assign(${JSON.stringify(`/store/${shop.replace(/\.myshopify\.com$/, "")}`)} + event.data.path);
  });
  function showToast(message) {
    var t = document.getElementById("toast");
    t.textContent = message; t.style.display = "block";
    setTimeout(function () { t.style.display = "none"; }, 3000);
  }
</script>
</body></html>`;
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const value: unknown = text ? JSON.parse(text) : {};
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

export function startAdminStandin(opts: AdminStandinOptions): Promise<http.Server> {
  const appOrigin = new URL(opts.appUrl).origin;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    if (url.pathname === "/app-bridge.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" });
      res.end(APP_BRIDGE);
      return;
    }
    if (url.pathname === "/facebook-sdk.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache", "access-control-allow-origin": "*" });
      res.end(FACEBOOK_SDK);
      return;
    }
    if (url.pathname === "/facebook-dialog" || /^\/v\d+\.\d+\/dialog\/oauth$/.test(url.pathname)) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(signupWindow(url.pathname === "/facebook-dialog" ? "popup" : "dialog"));
      return;
    }
    if (url.pathname === "/facebook-dialog/code" && req.method === "POST") {
      const headers = { "content-type": "application/json", "cache-control": "no-store" };
      if (!opts.metaSignup) {
        res.writeHead(404, headers);
        res.end(JSON.stringify({ error: "the sandbox runs without its Meta simulator (META_GRAPH_URL is set)" }));
        return;
      }
      const redirectUri = url.searchParams.get("redirect_uri") || undefined;
      fetch(`${opts.metaSignup.graphUrl}/_sim/seed/auth-code`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: opts.metaSignup.token, redirectUri }),
      })
        .then(async (r) => {
          res.writeHead(r.status, headers);
          res.end(await r.text());
        })
        .catch((error: unknown) => {
          res.writeHead(502, headers);
          res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
        });
      return;
    }
    if (url.pathname === "/sandbox/customer-message" && req.method === "POST") {
      const headers = { "content-type": "application/json", "cache-control": "no-store" };
      const inbound = opts.metaInbound;
      readJson(req)
        .then(async (body) => {
          const number = inbound?.numbers.find((n) => n.id === body.phoneNumberId);
          if (!inbound || !number) {
            res.writeHead(404, headers);
            res.end(JSON.stringify({ error: inbound ? "unknown business number" : "the sandbox runs without its Meta simulator (META_GRAPH_URL is set)" }));
            return;
          }
          const r = await fetch(`${inbound.graphUrl}/_sim/inbound`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ phoneNumberId: number.id, from: inbound.customerPhone, name: "You (sandbox customer)", text: "Hi! Can you show me a product?" }),
          });
          res.writeHead(r.status, headers);
          res.end(await r.text());
        })
        .catch((error: unknown) => {
          res.writeHead(502, headers);
          res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
        });
      return;
    }
    if (url.pathname === "/session-token") {
      const shop = url.searchParams.get("shop") ?? "";
      const headers = { "content-type": "application/json", "access-control-allow-origin": appOrigin, "cache-control": "no-store" };
      if (!opts.shops.includes(shop)) {
        res.writeHead(404, headers);
        res.end(JSON.stringify({ error: `unknown sandbox shop ${shop}` }));
        return;
      }
      const token = mintSessionToken({ shop, apiKey: opts.apiKey, apiSecret: opts.apiSecret, ttlSeconds: TOKEN_TTL_SECONDS });
      res.writeHead(200, headers);
      res.end(JSON.stringify({ token, expiresIn: TOKEN_TTL_SECONDS }));
      return;
    }
    // /store/<handle>/apps/app[/<page>] frames /app[/<page>] of the app.
    const match = url.pathname.match(/^\/store\/([a-z0-9-]+)\/apps\/app(\/.*)?$/);
    if (match) {
      const shop = `${match[1]}.myshopify.com`;
      if (!opts.shops.includes(shop)) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end(`Unknown sandbox shop ${shop}. Known: ${opts.shops.join(", ")}`);
        return;
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(adminPage(opts, shop, `/app${match[2] ?? ""}`));
      return;
    }
    // An admin page the app linked to (shopify://admin/products/<id>): the real admin shows the product.
    const adminLink = url.pathname.match(/^\/store\/([a-z0-9-]+)\/(products\/\d+)$/);
    if (adminLink) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Product · Shopify admin (sandbox stand-in)</title></head>` +
          `<body><main><h1>Shopify admin: ${escapeHtml(adminLink[2])}</h1><p>The real admin shows this product's page here.</p></main></body></html>`,
      );
      return;
    }
    if (url.pathname === "/") {
      res.writeHead(302, { location: adminPath(opts.shops[0]) });
      res.end();
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not found");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject); // a taken port fails the start instead of hanging it
    server.listen(opts.port, "127.0.0.1", () => resolve(server));
  });
}

/** The admin stand-in's path that frames the app page `appPath` (e.g. "/app/catalog"). */
export function adminPath(shop: string, appPath = "/app") {
  return `/store/${shop.replace(/\.myshopify\.com$/, "")}/apps/app${appPath.replace(/^\/app/, "")}`;
}
