import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { shopOverview } from "../shop.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { whatsapp } = await shopOverview(session.shop);
  return { whatsapp };
};

export default function WhatsAppPage() {
  const { whatsapp } = useLoaderData<typeof loader>();
  return (
    <Page title="WhatsApp" backAction={{ content: "Overview", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                WhatsApp Business Account
              </Text>
              <span data-testid="whatsapp-state">
                <Badge tone={whatsapp.state === "CONNECTED" ? "success" : undefined}>
                  {whatsapp.state === "CONNECTED" ? "Connected" : whatsapp.state === "NEEDS_RECONNECT" ? "Needs reconnect" : "Not connected"}
                </Badge>
              </span>
              {whatsapp.wabaId && <Text as="p">WhatsApp Business Account {whatsapp.wabaId}</Text>}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
