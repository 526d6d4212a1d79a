import { Badge, BlockStack, Box, Card, InlineStack, Link, Text } from "@shopify/polaris";
import type { ReviewView } from "../../catalog/review-data.server";
import { formatTime } from "./StatusBadge";

/**
 * Meta's own diagnostics of the catalog (GET /{catalog-id}/diagnostics):
 * each issue with its severity, the channels it affects (WhatsApp among
 * them), Meta's call to action, what to do in Shopify, and the products
 * Meta names.
 */
const CHANNELS: Record<string, string> = { whatsapp: "WhatsApp", shops: "Shops", marketplace: "Marketplace", ig_product_tagging: "Instagram" };

export function DiagnosticsCard({ diagnostics }: { diagnostics: ReviewView["diagnostics"] }) {
  if (!diagnostics.checkedAt) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Meta&apos;s diagnostics
        </Text>
        <Text as="p" tone="subdued">
          What Meta reports about the whole catalog, checked {formatTime(diagnostics.checkedAt)}.
        </Text>
        {diagnostics.groups.length === 0 && <Text as="p">Meta reports no issue with the catalog.</Text>}
        {diagnostics.groups.map((g, i) => {
          const mustFix = g.severity === "MUST_FIX";
          return (
            <Box key={`${g.title}-${i}`} padding="300" background={mustFix ? "bg-surface-critical" : "bg-surface-secondary"} borderRadius="200">
              <div data-testid="diagnostic">
                <BlockStack gap="150">
                  <InlineStack gap="200" blockAlign="center" wrap>
                    <Badge tone={mustFix ? "critical" : "info"}>{mustFix ? "Must fix" : "Opportunity"}</Badge>
                    <Text as="h3" variant="headingSm">
                      {g.title}
                      {g.affectedItems !== null ? `: ${g.affectedItems.toLocaleString("en-US")} item${g.affectedItems === 1 ? "" : "s"}` : ""}
                    </Text>
                  </InlineStack>
                  {g.subtitle && <Text as="p">{g.subtitle}</Text>}
                  {g.channels.length > 0 && (
                    <Text as="p" tone="subdued">
                      Affects: {g.channels.map((c) => CHANNELS[c] ?? c).join(", ")}
                    </Text>
                  )}
                  {g.metaAction && <Text as="p">Meta suggests: {g.metaAction}</Text>}
                  <Text as="p">
                    <Text as="span" fontWeight="semibold">
                      In Shopify:{" "}
                    </Text>
                    {g.fix}
                  </Text>
                  {g.products.length > 0 && (
                    <Text as="p">
                      Products:{" "}
                      {g.products.map((p, n) => (
                        <span key={p.productId}>
                          {n > 0 ? ", " : ""}
                          <Link url={`/app/catalog/${p.productId}`}>{p.title}</Link>
                        </span>
                      ))}
                    </Text>
                  )}
                </BlockStack>
              </div>
            </Box>
          );
        })}
      </BlockStack>
    </Card>
  );
}
