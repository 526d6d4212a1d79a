import { BlockStack, ProgressBar, Text } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { formatTime } from "./StatusBadge";

const products = (n: number) => `${n} product${n === 1 ? "" : "s"}`;
const items = (n: number) => `${n} catalog item${n === 1 ? "" : "s"}`;

/**
 * Resync all in the merchant's words, in the same units as the counts beside it: how many products it
 * read from Shopify, and which products the catalog loses and why. The Pending tile counts every
 * product the app has, so a product Shopify no longer has is named here until the resync removes it
 * (before: "Pending 13" beside "12 products read of 12").
 */
export function FullSyncStatus({ progress }: { progress: CatalogPageData["progress"] }) {
  if (!progress) return null;
  if (progress.state === "QUEUED") {
    return (
      <span data-testid="full-sync-status">
        <Text as="p">Resync all: starting…</Text>
      </span>
    );
  }
  if (progress.state === "RUNNING") {
    const readAll = progress.notInShopify !== null;
    const share = progress.total ? Math.min(100, (progress.processed / progress.total) * 100) : 10;
    return (
      <BlockStack gap="100">
        <span data-testid="full-sync-status">
          <Text as="p">
            {readAll
              ? `Resync all: read all ${products(progress.processed)} from Shopify. ` +
                (progress.notInShopify
                  ? `${products(progress.notInShopify!)} the app had ${progress.notInShopify === 1 ? "is" : "are"} no longer in Shopify and ${progress.notInShopify === 1 ? "is" : "are"} being removed from the catalog.`
                  : "Checking the catalog for items Shopify no longer has…")
              : `Resync all: reading your products from Shopify, ${progress.processed}${progress.total ? ` of ${progress.total}` : ""}…`}
          </Text>
        </span>
        <ProgressBar progress={readAll ? 100 : share} size="small" />
      </BlockStack>
    );
  }
  // A failed run: FullSyncNotices says why and what to do.
  if (progress.state === "DONE") {
    const removed = progress.removed ?? 0;
    const strays = progress.strays ?? 0;
    const parts = [
      (progress.total ?? progress.processed) > 0
        ? `read ${products(progress.total ?? progress.processed)} from Shopify and sent them to the catalog again`
        : "found no products in Shopify",
      removed ? `removed ${products(removed)} that Shopify no longer has` : null,
      strays ? `removed ${items(strays)} of variants your products no longer have` : null,
    ].filter(Boolean);
    return (
      <span data-testid="full-sync-status">
        <Text as="p" tone="subdued">
          Last Resync all ({formatTime(progress.endedAt)}): {parts.join("; ")}
          {removed || strays ? "." : ". Nothing was removed."}
        </Text>
      </span>
    );
  }
  return null;
}
