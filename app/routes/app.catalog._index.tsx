import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { pageTitle } from "../page-title";
import { useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, BlockStack, Layout, Page } from "@shopify/polaris";
import { useEffect } from "react";
import { catalogFormAction } from "../catalog/actions.server";
import { catalogPageData } from "../catalog/page-data.server";
import { ActionResultBanner } from "../components/catalog/ActionResultBanner";
import { catalogHealth, HEALTH_BADGE } from "../components/catalog/catalog-health";
import { ChooseCatalogCard } from "../components/catalog/ChooseCatalogCard";
import { ConnectionBanner } from "../components/catalog/ConnectionBanner";
import { ConnectCatalogCard } from "../components/catalog/ConnectCatalogCard";
import { DiagnosticsCard } from "../components/catalog/DiagnosticsCard";
import { ErrorGroupsCard } from "../components/catalog/ErrorGroupsCard";
import { FreshnessCard } from "../components/catalog/FreshnessCard";
import { MetaReviewCard } from "../components/catalog/MetaReviewCard";
import { FullSyncNotices } from "../components/catalog/FullSyncNotices";
import { ProductTableCard } from "../components/catalog/ProductTableCard";
import { SyncSummaryCard } from "../components/catalog/SyncSummaryCard";
import { db } from "../db.server";
import { metaClient } from "../meta/shared-client.server";
import { authenticate } from "../shopify.server";

/** /app/catalog: connect a Meta Catalog, follow the sync, fix what failed. */

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return catalogPageData(db, metaClient(), session.shop, new URL(request.url).searchParams);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return catalogFormAction(db, metaClient(), session.shop, request);
};

export default function CatalogPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const revalidator = useRevalidator();
  const state = data.connection?.state ?? "DISCONNECTED";
  const health = catalogHealth(data.connection);
  const connected = state === "CONNECTED" || (state === "NEEDS_RECONNECT" && Boolean(data.connection?.catalogId));
  const busy = data.progress?.state === "RUNNING" || data.progress?.state === "QUEUED" || data.summary.counts.PENDING > 0 || health === "UNREACHABLE";

  // Meta's review of sent products comes later: look again now and then while some await it.
  const awaitingMeta = data.summary.counts.SENT > 0;

  // While products are pending, a full sync runs or Meta is not answering, refresh the figures every few seconds.
  useEffect(() => {
    if (!busy && !awaitingMeta) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), busy ? 3000 : 10_000);
    return () => clearInterval(timer);
  }, [busy, awaitingMeta, revalidator]);

  return (
    <Page
      title="Meta Catalog"
      backAction={{ content: "Overview", url: "/app" }}
      titleMetadata={
        <span data-testid="catalog-state">
          <Badge tone={HEALTH_BADGE[health].tone}>{HEALTH_BADGE[health].label}</Badge>
        </span>
      }
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ActionResultBanner result={result} />
            <ConnectionBanner connection={data.connection} pending={data.summary.counts.PENDING} />
            {data.awaitingChoice && <ChooseCatalogCard catalogs={data.catalogs} choiceError={data.choiceError} />}
            {!data.awaitingChoice && state !== "CONNECTED" && <ConnectCatalogCard reconnect={state === "NEEDS_RECONNECT"} meta={data.meta} />}
            {connected && <FullSyncNotices progress={data.progress} />}
            {connected && <SyncSummaryCard summary={data.summary} progress={data.progress} connection={data.connection} />}
            {connected && <MetaReviewCard review={data.review} />}
            {connected && <DiagnosticsCard diagnostics={data.review.diagnostics} />}
            {connected && <ErrorGroupsCard errorGroups={data.summary.errorGroups} />}
            {connected && <FreshnessCard freshness={data.review.freshness} />}
            {connected && <ProductTableCard table={data.table} counts={data.summary.counts} />}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export const meta: MetaFunction = () => pageTitle("Catalog");
