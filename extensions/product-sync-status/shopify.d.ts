// The `shopify` global of each entry module, in the form `shopify app dev`
// generates (and may rewrite identically): the target's API.
import '@shopify/ui-extensions';

//@ts-ignore
declare module './src/index.tsx' {
  const shopify: import('@shopify/ui-extensions/admin.product-details.block.render').Api;
  const globalThis: { shopify: typeof shopify };
}
