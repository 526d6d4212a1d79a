import { Banner, BlockStack, Card, InlineStack, Link, Text } from "@shopify/polaris";
import type { Verdict } from "../../catalog/verdict";
import { formatDuration } from "./FreshnessCard";
import { formatTime } from "./StatusBadge";

/**
 * One product as Meta shows it (issue 17): what Meta holds against it with
 * Meta's reason and the fix, the image Meta could not download, and the
 * product's freshness (Shopify's change, the app's send, Meta's verdict).
 * Each variant's verdict is a column of the product page's item table.
 */
export interface ProductReviewProps {
  verdict: Verdict;
  shopifyUpdatedAt: string;
  changedAt: string | null;
  sentAt: string | null;
  confirmedAt: string | null;
  lagMs: number | null;
  items: { retailerId: string; verdict: Verdict; reason: string | null; fix: string | null; image: string | null; error: string | null }[];
}

export function ProductReviewCard(p: ProductReviewProps) {
  const held = p.items.filter((i) => i.verdict === "REJECTED" || i.verdict === "NEEDS_FIXING");
  const first = held[0];
  return (
    <BlockStack gap="400">
      {first && (
        <Banner tone={first.verdict === "REJECTED" ? "critical" : "warning"} title={first.verdict === "REJECTED" ? "Meta rejected this product" : "Meta needs a fix before it shows this product"}>
          <BlockStack gap="100">
            {first.reason && <p>Meta says: {first.reason}</p>}
            {first.image && (
              <p>
                Image: <Link url={first.image} target="_blank">{first.image}</Link>
              </p>
            )}
            {first.fix && <p>What to do: {first.fix}</p>}
          </BlockStack>
        </Banner>
      )}
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Freshness
          </Text>
          <InlineStack gap="400" wrap>
            <Text as="p">Changed in Shopify: {formatTime(p.shopifyUpdatedAt)}</Text>
            <Text as="p">Reached the app: {formatTime(p.changedAt)}</Text>
            <Text as="p">Accepted by Meta: {formatTime(p.sentAt)}</Text>
            <Text as="p">Meta&apos;s last verdict: {formatTime(p.confirmedAt)}</Text>
          </InlineStack>
          <Text as="p" tone="subdued">
            {p.lagMs === null ? "Not sent to Meta yet." : `From the change reaching the app to Meta accepting it: ${formatDuration(p.lagMs)}.`}
          </Text>
        </BlockStack>
      </Card>
    </BlockStack>
  );
}
