/**
 * The production HTTP server (`npm start`): remix-serve's job (static assets
 * with long caching for hashed files, the Remix request handler) with a
 * request log that goes through the app's logger, so secrets in query
 * strings (the session token's id_token on embedded page loads, the OAuth
 * code on /meta/oauth-callback) are redacted. remix-serve logs raw URLs.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import express, { type RequestHandler } from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { logger, redactText } from "./logger.server";

const root = path.resolve(import.meta.dirname, "..");

export async function createAppServer(options: { before?: RequestHandler[] } = {}) {
  const build = (await import(path.join(root, "build/server/index.js"))) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  const log = logger.child({ module: "http" });
  app.use((req, res, next) => {
    const started = performance.now();
    res.on("finish", () => {
      log.info(
        { method: req.method, url: redactText(req.originalUrl), status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 },
        "request",
      );
    });
    next();
  });
  for (const middleware of options.before ?? []) app.use(middleware);
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));
  return app;
}

export function listen(app: express.Express) {
  const port = Number(process.env.PORT || 3000);
  const host = process.env.HOST || "0.0.0.0";
  const server = app.listen(port, host, () => logger.info({ port, host }, `listening on http://localhost:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  listen(await createAppServer());
}
