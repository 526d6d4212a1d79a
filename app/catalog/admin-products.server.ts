import { createAdminApiClient } from "@shopify/admin-api-client";
import type { Db } from "../db.server";
import { OfflineTokenError, offlineAccessToken } from "../offline-token.server";
import { ADMIN_API_VERSION } from "../shopify-api-version";
import { ProductPayload, type ProductSnapshot } from "./product-payload";

/**
 * Reads a shop's products from the Admin GraphQL API, page by page, with the
 * shop's offline token, converted to the same snapshot shape the product
 * webhooks deliver. Cost-aware: it waits for Shopify's leaky bucket instead
 * of hitting THROTTLED. SHOPIFY_ADMIN_API_URL points it at a stand-in
 * (sandbox, tests, benchmarks); production talks to https://{shop}.
 */

export const PRODUCTS_PER_PAGE = 50;

// The same product fields as PRODUCTS_QUERY, in bulk-operation form (connections as edges,
// written as separate JSONL lines with __parentId).
const BULK_PRODUCTS_QUERY = `{
  products(sortKey: ID) {
    edges { node {
      id legacyResourceId title descriptionHtml vendor productType handle status publishedAt updatedAt tags
      options { name position }
      media { edges { node { ... on MediaImage { id image { id url } } } } }
      variants { edges { node {
        id legacyResourceId title price compareAtPrice sku barcode inventoryQuantity inventoryPolicy position
        inventoryItem { tracked }
        selectedOptions { name value }
        image { id url }
      } } }
    } }
  }
}`;

const START_BULK = `#graphql
mutation FullSyncBulk($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
}`;

const BULK_STATUS = `#graphql
query FullSyncBulkStatus($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount rootObjectCount url } }
}`;

const PRODUCT_COUNT = `#graphql
query FullSyncCount { productsCount(limit: null) { count } }`;

const PRODUCTS_QUERY = `#graphql
query FullSyncProducts($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      legacyResourceId title descriptionHtml vendor productType handle status publishedAt updatedAt tags
      options { name position }
      media(first: 20) { nodes { ... on MediaImage { id image { id url } } } }
      variants(first: 100) {
        pageInfo { hasNextPage }
        nodes {
          legacyResourceId title price compareAtPrice sku barcode inventoryQuantity inventoryPolicy position
          inventoryItem { tracked }
          selectedOptions { name value }
          image { id url }
        }
      }
    }
  }
}`;

const SHOP_QUERY = `#graphql
query FullSyncShop { shop { currencyCode primaryDomain { host } } }`;

interface VariantNode {
  legacyResourceId: string;
  title: string;
  price: string;
  compareAtPrice: string | null;
  sku: string | null;
  barcode: string | null;
  inventoryQuantity: number | null;
  inventoryPolicy: string;
  position: number;
  inventoryItem: { tracked: boolean } | null;
  selectedOptions: { name: string; value: string }[];
  image: { id: string; url: string } | null;
}

interface ProductNode {
  legacyResourceId: string;
  title: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  handle: string;
  status: string;
  publishedAt: string | null;
  updatedAt: string;
  tags: string[];
  options: { name: string; position: number }[];
  media: { nodes: ({ id: string; image: { id: string; url: string } | null } | Record<string, never>)[] };
  variants: { nodes: VariantNode[] };
}

const legacyId = (gid: string) => gid.replace(/^gid:\/\/shopify\/\w+\//, "");

/** The GraphQL product in the REST webhook shape (so one mapping serves both). */
export function toSnapshot(node: ProductNode): ProductSnapshot {
  const options = [...node.options].sort((a, b) => a.position - b.position);
  const images = node.media.nodes
    .filter((m): m is { id: string; image: { id: string; url: string } } => "image" in m && Boolean(m.image?.url))
    .map((m, i) => ({ id: legacyId(m.image.id), src: m.image.url, position: i + 1 }));
  const candidate = {
    id: node.legacyResourceId,
    title: node.title,
    body_html: node.descriptionHtml,
    vendor: node.vendor,
    product_type: node.productType,
    handle: node.handle,
    status: node.status.toLowerCase(),
    published_at: node.publishedAt,
    updated_at: node.updatedAt,
    tags: node.tags.join(", "),
    options: options.map((o) => ({ name: o.name, position: o.position })),
    images,
    image: images[0] ?? null,
    variants: node.variants.nodes.map((v) => {
      const value = (name: string) => v.selectedOptions.find((o) => o.name === name)?.value ?? null;
      return {
        id: v.legacyResourceId,
        title: v.title,
        price: v.price,
        compare_at_price: v.compareAtPrice,
        sku: v.sku,
        barcode: v.barcode,
        inventory_quantity: v.inventoryQuantity,
        inventory_policy: v.inventoryPolicy.toLowerCase(),
        inventory_management: v.inventoryItem?.tracked ? "shopify" : null,
        option1: options[0] ? value(options[0].name) : null,
        option2: options[1] ? value(options[1].name) : null,
        option3: options[2] ? value(options[2].name) : null,
        image_id: v.image ? legacyId(v.image.id) : null,
        position: v.position,
      };
    }),
  };
  return ProductPayload.parse(candidate);
}

export class AdminApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminApiError";
  }
}

interface Cost {
  requestedQueryCost?: number;
  throttleStatus?: { currentlyAvailable: number; restoreRate: number; maximumAvailable: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function adminClientFor(db: Db, shop: string) {
  // The sealed offline token, renewed when it expires (issue 14).
  const token = await offlineAccessToken(db, shop).catch((error: unknown) => {
    throw error instanceof OfflineTokenError ? new AdminApiError(error.message) : error;
  });
  const override = process.env.SHOPIFY_ADMIN_API_URL;
  const client = createAdminApiClient({
    storeDomain: shop,
    apiVersion: ADMIN_API_VERSION,
    accessToken: token.reveal(),
    retries: 2,
    customFetchApi: override
      ? (url, init) => fetch(String(url).replace(`https://${shop}`, `${override.replace(/\/$/, "")}/${shop}`), init)
      : undefined,
  });

  let lastCost: Cost | undefined;
  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    for (let attempt = 0; attempt < 8; attempt++) {
      // Wait for the bucket to refill enough for a query like the last one.
      const status = lastCost?.throttleStatus;
      if (status && lastCost?.requestedQueryCost && status.currentlyAvailable < lastCost.requestedQueryCost) {
        await sleep(((lastCost.requestedQueryCost - status.currentlyAvailable) / Math.max(1, status.restoreRate)) * 1000);
      }
      const response = await client.request<T>(query, { variables });
      lastCost = (response.extensions as { cost?: Cost } | undefined)?.cost;
      const errors = response.errors;
      const throttled = errors?.graphQLErrors?.some((e) => (e.extensions as { code?: string } | undefined)?.code === "THROTTLED");
      if (throttled) {
        const s = lastCost?.throttleStatus;
        await sleep(s ? Math.max(200, ((lastCost?.requestedQueryCost ?? 100) / Math.max(1, s.restoreRate)) * 1000) : 1000);
        continue;
      }
      if (errors) throw new AdminApiError(`Shopify Admin API error: ${errors.message ?? JSON.stringify(errors.graphQLErrors ?? [])}`);
      if (!response.data) throw new AdminApiError("Shopify Admin API returned no data");
      return response.data;
    }
    throw new AdminApiError("Shopify kept throttling the product reads; the full sync will continue later.");
  }

  return {
    async productCount() {
      const data = await request<{ productsCount: { count: number } }>(PRODUCT_COUNT);
      return data.productsCount.count;
    },
    /** Starts a bulk export of every product; Shopify sends bulk_operations/finish when it is done. */
    async startBulkProducts() {
      const data = await request<{
        bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: { message: string }[] };
      }>(START_BULK, { query: BULK_PRODUCTS_QUERY });
      const op = data.bulkOperationRunQuery;
      if (!op.bulkOperation) throw new AdminApiError(`Shopify refused the bulk export: ${op.userErrors.map((e) => e.message).join("; ")}`);
      return op.bulkOperation.id;
    },
    async bulkOperation(id: string) {
      const data = await request<{ node: { status: string; errorCode: string | null; url: string | null; rootObjectCount: string } | null }>(
        BULK_STATUS,
        { id },
      );
      return data.node;
    },
    async shopInfo() {
      const data = await request<{ shop: { currencyCode: string; primaryDomain: { host: string } | null } }>(SHOP_QUERY);
      return { currency: data.shop.currencyCode, primaryDomain: data.shop.primaryDomain?.host ?? null };
    },
    async productPage(after: string | null) {
      const data = await request<{ products: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ProductNode[] } }>(
        PRODUCTS_QUERY,
        { first: PRODUCTS_PER_PAGE, after },
      );
      return {
        products: data.products.nodes.map(toSnapshot),
        nextCursor: data.products.pageInfo.hasNextPage ? data.products.pageInfo.endCursor : null,
      };
    },
  };
}

/**
 * Streams a bulk export's JSONL: a product line, then its media and variant
 * lines (children carry __parentId and follow their parent), so only one
 * product is held at a time and memory stays flat however large the shop.
 * Calls `onPage` with up to `pageSize` snapshots; skips the first `skip`
 * products (a restarted worker continues where the last one stopped).
 */
export async function streamBulkProducts(
  url: string,
  opts: { skip: number; pageSize: number; onPage: (products: ProductSnapshot[]) => Promise<void> },
) {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new AdminApiError(`Could not download the bulk export (HTTP ${res.status})`);
  const { createInterface } = await import("node:readline");
  const { Readable } = await import("node:stream");
  const lines = createInterface({ input: Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), crlfDelay: Infinity });

  let current: (ProductNode & { id: string }) | null = null;
  let seen = 0;
  let page: ProductSnapshot[] = [];
  const finish = async (final: boolean) => {
    if (current) {
      seen += 1;
      if (seen > opts.skip) page.push(toSnapshot(current));
      current = null;
    }
    if (page.length >= opts.pageSize || (final && page.length)) {
      await opts.onPage(page);
      page = [];
    }
  };
  for await (const line of lines) {
    if (!line.trim()) continue;
    const obj = JSON.parse(line) as Record<string, unknown> & { id: string; __parentId?: string };
    if (!obj.__parentId) {
      await finish(false);
      current = { ...(obj as unknown as ProductNode & { id: string }), media: { nodes: [] }, variants: { nodes: [] } };
    } else if (current && obj.__parentId === current.id) {
      if (String(obj.id).includes("/ProductVariant/")) current.variants.nodes.push(obj as unknown as VariantNode);
      else if ("image" in obj) current.media.nodes.push(obj as unknown as { id: string; image: { id: string; url: string } });
    }
  }
  await finish(true);
  return seen;
}
