import { useSubmit } from "@remix-run/react";
import { BlockStack, Box, Button, Card, InlineGrid, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { DailyCheckLine } from "./FullSyncNotices";
import { formatTime } from "./StatusBadge";

/** The connected catalog: counts by status, success rate, the full sync's progress, Resync all and Disconnect. */
export function SyncSummaryCard({ summary, progress, connection }: Pick<CatalogPageData, "summary" | "progress" | "connection">) {
  const submit = useSubmit();
  const running = progress && (progress.state === "RUNNING" || progress.state === "QUEUED");
  const rate = summary.successRate === null ? "—" : `${Math.round(summary.successRate * 1000) / 10}%`;
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {connection?.catalogName ?? connection?.catalogId}
            </Text>
            <Text as="p" tone="subdued">
              Last successful sync: {formatTime(connection?.lastSuccessAt ?? null)}
            </Text>
            <DailyCheckLine progress={progress} />
          </BlockStack>
          <InlineStack gap="200">
            <Button onClick={() => submit({ intent: "resync" }, { method: "post" })} disabled={Boolean(running)}>
              Resync all
            </Button>
            <Button tone="critical" variant="plain" onClick={() => submit({ intent: "disconnect" }, { method: "post" })}>
              Disconnect
            </Button>
          </InlineStack>
        </InlineStack>
        <InlineGrid columns={{ xs: 2, md: 5 }} gap="300">
          {(
            [
              ["Synced", summary.counts.SYNCED, "synced-count"],
              ["Pending", summary.counts.PENDING, "pending-count"],
              ["Failed", summary.counts.FAILED, "failed-count"],
              ["Excluded", summary.counts.EXCLUDED, "excluded-count"],
              ["Success rate", rate, "success-rate"],
            ] as const
          ).map(([label, value, id]) => (
            <Box key={label} padding="300" background="bg-surface-secondary" borderRadius="200">
              <BlockStack gap="100">
                <Text as="p" tone="subdued">
                  {label}
                </Text>
                <Text as="p" variant="headingLg">
                  <span data-testid={id}>{value}</span>
                </Text>
              </BlockStack>
            </Box>
          ))}
        </InlineGrid>
        {running && progress && (
          <BlockStack gap="100">
            <Text as="p">
              Full sync: {progress.processed} products read{progress.total ? ` of ${progress.total}` : ""}…
            </Text>
            <ProgressBar progress={progress.total ? Math.min(100, (progress.processed / progress.total) * 100) : 10} size="small" />
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}
