/**
 * The production HTTP server (`npm start`): remix-serve's job (static assets
 * with long caching for hashed files, the Remix request handler) with a
 * request log that goes through the app's logger, so secrets in query
 * strings (the session token's id_token on embedded page loads, the OAuth
 * code on /meta/oauth-callback) are redacted. remix-serve logs raw URLs.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import express, { type RequestHandler } from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { receiveProductsWebhook } from "./catalog/products-webhook.server";
import { db } from "./db.server";
import { env } from "./env.server";
import { createLogger, logger, redactText } from "./logger.server";
import { webhookBodyBudget } from "./webhooks/body-budget.server";
import { readLimited } from "./webhooks/deliveries.server";

const root = path.resolve(import.meta.dirname, "..");

// The request log's fields are fixed and its URL already scrubbed (redactText), so it skips the
// logger's key-by-key redaction, which cost more than the rest of a product webhook's logging.
const requestLog = createLogger({ redact: false }).child({ module: "http" });

function logRequest(req: IncomingMessage, res: ServerResponse) {
  const started = performance.now();
  res.on("finish", () => {
    requestLog.info(
      { method: req.method, url: redactText(req.url ?? ""), status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 },
      "request",
    );
  });
}

export async function createAppServer(options: { before?: RequestHandler[] } = {}) {
  const build = (await import(path.join(root, "build/server/index.js"))) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  for (const middleware of options.before ?? []) app.use(middleware);
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: env().NODE_ENV }));
  // Shopify's product webhooks go straight to their handler; everything else to express and Remix.
  return (req: IncomingMessage, res: ServerResponse) => {
    logRequest(req, res);
    if (req.method === "POST" && (req.url === "/webhooks/products" || req.url?.startsWith("/webhooks/products?"))) productsWebhook(req, res);
    else app(req, res);
  };
}

/**
 * Shopify's product webhooks straight from Node's request, without express
 * or Remix: they come by the thousand when a merchant bulk-edits, and the
 * framework (Fetch Request, routing, authenticate.webhook's session lookup)
 * cost more than twice the work of storing them (issue 7). The Remix route
 * webhooks.products.tsx runs the same receiveProductsWebhook under the dev server.
 */
function productsWebhook(req: IncomingMessage, res: ServerResponse) {
  const send = (status: number, json: string, headers: Record<string, string> = {}) =>
    res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) }).end(json);
  const answer = async () => {
    const declaredBytes = Number(req.headers["content-length"] ?? 0);
    const body = await readLimited(req, { declaredBytes, budget: webhookBodyBudget() });
    return receiveProductsWebhook(db, { header: (name) => [req.headers[name]].flat().join(", ") || null, body });
  };
  answer()
    .then(({ status, body }) => send(status, JSON.stringify(body)))
    .catch(async (error: unknown) => {
      if (error instanceof Response) return send(error.status, await error.text(), Object.fromEntries(error.headers));
      logger.error({ err: error, topic: req.headers["x-shopify-topic"], shop: req.headers["x-shopify-shop-domain"] }, "product webhook failed");
      if (!res.headersSent) send(500, JSON.stringify({ error: "Internal error; Shopify will retry this delivery" }));
    });
}

/**
 * Node waits 300 s for a request by default: strangers trickling webhook
 * bodies would hold their bytes (and a connection) that long (issue 14). Every
 * request here is small, so headers and body must arrive within
 * REQUEST_TIMEOUT_MS (408 and the connection closed), checked every second.
 */
export function listen(handler: http.RequestListener) {
  const { PORT: port, HOST: host, REQUEST_TIMEOUT_MS: timeout } = env();
  const options = { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: 1000 };
  const server = http.createServer(options, handler).listen(port, host, () => logger.info({ port, host }, `listening on http://localhost:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  listen(await createAppServer());
}
