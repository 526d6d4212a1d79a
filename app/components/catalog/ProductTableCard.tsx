import { useState } from "react";
import { useSearchParams, useSubmit } from "@remix-run/react";
import { Box, Button, Card, DataTable, EmptyState, Filters, InlineStack, Link, Pagination, Text } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { StatusBadge, formatTime } from "./StatusBadge";

/** The shop's products with their sync status, searchable and paged; Exclude and Include again per product. */
export function ProductTableCard({ table }: { table: CatalogPageData["table"] }) {
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
  const { rows, page, pages, total } = table;
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
            <StatusBadge key="s" status={r.status} />,
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
