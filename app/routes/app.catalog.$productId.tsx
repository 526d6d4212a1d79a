import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { pageTitle } from "../page-title";
import { useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { metaClient } from "../meta/shared-client.server";
import { productDetail } from "../catalog/status.server";
import { catalogFormAction } from "../catalog/actions.server";
import { StatusBadge, formatTime } from "../components/catalog/StatusBadge";
import { PageErrorBoundary, pageNotFound } from "../components/error-page";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const detail = /^\d{1,20}$/.test(params.productId ?? "") ? await productDetail(db, session.shop, params.productId!) : null;
  // Another shop's product, a deleted one, or none: the same 404 either way.
  if (!detail) {
    throw pageNotFound({
      title: "Product not found",
      message: "This product is not in the app's catalog. It may have been deleted in Shopify, or it has not reached the app yet.",
      back: { content: "Catalog", url: "/app/catalog" },
    });
  }
  return {
    ...detail,
    lastSyncedAt: detail.lastSyncedAt?.toISOString() ?? null,
    shopifyUpdatedAt: detail.shopifyUpdatedAt.toISOString(),
    batch: detail.batch && { ...detail.batch, createdAt: detail.batch.createdAt.toISOString(), finishedAt: detail.batch.finishedAt?.toISOString() ?? null },
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return catalogFormAction(db, metaClient(), session.shop, request, params.productId ?? "");
};

export default function ProductSyncPage() {
  const p = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submit = useSubmit();
  return (
    <Page
      title={p.title || `Product ${p.productId}`}
      backAction={{ content: "Catalog", url: "/app/catalog" }}
      titleMetadata={
        <span data-testid="product-status">
          <StatusBadge status={p.status} />
        </span>
      }
      primaryAction={{ content: "Sync now", onAction: () => submit({ intent: "sync" }, { method: "post" }) }}
      secondaryActions={[
        p.excluded
          ? { content: "Include again", onAction: () => submit({ intent: "include" }, { method: "post" }) }
          : { content: "Exclude from catalog", destructive: true, onAction: () => submit({ intent: "exclude" }, { method: "post" }) },
      ]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result && (result.ok ? <Banner tone="success">{result.message}</Banner> : <Banner tone="critical">{result.error}</Banner>)}
            {p.lastError && (
              <Banner tone={p.status === "FAILED" ? "critical" : "info"} title={p.status === "FAILED" ? "Meta did not accept this product" : undefined}>
                <p>{p.lastError}</p>
              </Banner>
            )}
            <Card>
              <BlockStack gap="200">
                <InlineStack gap="400">
                  <Text as="p">Last synced: {formatTime(p.lastSyncedAt)}</Text>
                  <Text as="p">Shopify change: {formatTime(p.shopifyUpdatedAt)}</Text>
                </InlineStack>
                {p.batch && (
                  <Text as="p" tone="subdued">
                    Last batch: {p.batch.itemCount} item request{p.batch.itemCount === 1 ? "" : "s"}, {p.batch.status.toLowerCase()}, sent{" "}
                    {formatTime(p.batch.createdAt)}
                    {p.batch.handle ? ` (handle ${p.batch.handle})` : ""}
                  </Text>
                )}
              </BlockStack>
            </Card>
            <Card padding="0">
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "text"]}
                headings={["Catalog item (retailer id)", "Price", "Availability", "Status", "Meta's message"]}
                rows={p.items.map((i) => [i.retailerId, i.price, i.availability, <StatusBadge key="s" status={i.status} />, i.error ?? ""])}
              />
              {p.items.length === 0 && (
                <BlockStack>
                  <Text as="p" tone="subdued" alignment="center">
                    Nothing of this product is in the catalog.
                  </Text>
                </BlockStack>
              )}
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = PageErrorBoundary;

// The product's own title (issue 16: a tab per product says which).
export const meta: MetaFunction<typeof loader> = ({ data }) => pageTitle(data ? data.title || `Product ${data.productId}` : "Catalog");
