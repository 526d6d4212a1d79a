import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator, useSearchParams, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  EmptyState,
  Filters,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Pagination,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { metaClient } from "../meta/shared-client.server";
import { CatalogConnectError, listChoosableCatalogs } from "../catalog/connect.server";
import { catalogSummary, productTable } from "../catalog/status.server";
import { fullSyncProgress } from "../catalog/full-sync-state.server";
import { parseCatalogAction, readForm, runCatalogAction } from "../catalog/actions.server";
import { StatusBadge, formatTime } from "../components/catalog-status";
import { MetaLoginButton, type MetaLoginResult } from "../components/meta-login";
import { metaLoginSettings } from "../meta/login-settings.server";
import { env } from "../env.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const url = new URL(request.url);
  const connection = await db.catalogConnection.findUnique({ where: { shop } });
  const awaitingChoice = Boolean(connection?.tokenCiphertext && !connection.catalogId);
  let catalogs: { id: string; name: string | null }[] = [];
  let choiceError: string | null = null;
  if (awaitingChoice) {
    try {
      catalogs = (await listChoosableCatalogs(db, metaClient(), shop)).map((c) => ({ id: c.id, name: c.name }));
    } catch (error) {
      choiceError = error instanceof CatalogConnectError ? error.message : "Could not list the catalogs this token can manage. Connect again.";
    }
  }
  const [summary, table, progress] = await Promise.all([
    catalogSummary(db, shop),
    productTable(db, shop, { query: url.searchParams.get("q") ?? undefined, status: url.searchParams.get("status") ?? undefined, page: Number(url.searchParams.get("page") ?? 1) || 1 }),
    fullSyncProgress(db, shop),
  ]);
  return {
    // Facebook Login for Business with the catalog configuration (catalog_management).
    meta: metaLoginSettings(env().META_CATALOG_CONFIG_ID),
    connection: connection
      ? {
          state: connection.state,
          reason: connection.stateReason,
          catalogId: connection.catalogId,
          catalogName: connection.catalogName,
          lastError: connection.lastError,
          lastSuccessAt: connection.lastSuccessAt?.toISOString() ?? null,
          pausedUntil: connection.pausedUntil?.toISOString() ?? null,
        }
      : null,
    awaitingChoice,
    catalogs,
    choiceError,
    summary,
    table: { ...table, rows: table.rows.map((r) => ({ ...r, lastSyncedAt: r.lastSyncedAt?.toISOString() ?? null, updatedAt: r.updatedAt.toISOString() })) },
    progress: progress && { ...progress, startedAt: progress.startedAt?.toISOString() ?? null, endedAt: progress.endedAt?.toISOString() ?? null },
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const read = await readForm(request);
  const parsed = "form" in read ? parseCatalogAction(read.form) : read;
  if ("error" in parsed) return Response.json({ ok: false, error: parsed.error }, { status: 400 });
  const result = await runCatalogAction(db, metaClient(), session.shop, parsed.action);
  return Response.json(result, { status: result.ok ? 200 : 400 });
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function ConnectCard({ reconnect, meta }: { reconnect: boolean; meta: LoaderData["meta"] }) {
  const [token, setToken] = useState("");
  const busy = useNavigation().state !== "idle";
  const submit = useSubmit();
  const onLogin = (result: MetaLoginResult) =>
    submit({ intent: "connect-code", code: result.code, via: result.via }, { method: "post" });
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {reconnect ? "Reconnect your Meta Catalog" : "Connect a Meta Catalog"}
        </Text>
        {meta.configured && (
          <BlockStack gap="200">
            <Text as="p">Log in with the Facebook account that manages your catalog and grant catalog access.</Text>
            <MetaLoginButton
              config={{ ...meta, expectSignupEvent: false }}
              label={reconnect ? "Reconnect with Facebook" : "Connect with Facebook"}
              onResult={onLogin}
              busy={busy}
              subject="your catalog"
            />
          </BlockStack>
        )}
        <Text as="p" tone="subdued">
          {meta.configured ? "Or paste" : "Paste"} a system user access token with the catalog_management permission (Meta
          Business Settings › Users › System users › Generate token). It is encrypted for this shop and never shown again.
        </Text>
        <Form method="post">
          <input type="hidden" name="intent" value="connect-token" />
          <BlockStack gap="200">
            <TextField label="Access token" name="token" type="password" value={token} onChange={setToken} autoComplete="off" />
            <InlineStack>
              <Button submit variant="primary" loading={busy} disabled={token.length < 20}>
                {reconnect ? "Reconnect" : "Connect"}
              </Button>
            </InlineStack>
          </BlockStack>
        </Form>
      </BlockStack>
    </Card>
  );
}

function ChooseCatalog({ data }: { data: LoaderData }) {
  const [catalogId, setCatalogId] = useState(data.catalogs[0]?.id ?? "");
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Choose the catalog to keep in sync
        </Text>
        {data.choiceError && <Banner tone="critical">{data.choiceError}</Banner>}
        {data.catalogs.length === 0 && !data.choiceError ? (
          <Text as="p">This token cannot manage any catalog. Create a catalog in Meta Commerce Manager, or grant the token access to one.</Text>
        ) : (
          <Form method="post">
            <input type="hidden" name="intent" value="choose-catalog" />
            <BlockStack gap="200">
              <Select
                label="Catalog"
                name="catalogId"
                options={data.catalogs.map((c) => ({ label: c.name ? `${c.name} (${c.id})` : c.id, value: c.id }))}
                value={catalogId}
                onChange={setCatalogId}
              />
              <InlineStack>
                <Button submit variant="primary">
                  Connect and sync all products
                </Button>
              </InlineStack>
            </BlockStack>
          </Form>
        )}
      </BlockStack>
    </Card>
  );
}

function SyncSummary({ data }: { data: LoaderData }) {
  const { summary, progress, connection } = data;
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
        {progress?.state === "FAILED" && <Banner tone="critical">Full sync failed: {progress.error}. Use Resync all to try again.</Banner>}
      </BlockStack>
    </Card>
  );
}

function ErrorGroups({ data }: { data: LoaderData }) {
  if (data.summary.errorGroups.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Why products failed
        </Text>
        {data.summary.errorGroups.map((g) => (
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

function ProductTable({ data }: { data: LoaderData }) {
  const [params, setParams] = useSearchParams();
  const [query, setQuery] = useState(params.get("q") ?? "");
  const submit = useSubmit();
  const go = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  const { rows, page, pages, total } = data.table;
  return (
    <Card padding="0">
      <Box padding="300">
        <Filters
          queryValue={query}
          queryPlaceholder="Search products"
          filters={[]}
          onQueryChange={(v) => {
            setQuery(v);
            go({ q: v || null, page: null });
          }}
          onQueryClear={() => {
            setQuery("");
            go({ q: null, page: null });
          }}
          onClearAll={() => go({ q: null, status: null, page: null })}
        />
      </Box>
      {total === 0 ? (
        <EmptyState heading="No products yet" image="">
          <p>Products appear here as Shopify sends them, or after a full sync.</p>
        </EmptyState>
      ) : (
        <DataTable
          columnContentTypes={["text", "text", "text", "text", "text"]}
          headings={["Product", "Status", "Last synced", "Problem", ""]}
          rows={rows.map((r) => [
            <Link key="l" url={`/app/catalog/${r.productId}`} removeUnderline>
              {r.title || `Product ${r.productId}`}
            </Link>,
            <StatusBadge key="s" status={r.status} dirty={r.dirty} />,
            formatTime(r.lastSyncedAt),
            r.lastError ? <Text as="span" tone="critical" truncate>{r.lastError}</Text> : "",
            <Button
              key="b"
              variant="plain"
              onClick={() => submit({ intent: r.excluded ? "include" : "exclude", productId: r.productId }, { method: "post" })}
            >
              {r.excluded ? "Include again" : "Exclude"}
            </Button>,
          ])}
        />
      )}
      <Box padding="300">
        <InlineStack align="center">
          <Pagination
            hasPrevious={page > 1}
            onPrevious={() => go({ page: String(page - 1) })}
            hasNext={page < pages}
            onNext={() => go({ page: String(page + 1) })}
            label={`Page ${page} of ${pages}`}
          />
        </InlineStack>
      </Box>
    </Card>
  );
}

export default function CatalogPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const revalidator = useRevalidator();
  const state = data.connection?.state ?? "DISCONNECTED";
  const connected = state === "CONNECTED" || (state === "NEEDS_RECONNECT" && Boolean(data.connection?.catalogId));
  const busy = data.progress?.state === "RUNNING" || data.progress?.state === "QUEUED" || data.summary.counts.PENDING > 0;

  // While products are pending or a full sync runs, refresh the figures every few seconds.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 3000);
    return () => clearInterval(timer);
  }, [busy, revalidator]);

  return (
    <Page
      title="Meta Catalog"
      backAction={{ content: "Overview", url: "/app" }}
      titleMetadata={
        <span data-testid="catalog-state">
          <Badge tone={state === "CONNECTED" ? "success" : state === "NEEDS_RECONNECT" ? "critical" : undefined}>
            {state === "CONNECTED" ? "Connected" : state === "NEEDS_RECONNECT" ? "Needs reconnect" : "Not connected"}
          </Badge>
        </span>
      }
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result && (result.ok ? <Banner tone="success">{result.message}</Banner> : <Banner tone="critical">{result.error}</Banner>)}
            {state === "NEEDS_RECONNECT" && (
              <Banner tone="critical" title="Catalog sync is paused">
                <p>{data.connection?.reason}</p>
              </Banner>
            )}
            {data.connection?.pausedUntil && new Date(data.connection.pausedUntil) > new Date() && (
              <Banner tone="warning">{data.connection.lastError}</Banner>
            )}
            {data.awaitingChoice && <ChooseCatalog data={data} />}
            {!data.awaitingChoice && (state !== "CONNECTED") && <ConnectCard reconnect={state === "NEEDS_RECONNECT"} meta={data.meta} />}
            {connected && <SyncSummary data={data} />}
            {connected && <ErrorGroups data={data} />}
            {connected && <ProductTable data={data} />}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
