/**
 * A product's page in the Shopify admin, opened from inside the app. App Bridge's Navigation API
 * takes `shopify://admin/...` in an anchor with target="_top" and opens that admin page
 * (https://shopify.dev/docs/api/app-home/apis/user-interface-and-interactions/navigation-api,
 * "Navigate to Shopify admin pages"); the sandbox's App Bridge stand-in does the same.
 */
export function shopifyAdminProductUrl(productId: string) {
  return `shopify://admin/products/${encodeURIComponent(productId)}`;
}
