import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { db } from "./db.server";
import { env } from "./env.server";
import { SealedSessionStorage } from "./vault/session-storage.server";

const config = env();

import { ADMIN_API_VERSION } from "./shopify-api-version";

/** The Admin API version; shopify.app.toml's [webhooks] api_version matches it. */
export const API_VERSION = ADMIN_API_VERSION as ApiVersion;

// The one place that decides how the app talks to Shopify.
const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: config.SCOPES.split(",").map((s) => s.trim()).filter(Boolean),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Tokens sealed by the vault (issue 14). The generated clients share one model API; the storage only uses `session`.
  sessionStorage: new SealedSessionStorage(new PrismaSessionStorage(db as never)),
  distribution: AppDistribution.AppStore,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    // Offline tokens that expire after an hour, with a refresh token (required for public apps from 2027-01-01).
    // The library renews them for webhooks and exchanges a new one on admin loads; the worker renews through
    // offline-token.server.ts.
    expiringOfflineAccessTokens: true,
  },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
