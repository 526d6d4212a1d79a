import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp, type ApiVersion } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { db } from "../../../app/db.server";
import { ADMIN_API_VERSION } from "../../../app/shopify-api-version";

/**
 * The floors' shopifyApp: the options of app/shopify.server.ts, including the
 * Prisma session storage over the same database (authenticate.webhook loads
 * the shop's offline session on every delivery). That module itself cannot
 * be imported here: the production build bundles it and exports only routes.
 */

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

export const shopify = shopifyApp({
  apiKey: env("SHOPIFY_API_KEY"),
  apiSecretKey: env("SHOPIFY_API_SECRET"),
  apiVersion: ADMIN_API_VERSION as ApiVersion,
  scopes: (process.env.SCOPES ?? "read_products,read_inventory,read_publications").split(","),
  appUrl: env("SHOPIFY_APP_URL"),
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(db as never),
  distribution: AppDistribution.AppStore,
  future: { unstable_newEmbeddedAuthStrategy: true },
});
