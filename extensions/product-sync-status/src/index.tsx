/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { ProductSyncStatusBlock } from "./ProductSyncStatusBlock";
import { loadVariantTitles } from "./variant-titles";

/**
 * Entry of the `admin.product-details.block.render` target (the `module` in
 * shopify.extension.toml): the admin calls the default export inside its
 * extension sandbox, where `shopify` is the target's API and `document.body`
 * is the block's root.
 */
export default async () => {
  const productGid = shopify.data.selected[0]?.id;
  // Relative URLs reach the app's backend with the ID token attached by the admin.
  const appFetch = (input: string, init?: RequestInit) => fetch(input, init);
  const titles = productGid ? () => loadVariantTitles(shopify.query, productGid) : undefined;
  render(<ProductSyncStatusBlock productGid={productGid} fetch={appFetch} loadVariantTitles={titles} />, document.body);
};
