import path from "node:path";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";

/**
 * The sandbox's app server: what `npm start` (remix-serve) does, plus one
 * sandbox-only change: Shopify's frame-ancestors CSP also names the local
 * admin stand-in, so a plain browser can frame the app the way the admin does,
 * and the preload of Shopify's CDN script (unreachable offline) is dropped.
 */
const root = path.resolve(import.meta.dirname, "../..");
const adminOrigin = process.env.SANDBOX_ADMIN_ORIGIN ?? "";
const port = Number(process.env.PORT ?? 3000);

const build = (await import(path.join(root, "build/server/index.js"))) as ServerBuild;
const app = express();
app.disable("x-powered-by");

app.use((_req, res, next) => {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    const lower = name.toLowerCase();
    if (adminOrigin && lower === "content-security-policy") {
      value = String(value).replace("frame-ancestors", `frame-ancestors ${adminOrigin}`);
    }
    // The preload of Shopify's CDN App Bridge cannot resolve offline; the stand-in replaces it.
    if (lower === "link" && String(value).includes("cdn.shopify.com")) return res;
    return setHeader(name, value);
  };
  next();
});
app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: "production" }));

app.listen(port, "127.0.0.1", () => console.log(`[app] listening on http://localhost:${port}`));
