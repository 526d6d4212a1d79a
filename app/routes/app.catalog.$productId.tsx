import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useEffect } from "react";
import { pageTitle } from "../page-title";
import { useActionData, useLoaderData, useRevalidator, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Box, Card, IndexTable, InlineStack, Layout, Page, Text, useBreakpoints } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { metaClient } from "../meta/shared-client.server";
import { productPageData } from "../catalog/page-data.server";
import type { SyncStatus } from "../catalog/status.server";
import { catalogFormAction } from "../catalog/actions.server";
import { ProductReviewCard } from "../components/catalog/ProductReviewCard";
import { StatusBadge, formatTime } from "../components/catalog/StatusBadge";
import { ActionResultBanner } from "../components/catalog/ActionResultBanner";
import { shopifyAdminProductUrl } from "../components/catalog/admin-links";
import { PageErrorBoundary, pageNotFound } from "../components/error-page";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const data = /^\d{1,20}$/.test(params.productId ?? "") ? await productPageData(db, session.shop, params.productId!) : null;
  // Another shop's product, a deleted one, or none: the same 404 either way.
  if (!data) {
    throw pageNotFound({
      title: "Product not found",
      message: "This product is not in the app's catalog. It may have been deleted in Shopify, or it has not reached the app yet.",
      back: { content: "Catalog", url: "/app/catalog" },
    });
  }
  return data;
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return catalogFormAction(db, metaClient(), session.shop, request, params.productId ?? "");
};

/** While the product is pending: the worker flushes after about 1 s and Meta's first batch check follows 0.2-0.8 s later, so a change lands in 1-3 s; a 2 s poll shows it within one interval. */
const PENDING_POLL_MS = 2000;
/** Otherwise the page still follows webhooks (a change in Shopify turns it Pending): one small read every 15 s, only while the page is visible. */
const IDLE_POLL_MS = 15_000;

const BATCH_WORDS: Record<string, string> = {
  RECORDING: "Meta is checking it",
  SENT: "Meta is checking it",
  FINISHED: "Meta finished checking it",
  FAILED: "Meta could not process that update as a whole, so the app sent the product again",
};

/** What the product's status (the table's, app/catalog/verdict.ts) means for it, and what to do. */
const STATUS_WORDS: Record<SyncStatus, string> = {
  FAILED: "Change what the message above says in Shopify: the app sends the product again as soon as Shopify tells it about the change.",
  REJECTED: "Meta's review rejected this product: see why and what to change below.",
  NEEDS_FIXING: "Meta shows a problem to fix in Shopify before shoppers can see this product: see below.",
  PENDING: "A change is on its way to Meta. This page updates by itself.",
  SENT: "Meta accepted the latest change and is reviewing it; this page shows Meta's verdict when it comes.",
  LIVE: "Live: Meta approved this product, and shoppers can see it on Facebook, Instagram and WhatsApp.",
  EXCLUDED: "This product is kept out of the catalog.",
};

/** Meta accepted the product's last change: its review card applies. */
const ACCEPTED: readonly SyncStatus[] = ["SENT", "LIVE", "REJECTED", "NEEDS_FIXING"];

export default function ProductSyncPage() {
  const p = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submit = useSubmit();
  const revalidator = useRevalidator();
  const condensed = useBreakpoints().smDown;
  const pending = p.status === "PENDING";

  // The page follows the product by itself after Sync now and after a webhook (issue 16).
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, pending ? PENDING_POLL_MS : IDLE_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, revalidator]);

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
        { content: "Open in Shopify", url: shopifyAdminProductUrl(p.productId), target: "_top" },
        p.excluded
          ? { content: "Include again", onAction: () => submit({ intent: "include" }, { method: "post" }) }
          : { content: "Exclude from catalog", destructive: true, onAction: () => submit({ intent: "exclude" }, { method: "post" }) },
      ]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ActionResultBanner result={result} />
            {p.lastError && (
              <Banner tone={p.status === "FAILED" ? "critical" : "info"} title={p.status === "FAILED" ? "Fix this product in Shopify" : p.status === "EXCLUDED" ? "Why it is kept out" : undefined}>
                <p>{p.lastError}</p>
              </Banner>
            )}
            <Card>
              <BlockStack gap="200">
                <span data-testid="product-status-words">
                  <Text as="p">
                    {pending && p.metaUnreachable
                      ? `Meta is not answering; the app retries by itself, nothing is lost. Last successful sync: ${formatTime(p.metaUnreachable.lastSuccessAt)}.`
                      : STATUS_WORDS[p.status]}
                  </Text>
                </span>
                <InlineStack gap="400">
                  <Text as="p">{p.lastSyncedAt ? `Last synced: ${formatTime(p.lastSyncedAt)}` : "Never synced"}</Text>
                  <Text as="p">Last changed in Shopify: {formatTime(p.shopifyUpdatedAt)}</Text>
                </InlineStack>
                {p.batch && (
                  <Text as="p" tone="subdued">
                    Last sent to Meta {formatTime(p.batch.createdAt)}, in an update of {p.batch.itemCount} item change{p.batch.itemCount === 1 ? "" : "s"}
                    {"; "}
                    {BATCH_WORDS[p.batch.status] ?? "Meta is checking it"}
                    {p.batch.status === "FINISHED" && p.batch.finishedAt ? ` (${formatTime(p.batch.finishedAt)})` : ""}.
                  </Text>
                )}
              </BlockStack>
            </Card>
            {ACCEPTED.includes(p.status) && <ProductReviewCard {...p} />}
            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <Text as="h2" variant="headingMd">
                  Variants
                </Text>
              </Box>
              <IndexTable
                resourceName={{ singular: "variant", plural: "variants" }}
                itemCount={p.items.length}
                selectable={false}
                condensed={condensed}
                emptyState={
                  <Box padding="400">
                    <Text as="p" tone="subdued" alignment="center">
                      Nothing of this product is in the catalog.
                    </Text>
                  </Box>
                }
                headings={[{ title: "Variant" }, { title: "Price" }, { title: "Availability" }, { title: "Status" }, { title: "Problem" }]}
              >
                {p.items.map((i, index) => (
                  <IndexTable.Row id={i.retailerId} key={i.retailerId} position={index}>
                    {condensed ? (
                      <div data-testid="variant-row" style={{ padding: "var(--p-space-300) var(--p-space-400)" }}>
                        <BlockStack gap="100">
                          <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
                            <Text as="span" fontWeight="semibold">
                              {i.variant.title}
                            </Text>
                            <span data-testid={`variant-status-${i.retailerId}`}>
                              <StatusBadge status={i.verdict} />
                            </span>
                          </InlineStack>
                          {i.variant.options && <Text as="p" tone="subdued">{i.variant.options}</Text>}
                          <Text as="p">{[i.price, i.availability].filter(Boolean).join(" · ")}</Text>
                          {(i.error ?? i.cause) && <Text as="p" tone="critical">{i.error ?? i.cause}</Text>}
                        </BlockStack>
                      </div>
                    ) : (
                      <>
                        <IndexTable.Cell>
                          <BlockStack gap="050">
                            <Text as="span" fontWeight="semibold">
                              {i.variant.title}
                            </Text>
                            {i.variant.options && (
                              <Text as="span" tone="subdued">
                                {i.variant.options}
                              </Text>
                            )}
                          </BlockStack>
                        </IndexTable.Cell>
                        <IndexTable.Cell>{i.price}</IndexTable.Cell>
                        <IndexTable.Cell>{i.availability}</IndexTable.Cell>
                        <IndexTable.Cell>
                          <span data-testid={`variant-status-${i.retailerId}`}>
                            <StatusBadge status={i.verdict} />
                          </span>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          {/* Meta's full reason and the fix are in the banner above; here, the cause in a few words. */}
                          {(i.error ?? i.cause) ? (
                            <Box maxWidth="28rem">
                              <Text as="span" tone="critical" breakWord>
                                {i.error ?? i.cause}
                              </Text>
                            </Box>
                          ) : (
                            ""
                          )}
                        </IndexTable.Cell>
                      </>
                    )}
                  </IndexTable.Row>
                ))}
              </IndexTable>
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
