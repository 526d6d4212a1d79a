import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { shopOverview, type ConnectionState } from "../shop.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return shopOverview(db, session.shop);
};

const STATE_BADGE: Record<ConnectionState, { tone: "success" | "critical" | undefined; label: string }> = {
  CONNECTED: { tone: "success", label: "Connected" },
  NEEDS_RECONNECT: { tone: "critical", label: "Needs reconnect" },
  DISCONNECTED: { tone: undefined, label: "Not connected" },
};

function StateBadge({ state }: { state: ConnectionState }) {
  const { tone, label } = STATE_BADGE[state];
  return <Badge tone={tone}>{label}</Badge>;
}

export default function Overview() {
  const o = useLoaderData<typeof loader>();
  return (
    <Page title="Overview">
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <Card>
              <BlockStack gap="300">
                <InlineGrid columns="1fr auto">
                  <Text as="h2" variant="headingMd">
                    WhatsApp
                  </Text>
                  <span data-testid="whatsapp-state">
                    <StateBadge state={o.whatsapp.state} />
                  </span>
                </InlineGrid>
                <Text as="p" tone="subdued">
                  {o.whatsapp.state === "DISCONNECTED"
                    ? "Connect your WhatsApp Business Account to send messages from your store."
                    : o.whatsapp.activeNumber
                      ? `Sending from ${o.whatsapp.activeNumber}`
                      : "No sending number chosen yet."}
                </Text>
                {o.whatsapp.reason && <Text as="p" tone="critical">{o.whatsapp.reason}</Text>}
                <Box>
                  <Button url="/app/whatsapp">
                    {o.whatsapp.state === "DISCONNECTED" ? "Connect WhatsApp" : "Manage WhatsApp"}
                  </Button>
                </Box>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <InlineGrid columns="1fr auto">
                  <Text as="h2" variant="headingMd">
                    Meta Catalog
                  </Text>
                  <span data-testid="catalog-state">
                    <StateBadge state={o.catalog.state} />
                  </span>
                </InlineGrid>
                <Text as="p" tone="subdued">
                  {o.catalog.state === "DISCONNECTED"
                    ? "Connect a Meta Catalog to keep it in sync with your products."
                    : `Catalog ${o.catalog.catalogName ?? o.catalog.catalogId}: ${o.products.synced} synced, ${o.products.pending} pending, ${o.products.failed} failed, ${o.products.excluded} excluded.`}
                </Text>
                {o.catalog.reason && <Text as="p" tone="critical">{o.catalog.reason}</Text>}
                <Box>
                  <Button url="/app/catalog">
                    {o.catalog.state === "DISCONNECTED" ? "Connect a catalog" : "Manage catalog"}
                  </Button>
                </Box>
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
