import { BlockStack, Box, Card, Text } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";

/** Why products failed, grouped by what the merchant has to do (catalog/failure-kinds.ts). */
export function ErrorGroupsCard({ errorGroups }: { errorGroups: CatalogPageData["summary"]["errorGroups"] }) {
  if (errorGroups.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Why products failed
        </Text>
        {errorGroups.map((g) => (
          <Box key={g.kind} padding="300" background="bg-surface-critical" borderRadius="200">
            <BlockStack gap="100">
              <Text as="p" fontWeight="semibold">
                {g.kind}: {g.count} product{g.count === 1 ? "" : "s"}
              </Text>
              <Text as="p">{g.action}</Text>
              <Text as="p" tone="subdued">
                e.g. “{g.example}”
              </Text>
            </BlockStack>
          </Box>
        ))}
      </BlockStack>
    </Card>
  );
}
