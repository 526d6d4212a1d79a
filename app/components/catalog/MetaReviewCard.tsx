import { BlockStack, Box, Card, InlineStack, Link, Text } from "@shopify/polaris";
import type { ReviewView } from "../../catalog/review-data.server";
import { VERDICT_LABEL, type Verdict } from "../../catalog/verdict";
import { VerdictBadge } from "./VerdictBadge";

/**
 * "Meta's review": how many products Meta shows (Live), is still reviewing
 * (Sent), or holds back, and the problems grouped by cause with what to
 * change in Shopify (issue 17).
 */
const ORDER: Verdict[] = ["LIVE", "SENT", "NEEDS_FIXING", "REJECTED", "PENDING", "FAILED", "EXCLUDED"];

export function MetaReviewCard({ review }: { review: ReviewView }) {
  const held = review.verdicts.REJECTED + review.verdicts.NEEDS_FIXING;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Meta&apos;s review
        </Text>
        <Text as="p" tone="subdued">
          Meta reviews every product the app sends before shoppers can see it on Facebook, Instagram and WhatsApp. Live products are approved.
        </Text>
        <InlineStack gap="300" wrap>
          {ORDER.filter((v) => review.verdicts[v] > 0 || v === "LIVE").map((v) => (
            <span key={v} data-testid={`verdict-${v}`}>
              <InlineStack gap="100" blockAlign="center">
                <VerdictBadge verdict={v} />
                <Text as="span" fontWeight="semibold">
                  {review.verdicts[v].toLocaleString("en-US")}
                </Text>
              </InlineStack>
            </span>
          ))}
        </InlineStack>
        {held === 0 ? (
          <Text as="p">Meta has not rejected any product.</Text>
        ) : (
          review.causes.map((g) => (
            <Box key={g.cause} padding="300" background="bg-surface-warning" borderRadius="200">
              <div data-testid={`cause-${g.cause}`}>
                <BlockStack gap="150">
                  <Text as="h3" variant="headingSm">
                    {g.label}: {g.products.toLocaleString("en-US")} product{g.products === 1 ? "" : "s"}
                    {g.items !== g.products ? ` (${g.items.toLocaleString("en-US")} variants)` : ""}
                  </Text>
                  <Text as="p">
                    <Text as="span" fontWeight="semibold">
                      Fix:{" "}
                    </Text>
                    {g.fix}
                  </Text>
                  <BlockStack gap="100">
                    {g.examples.map((e) => (
                      <Text as="p" key={e.productId} tone="subdued">
                        <Link url={`/app/catalog/${e.productId}`}>{e.title}</Link> ({VERDICT_LABEL[e.verdict]}){e.reason ? `: Meta says “${e.reason}”` : ""}
                      </Text>
                    ))}
                  </BlockStack>
                </BlockStack>
              </div>
            </Box>
          ))
        )}
      </BlockStack>
    </Card>
  );
}
