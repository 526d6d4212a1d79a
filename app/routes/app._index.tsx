import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { pageTitle } from "../page-title";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { shopOverview, type ConnectionState } from "../shop.server";
import { countsInWords } from "../catalog/verdict";
import { readinessSummary } from "../whatsapp/readiness.server";
import { OUTAGE_MESSAGE } from "../whatsapp/health-status";
import { HealthBadge } from "../components/whatsapp/HealthBadge";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [overview, commerce] = await Promise.all([shopOverview(db, session.shop), readinessSummary(db, session.shop)]);
  return { ...overview, commerce };
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
                  {/* The WhatsApp page's own verdict: Meta not answering is not "Connected", nor "Needs reconnect". */}
                  <span data-testid="whatsapp-state">
                    <HealthBadge level={o.commerce.whatsapp.level} outage={o.commerce.whatsapp.outage} />
                  </span>
                </InlineGrid>
                <Text as="p" tone="subdued">
                  {o.whatsapp.state === "DISCONNECTED"
                    ? "Connect your WhatsApp Business Account to send messages from your store."
                    : `${o.commerce.whatsapp.wabaName ? `${o.commerce.whatsapp.wabaName}: ` : ""}${o.whatsapp.activeNumber ? `sending from ${o.whatsapp.activeNumber}` : "no sending number chosen yet"}.`}
                </Text>
                {o.commerce.whatsapp.outage && (
                  <span data-testid="whatsapp-outage">
                    <Text as="p" tone="caution">
                      {OUTAGE_MESSAGE}
                    </Text>
                  </span>
                )}
                {o.whatsapp.state === "NEEDS_RECONNECT" && o.whatsapp.reason && <Text as="p" tone="critical">{o.whatsapp.reason}</Text>}
                <Box>
                  <Button url="/app/whatsapp">
                    {o.whatsapp.state === "DISCONNECTED" ? "Connect WhatsApp" : o.whatsapp.state === "NEEDS_RECONNECT" ? "Reconnect WhatsApp" : "Manage WhatsApp"}
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
                    : `Catalog ${o.catalog.catalogName ?? o.catalog.catalogId}: ${countsInWords(o.products)}.`}
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
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineGrid columns="1fr auto">
                <Text as="h2" variant="headingMd">
                  Sell on WhatsApp
                </Text>
                <span data-testid="commerce-summary" data-done={o.commerce.done} data-total={o.commerce.total}>
                  <Badge tone={o.commerce.ready ? "success" : "attention"}>{`${o.commerce.done} of ${o.commerce.total} steps done`}</Badge>
                </span>
              </InlineGrid>
              <Text as="p" tone="subdued">
                {o.commerce.ready
                  ? "Your catalog is linked to WhatsApp: you can send products in chats."
                  : "To send products in WhatsApp chats, your catalog must be linked to your WhatsApp account and switched on."}
              </Text>
              {o.commerce.next && (
                <span data-testid="commerce-next">
                  <Text as="p">
                    Next: <Text as="span" fontWeight="semibold">{o.commerce.next.title}</Text>. {o.commerce.next.detail}
                  </Text>
                </span>
              )}
              <Box>
                <Button url="/app/whatsapp">{o.commerce.ready ? "Send a product" : "Open the checklist"}</Button>
              </Box>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export const meta: MetaFunction = () => pageTitle("Overview");
