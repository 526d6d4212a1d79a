import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { shopOverview } from "../shop.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { catalog, products } = await shopOverview(session.shop);
  return { catalog, products };
};

export default function CatalogPage() {
  const { catalog, products } = useLoaderData<typeof loader>();
  return (
    <Page title="Meta Catalog" backAction={{ content: "Overview", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <span data-testid="catalog-state">
                <Badge tone={catalog.state === "CONNECTED" ? "success" : undefined}>
                  {catalog.state === "CONNECTED" ? "Connected" : catalog.state === "NEEDS_RECONNECT" ? "Needs reconnect" : "Not connected"}
                </Badge>
              </span>
              <Text as="p">
                {products.synced} synced, {products.pending} pending, {products.failed} failed, {products.excluded} excluded
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
