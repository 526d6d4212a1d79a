import { useState } from "react";
import { useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { DailyCheckLine } from "./FullSyncNotices";
import { FullSyncStatus } from "./FullSyncStatus";
import { VERDICT_LABEL, VERDICTS } from "../../catalog/verdict";
import { formatTime } from "./StatusBadge";

/** The connected catalog by its Meta name: counts by status (the table's), the Live rate (Live of the products whose outcome is known), Resync all and what it did, Disconnect (asked first). */
export function SyncSummaryCard({ summary, progress, connection }: Pick<CatalogPageData, "summary" | "progress" | "connection">) {
  const submit = useSubmit();
  const navigation = useNavigation();
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const running = progress && (progress.state === "RUNNING" || progress.state === "QUEUED");
  const rate = summary.successRate === null ? "—" : `${Math.round(summary.successRate * 1000) / 10}%`;
  const intent = navigation.formData?.get("intent");
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center" gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {connection?.catalogName || "Your Meta catalog"}
            </Text>
            <Text as="p" tone="subdued">
              Last successful sync: {formatTime(connection?.lastSuccessAt ?? null)}
            </Text>
            <DailyCheckLine progress={progress} />
          </BlockStack>
          {!confirmDisconnect && (
            <InlineStack gap="200">
              <Button onClick={() => submit({ intent: "resync" }, { method: "post" })} disabled={Boolean(running)} loading={intent === "resync"}>
                Resync all
              </Button>
              <Button tone="critical" variant="plain" onClick={() => setConfirmDisconnect(true)}>
                Disconnect
              </Button>
            </InlineStack>
          )}
        </InlineStack>
        {confirmDisconnect && (
          <Banner tone="critical" title="Disconnect the catalog?">
            <BlockStack gap="200">
              <p>
                The app stops sending product changes to {connection?.catalogName || "this catalog"} and forgets its token. The products already
                there stay in Meta until you delete them in Commerce Manager. You can connect again at any time.
              </p>
              <InlineStack gap="200">
                <Button
                  tone="critical"
                  variant="primary"
                  loading={intent === "disconnect"}
                  onClick={() => {
                    setConfirmDisconnect(false);
                    submit({ intent: "disconnect" }, { method: "post" });
                  }}
                >
                  Disconnect now
                </Button>
                <Button onClick={() => setConfirmDisconnect(false)}>Cancel</Button>
              </InlineStack>
            </BlockStack>
          </Banner>
        )}
        <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
          {(
            [
              // The same statuses, words and order as the table's tabs (app/catalog/verdict.ts).
              ...VERDICTS.map((s) => [VERDICT_LABEL[s], summary.counts[s], `${s.toLowerCase().replace("_", "-")}-count`] as const),
              ["Live rate", rate, "success-rate"],
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
        <FullSyncStatus progress={progress} />
      </BlockStack>
    </Card>
  );
}
