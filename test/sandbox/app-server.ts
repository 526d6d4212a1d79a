import type { RequestHandler } from "express";
import { createAppServer, listen } from "../../app/server";

/**
 * The sandbox's app server: the production server (app/server.ts) plus one
 * sandbox-only change: Shopify's frame-ancestors CSP also names the local
 * admin stand-in, so a plain browser can frame the app the way the admin does,
 * and the preload of Shopify's CDN script (unreachable offline) is dropped.
 */
const adminOrigin = process.env.SANDBOX_ADMIN_ORIGIN ?? "";

const frameableByStandin: RequestHandler = (_req, res, next) => {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    const lower = name.toLowerCase();
    if (adminOrigin && lower === "content-security-policy") {
      value = String(value).replace("frame-ancestors", `frame-ancestors ${adminOrigin}`);
    }
    if (lower === "link" && String(value).includes("cdn.shopify.com")) return res;
    return setHeader(name, value);
  };
  next();
};

listen(await createAppServer({ before: [frameableByStandin] }));
