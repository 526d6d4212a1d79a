import { BlockStack, Card, InlineStack, Text } from "@shopify/polaris";
import type { ReviewView } from "../../catalog/review-data.server";

/**
 * How fresh the catalog is: over the last day, how long a change took from
 * reaching the app to Meta accepting it (median and 95th percentile),
 * against the app's promise (seconds) and Meta's partner bar (price and
 * stock within 15 minutes).
 */
export function formatDuration(ms: number | null) {
  if (ms === null) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function FreshnessCard({ freshness }: { freshness: ReviewView["freshness"] }) {
  const { p50Ms, p95Ms, promiseMs, partnerBarMs, count } = freshness;
  const verdict =
    p95Ms === null
      ? "No change reached Meta in the last 24 hours."
      : p95Ms <= promiseMs
        ? "Within the app's promise of a few seconds."
        : p95Ms <= partnerBarMs
          ? "Slower than the app's promise, but within Meta's 15-minute bar for price and stock."
          : "Slower than Meta's 15-minute bar for price and stock: check the banners above for a paused sync.";
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Freshness
        </Text>
        <Text as="p" tone="subdued">
          From a change reaching the app to Meta accepting it, last 24 hours ({count.toLocaleString("en-US")} change{count === 1 ? "" : "s"}).
        </Text>
        <InlineStack gap="600" wrap>
          <span data-testid="freshness-p50">
            <Text as="p">
              Median:{" "}
              <Text as="span" fontWeight="semibold">
                {formatDuration(p50Ms)}
              </Text>
            </Text>
          </span>
          <span data-testid="freshness-p95">
            <Text as="p">
              95 % within:{" "}
              <Text as="span" fontWeight="semibold">
                {formatDuration(p95Ms)}
              </Text>
            </Text>
          </span>
          <Text as="p" tone="subdued">
            Promise: {formatDuration(promiseMs)} · Meta&apos;s bar: {formatDuration(partnerBarMs)}
          </Text>
        </InlineStack>
        <Text as="p">{verdict}</Text>
      </BlockStack>
    </Card>
  );
}
