import { Banner, BlockStack, Text } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { formatTime } from "./StatusBadge";

type Progress = CatalogPageData["progress"];

/**
 * What the full sync needs the merchant to know (issue 14): a step that keeps
 * failing (and when the app tries again and gives up), a run that failed,
 * and a catalog that also holds items this store did not add.
 */
export function FullSyncNotices({ progress }: { progress: Progress }) {
  if (!progress) return null;
  const failing = (progress.state === "RUNNING" || progress.state === "QUEUED") && progress.failures > 0;
  const foreign = progress.foreignItems;
  if (!failing && progress.state !== "FAILED" && !foreign) return null;
  // The retry after the give-up time is the last one.
  const lastTry = Boolean(progress.retryAt && progress.giveUpAt && progress.retryAt >= progress.giveUpAt);
  return (
    <BlockStack gap="400">
      {failing && (
        <Banner tone="warning" title="The full sync is having trouble">
          <p data-testid="full-sync-trouble">
            {progress.error}{" "}
            {lastTry
              ? `The app tries once more at ${formatTime(progress.retryAt)}; if that fails too, the full sync stops`
              : `The app tries again at ${formatTime(progress.retryAt)}; if it still fails at ${formatTime(progress.giveUpAt)}, the full sync stops`}{" "}
            and you can start it again with Resync all. Changes you make in Shopify keep reaching the catalog meanwhile.
          </p>
        </Banner>
      )}
      {progress.state === "FAILED" && (
        <Banner tone="critical" title="The last full sync did not finish">
          <p data-testid="full-sync-failed">
            {progress.error} Use Resync all to try again
            {progress.nextDailyAt ? `, or the daily check will at ${formatTime(progress.nextDailyAt)}` : ""}. Changes you make in Shopify keep reaching
            the catalog.
          </p>
        </Banner>
      )}
      {foreign && (
        <Banner tone="info" title="This catalog is shared">
          <p data-testid="foreign-items">
            This catalog also holds {foreign.count.toLocaleString("en-US")} {foreign.count === 1 ? "item" : "items"} that this store did not add
            {foreign.example ? ` (for example “${foreign.example}”)` : ""}. The app never changes or deletes them. If they belong to another store or
            sales channel, nothing needs doing; to keep only this store&apos;s products in it, disconnect and choose a catalog of its own.
          </p>
        </Banner>
      )}
    </BlockStack>
  );
}

/** When the whole catalog was last checked against Shopify, and when the daily check runs next. */
export function DailyCheckLine({ progress }: { progress: Progress }) {
  if (!progress) return null;
  const running = progress.state === "RUNNING" || progress.state === "QUEUED";
  const last = progress.state === "DONE" ? progress.endedAt : null;
  return (
    <Text as="p" tone="subdued">
      <span data-testid="daily-check">
        Whole catalog last checked: {formatTime(last)} · Next daily check:{" "}
        {running ? "after the running full sync" : progress.nextDailyAt ? formatTime(progress.nextDailyAt) : "when the catalog is connected"}
      </span>
    </Text>
  );
}
