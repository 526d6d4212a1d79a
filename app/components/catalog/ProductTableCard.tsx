import { useEffect, useRef, useState } from "react";
import { useSearchParams, useSubmit } from "@remix-run/react";
import {
  BlockStack,
  Box,
  Button,
  Card,
  EmptySearchResult,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  InlineStack,
  Link,
  Pagination,
  Text,
  useBreakpoints,
  useSetIndexFiltersMode,
} from "@shopify/polaris";
import type { CatalogPageData, ProductRowView } from "../../catalog/page-data.server";
import { VERDICTS } from "../../catalog/verdict";
import { STATUS_LABELS, StatusBadge, formatTime } from "./StatusBadge";
import { shopifyAdminProductUrl } from "./admin-links";

/** The table's status tabs: everything, then what needs the merchant first (the order of VERDICTS: Failed, Rejected, Needs fixing, Pending, Sent, Live, Excluded). */
const TABS = [null, ...VERDICTS] as const;

/** How long typing may pause before the search runs: one request per word, not per keystroke. */
export const SEARCH_DEBOUNCE_MS = 300;

/**
 * The shop's products with their status (Meta's verdict): status tabs (problems first) with the page's counts, a
 * search kept in the URL, Exclude / Include again and a link to each product in the Shopify admin.
 * At phone width the rows stack (IndexTable's condensed rows) instead of scrolling sideways.
 */
export function ProductTableCard({ table, counts }: { table: CatalogPageData["table"]; counts: CatalogPageData["summary"]["counts"] }) {
  const [params, setParams] = useSearchParams();
  const submit = useSubmit();
  const urlQuery = params.get("q") ?? "";
  const [query, setQuery] = useState(urlQuery);
  const { mode, setMode } = useSetIndexFiltersMode(urlQuery ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);
  const condensed = useBreakpoints().smDown;
  const status = params.get("status");
  const selected = Math.max(0, TABS.indexOf(status as (typeof TABS)[number]));

  const go = (patch: Record<string, string | null>, replace = false) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace, preventScrollReset: true });
  };

  // The search runs once typing pauses; the URL keeps it (reload, back, a shared link show the same list).
  const latest = useRef({ params, urlQuery });
  latest.current = { params, urlQuery };
  const pushed = useRef(urlQuery);
  useEffect(() => {
    if (query === latest.current.urlQuery) return;
    const timer = setTimeout(() => {
      const next = new URLSearchParams(latest.current.params);
      if (query) next.set("q", query);
      else next.delete("q");
      next.delete("page");
      pushed.current = query;
      setParams(next, { replace: true, preventScrollReset: true });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, setParams]);
  // Back or forward to another search: the field follows the URL (not when the URL only caught up
  // with the field, which may have moved on while the search ran).
  useEffect(() => {
    if (urlQuery !== pushed.current) {
      pushed.current = urlQuery;
      setQuery(urlQuery);
    }
  }, [urlQuery]);

  const clearSearch = () => {
    setQuery("");
    go({ q: null, status: null, page: null });
  };
  const { rows, page, pages, total } = table;
  const filtered = Boolean(urlQuery || status);
  const tabs = TABS.map((s, index) => ({
    id: `status-${s ?? "all"}`,
    // The count in the name, not Polaris's tab badge: that badge reads "New" to screen readers.
    content: s ? `${STATUS_LABELS[s].label} (${counts[s]})` : "All",
    index,
  }));

  const toggle = (r: ProductRowView) => (
    <Button
      variant="plain"
      accessibilityLabel={`${r.excluded ? "Include again" : "Exclude"}: ${r.title || `product ${r.productId}`}`}
      onClick={() => submit({ intent: r.excluded ? "include" : "exclude", productId: r.productId }, { method: "post" })}
    >
      {r.excluded ? "Include again" : "Exclude"}
    </Button>
  );
  const problem = (r: ProductRowView) =>
    r.lastError ? (
      <Text as="p" tone={r.status === "FAILED" ? "critical" : "subdued"}>
        {r.lastError}
      </Text>
    ) : r.excluded && r.status === "EXCLUDED" ? (
      <Text as="p" tone="subdued">
        You excluded it.
      </Text>
    ) : null;
  const title = (r: ProductRowView) => (
    <Link url={`/app/catalog/${r.productId}`} removeUnderline>
      <Text as="span" fontWeight="semibold">
        {r.title || `Product ${r.productId}`}
      </Text>
    </Link>
  );
  const adminLink = (r: ProductRowView) => (
    <Link url={shopifyAdminProductUrl(r.productId)} target="_top" removeUnderline accessibilityLabel={`Open in Shopify: ${r.title || `product ${r.productId}`}`}>
      Open in Shopify
    </Link>
  );

  return (
    <Card padding="0">
      <IndexFilters
        tabs={tabs}
        selected={selected}
        onSelect={(index) => go({ status: TABS[index] ?? null, page: null })}
        queryValue={query}
        queryPlaceholder="Search products by title"
        onQueryChange={setQuery}
        onQueryClear={() => setQuery("")}
        filters={[]}
        onClearAll={clearSearch}
        mode={mode}
        setMode={setMode}
        canCreateNewView={false}
        cancelAction={{ onAction: () => setQuery(""), disabled: false, loading: false }}
        disableKeyboardShortcuts
        filteringAccessibilityLabel="Search products"
      />
      <IndexTable
        resourceName={{ singular: "product", plural: "products" }}
        itemCount={rows.length}
        selectable={false}
        condensed={condensed}
        emptyState={
          filtered ? (
            <Box padding="600">
              <BlockStack gap="300" inlineAlign="center">
                <EmptySearchResult
                  title="No products match"
                  description={
                    urlQuery
                      ? `No product${status ? ` with status ${STATUS_LABELS[status as keyof typeof STATUS_LABELS]?.label ?? status}` : ""} has “${urlQuery}” in its title.`
                      : `No product is ${STATUS_LABELS[status as keyof typeof STATUS_LABELS]?.label.toLowerCase() ?? status}.`
                  }
                />
                <Button onClick={clearSearch}>Clear search and filters</Button>
              </BlockStack>
            </Box>
          ) : (
            <Box padding="600">
              <BlockStack gap="200" inlineAlign="center">
                <Text as="h3" variant="headingMd">
                  No products yet
                </Text>
                <Text as="p" tone="subdued">
                  Products appear here as Shopify sends them, or after Resync all.
                </Text>
              </BlockStack>
            </Box>
          )
        }
        headings={[{ title: "Product" }, { title: "Status" }, { title: "Last synced" }, { title: "Problem" }, { title: "Actions", hidden: true }]}
      >
        {rows.map((r, index) =>
          condensed ? (
            <IndexTable.Row id={r.productId} key={r.productId} position={index}>
              <div data-testid="product-row" style={{ padding: "var(--p-space-300) var(--p-space-400)" }}>
                <BlockStack gap="100">
                  <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
                    {title(r)}
                    <StatusBadge status={r.status} />
                  </InlineStack>
                  <Text as="p" tone="subdued">
                    {r.lastSyncedAt ? `Last synced ${formatTime(r.lastSyncedAt)}` : "Never synced"}
                  </Text>
                  {problem(r)}
                  <InlineStack gap="400">
                    {toggle(r)}
                    {adminLink(r)}
                  </InlineStack>
                </BlockStack>
              </div>
            </IndexTable.Row>
          ) : (
            <IndexTable.Row id={r.productId} key={r.productId} position={index}>
              <IndexTable.Cell>{title(r)}</IndexTable.Cell>
              <IndexTable.Cell>
                <StatusBadge status={r.status} />
              </IndexTable.Cell>
              <IndexTable.Cell>{r.lastSyncedAt ? formatTime(r.lastSyncedAt) : "Never"}</IndexTable.Cell>
              <IndexTable.Cell>
                {/* Wraps: IndexTable cells do not, and a long message pushed the actions out of the card. */}
                <div style={{ whiteSpace: "normal", minWidth: "12rem", maxWidth: "26rem" }}>{problem(r)}</div>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <InlineStack gap="400" wrap={false}>
                  {toggle(r)}
                  {adminLink(r)}
                </InlineStack>
              </IndexTable.Cell>
            </IndexTable.Row>
          ),
        )}
      </IndexTable>
      <Box padding="300">
        <InlineStack align="center">
          <Pagination
            hasPrevious={page > 1}
            onPrevious={() => go({ page: String(page - 1) })}
            hasNext={page < pages}
            onNext={() => go({ page: String(page + 1) })}
            label={`Page ${page} of ${pages} (${total} product${total === 1 ? "" : "s"})`}
          />
        </InlineStack>
      </Box>
    </Card>
  );
}
