/**
 * The Admin API version the app speaks (webhooks, GraphQL). shopify.app.toml's
 * [webhooks] api_version says the same; a test checks @shopify/shopify-api supports it.
 */
export const ADMIN_API_VERSION = "2026-10";
