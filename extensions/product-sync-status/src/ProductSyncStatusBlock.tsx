/** @jsxImportSource preact */
import type { FetchLike } from "./client";
import { numericProductId } from "./model";
import { SyncStatusView } from "./SyncStatusView";
import { useSyncStatus } from "./useSyncStatus";

/** The block: the data hook wired to the pure view. Shopify's globals are passed in by the entry (src/index.tsx). */
export function ProductSyncStatusBlock(props: {
  /** `data.selected[0].id` of the product page: "gid://shopify/Product/123". */
  productGid: string | undefined;
  fetch: FetchLike;
  loadVariantTitles?: () => Promise<Record<string, string>>;
  pollMs?: number;
}) {
  const model = useSyncStatus({
    productId: numericProductId(props.productGid),
    fetch: props.fetch,
    loadVariantTitles: props.loadVariantTitles,
    pollMs: props.pollMs,
  });
  return (
    <SyncStatusView
      state={model.state}
      busy={model.busy}
      notice={model.notice}
      variantTitles={model.variantTitles}
      onAction={model.run}
      onRetry={model.reload}
    />
  );
}
