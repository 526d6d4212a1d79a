import { createAdminApiClient } from "@shopify/admin-api-client";
import type { Db } from "../db.server";
import { OfflineTokenError, offlineAccessToken, shopOrigin } from "../offline-token.server";
import { ADMIN_API_VERSION } from "../shopify-api-version";
import { ProductPayload, type ProductSnapshot } from "./product-payload";

/**
 * The one module that talks to a shop's Admin GraphQL API, with the shop's
 * offline token: the full sync's product pages, single products, bulk
 * exports, and inventory lookups, each converted to the snapshot shape the
 * product webhooks deliver. Cost-aware: every query fits Shopify's 1,000-point
 * single-query limit with room to spare (queries.test.ts computes each one's
 * cost by Shopify's published rules), and requests wait for the leaky bucket
 * instead of hitting THROTTLED. SHOPIFY_ADMIN_API_URL points it at a stand-in
 * (sandbox, tests, benchmarks); production talks to https://{shop}.
 */

// A page of products carries each one's first few variants and media; a
// product with more is completed by its own queries (productVariantsPage,
// productMediaPage). Costs by Shopify's rules (a connection is 2 + first x
// its node, an object 1, scalars 0; see test/shopify-sim/cost.ts):
//   page:     2 + 1 + 10 x (1 + 1 options + (3 + 10 x 2) media + (3 + 10 x 4) variants) = 683
//   variants: 1 + 3 + 150 x 4 = 604;  media: 1 + 3 + 25 x 2 = 54;  product: 1 + 1 + 23 + 603 = 628
//   inventory lookup: 100 ids x 2 = 200.  All under 700 of the 1,000 allowed.
export const PRODUCTS_PER_PAGE = 10;
const VARIANTS_PER_PRODUCT_PAGE = 10;
const MEDIA_PER_PRODUCT_PAGE = 10;
const VARIANTS_PER_PAGE = 150;
const MEDIA_PER_PAGE = 25;
/** Images the catalog can use: the main one and Meta's 20 additional ones (items.server.ts), with room to spare. */
const MEDIA_WANTED = 25;
export const INVENTORY_LOOKUP_BATCH = 100;

const VARIANT_FIELDS = `id legacyResourceId title price compareAtPrice sku barcode inventoryQuantity inventoryPolicy position
  inventoryItem { id tracked }
  selectedOptions { name value }
  image { id url }`;
const MEDIA_FIELDS = `... on MediaImage { id image { id url } }`;
const PRODUCT_FIELDS = `id legacyResourceId title descriptionHtml vendor productType handle status publishedAt updatedAt tags
  options { name position }`;

// The same product fields in bulk-operation form (connections as edges, written as separate JSONL
// lines with __parentId). No groupObjects: grouping "slows down bulk operations and increases the
// likelihood of timeouts. Only enable grouping if you depend on the grouped format"
// (bulkOperationRunQuery, 2026-01); the full sync stages the lines and does not depend on it.
export const BULK_PRODUCTS_QUERY = `{
  products(sortKey: ID) {
    edges { node {
      ${PRODUCT_FIELDS}
      media { edges { node { ${MEDIA_FIELDS} } } }
      variants { edges { node { ${VARIANT_FIELDS} } } }
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

export const PRODUCTS_QUERY = `#graphql
query FullSyncProducts($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${PRODUCT_FIELDS}
      media(first: ${MEDIA_PER_PRODUCT_PAGE}) { pageInfo { hasNextPage endCursor } nodes { ${MEDIA_FIELDS} } }
      variants(first: ${VARIANTS_PER_PRODUCT_PAGE}) { pageInfo { hasNextPage endCursor } nodes { ${VARIANT_FIELDS} } }
    }
  }
}`;

export const PRODUCT_QUERY = `#graphql
query Product($id: ID!) {
  product(id: $id) {
    ${PRODUCT_FIELDS}
    media(first: ${MEDIA_PER_PRODUCT_PAGE}) { pageInfo { hasNextPage endCursor } nodes { ${MEDIA_FIELDS} } }
    variants(first: ${VARIANTS_PER_PAGE}) { pageInfo { hasNextPage endCursor } nodes { ${VARIANT_FIELDS} } }
  }
}`;

export const PRODUCT_VARIANTS_QUERY = `#graphql
query ProductVariants($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: ${VARIANTS_PER_PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${VARIANT_FIELDS} } }
  }
}`;

export const PRODUCT_MEDIA_QUERY = `#graphql
query ProductMedia($id: ID!, $after: String) {
  product(id: $id) {
    media(first: ${MEDIA_PER_PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${MEDIA_FIELDS} } }
  }
}`;

export const VARIANT_INVENTORY_QUERY = `#graphql
query VariantInventory($ids: [ID!]!) {
  nodes(ids: $ids) { ... on ProductVariant { id inventoryItem { id tracked updatedAt } } }
}`;

const SHOP_QUERY = `#graphql
query FullSyncShop { shop { currencyCode primaryDomain { host } } }`;

interface VariantNode {
  id?: string;
  legacyResourceId: string;
  title: string;
  price: string;
  compareAtPrice: string | null;
  sku: string | null;
  barcode: string | null;
  inventoryQuantity: number | null;
  inventoryPolicy: string;
  position: number;
  inventoryItem: { id: string; tracked: boolean } | null;
  selectedOptions: { name: string; value: string }[];
  image: { id: string; url: string } | null;
}

type MediaNode = { id: string; image: { id: string; url: string } | null } | Record<string, never>;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A product as the Admin API returns it (bulk lines are assembled into the same shape). */
export interface ProductNode {
  id?: string;
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
  media: { nodes: MediaNode[]; pageInfo?: PageInfo };
  variants: { nodes: VariantNode[]; pageInfo?: PageInfo };
}

const legacyId = (gid: string) => gid.replace(/^gid:\/\/shopify\/\w+\//, "");

/** The GraphQL product in the REST webhook shape (so one mapping serves both), with each variant's `tracked`. */
export function toSnapshot(node: ProductNode): ProductSnapshot {
  const options = [...node.options].sort((a, b) => a.position - b.position);
  const images = node.media.nodes
    .filter((m): m is { id: string; image: { id: string; url: string } } => "image" in m && Boolean(m.image?.url))
    .map((m, i) => ({ id: legacyId(m.image.id), src: m.image.url, position: i + 1 }));
  // A variant's own image counts even when it is not among the media read.
  for (const v of node.variants.nodes) {
    if (v.image?.url && !images.some((i) => i.id === legacyId(v.image!.id))) {
      images.push({ id: legacyId(v.image.id), src: v.image.url, position: images.length + 1 });
    }
  }
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
    variants: [...node.variants.nodes].sort((a, b) => a.position - b.position).map((v) => {
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
        inventory_item_id: v.inventoryItem ? legacyId(v.inventoryItem.id) : null,
        tracked: v.inventoryItem ? v.inventoryItem.tracked : null,
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
  /** No retry can mend it (the merchant must act, or Shopify ended the export): a full sync fails at once. */
  readonly final: boolean;
  constructor(message: string, opts: { final?: boolean } = {}) {
    super(message);
    this.name = "AdminApiError";
    this.final = opts.final ?? false;
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
    throw error instanceof OfflineTokenError ? new AdminApiError(error.message, { final: error.needsMerchant }) : error;
  });
  const origin = shopOrigin(shop);
  const client = createAdminApiClient({
    storeDomain: shop,
    apiVersion: ADMIN_API_VERSION,
    accessToken: token.reveal(),
    retries: 2,
    customFetchApi: origin === `https://${shop}` ? undefined : (url, init) => fetch(String(url).replace(`https://${shop}`, origin), init),
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
        // Until the bucket holds what this query asks for (THROTTLED answers carry both numbers).
        const s = lastCost?.throttleStatus;
        const missing = (lastCost?.requestedQueryCost ?? 100) - (s?.currentlyAvailable ?? 0);
        await sleep(s ? Math.max(100, (missing / Math.max(1, s.restoreRate)) * 1000) : 1000);
        continue;
      }
      const code = (errors?.graphQLErrors?.[0]?.extensions as { code?: string } | undefined)?.code;
      if (code === "MAX_COST_EXCEEDED") {
        // A query of ours costs more than Shopify allows: the same query would fail again, so say so plainly.
        throw new AdminApiError(`Shopify refused a product query as too costly (${errors?.graphQLErrors?.[0]?.message.split("\n")[0]}). Please contact the app's support.`);
      }
      if (errors) throw new AdminApiError(`Shopify Admin API error: ${errors.message ?? JSON.stringify(errors.graphQLErrors ?? [])}`);
      if (!response.data) throw new AdminApiError("Shopify Admin API returned no data");
      return response.data;
    }
    throw new AdminApiError("Shopify kept throttling the product reads; the full sync will continue later.");
  }

  /** Completes a product the page cut short: the rest of its variants, and media up to what the catalog uses. */
  async function complete(node: ProductNode & { id: string }) {
    const variants = [...node.variants.nodes];
    for (let info = node.variants.pageInfo; info?.hasNextPage; ) {
      const data = await request<{ product: { variants: { nodes: VariantNode[]; pageInfo: PageInfo } } | null }>(PRODUCT_VARIANTS_QUERY, {
        id: node.id,
        after: info.endCursor,
      });
      if (!data.product) break; // deleted meanwhile: its products/delete webhook follows
      variants.push(...data.product.variants.nodes);
      info = data.product.variants.pageInfo;
    }
    const media = [...node.media.nodes];
    for (let info = node.media.pageInfo; info?.hasNextPage && media.length < MEDIA_WANTED; ) {
      const data = await request<{ product: { media: { nodes: MediaNode[]; pageInfo: PageInfo } } | null }>(PRODUCT_MEDIA_QUERY, {
        id: node.id,
        after: info.endCursor,
      });
      if (!data.product) break;
      media.push(...data.product.media.nodes);
      info = data.product.media.pageInfo;
    }
    return toSnapshot({ ...node, variants: { nodes: variants }, media: { nodes: media } });
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
    /** A page of products, each complete (every variant, and the media the catalog uses). */
    async productPage(after: string | null) {
      const data = await request<{ products: { pageInfo: PageInfo; nodes: (ProductNode & { id: string })[] } }>(PRODUCTS_QUERY, {
        first: PRODUCTS_PER_PAGE,
        after,
      });
      const products: ProductSnapshot[] = [];
      for (const node of data.products.nodes) products.push(await complete(node));
      return { products, nextCursor: data.products.pageInfo.hasNextPage ? data.products.pageInfo.endCursor : null };
    },
    /** One product, complete; null when Shopify no longer has it. */
    async product(productId: string) {
      const data = await request<{ product: (ProductNode & { id: string }) | null }>(PRODUCT_QUERY, { id: `gid://shopify/Product/${productId}` });
      return data.product ? complete(data.product) : null;
    },
    /** Whether each variant's inventory is tracked (its inventory item's `tracked`), up to INVENTORY_LOOKUP_BATCH at a time. */
    async variantInventory(variantIds: string[]) {
      const found: { variantId: string; inventoryItemId: string; tracked: boolean; updatedAt: string }[] = [];
      for (let i = 0; i < variantIds.length; i += INVENTORY_LOOKUP_BATCH) {
        const ids = variantIds.slice(i, i + INVENTORY_LOOKUP_BATCH).map((id) => `gid://shopify/ProductVariant/${id}`);
        const data = await request<{ nodes: ({ id: string; inventoryItem: { id: string; tracked: boolean; updatedAt: string } } | null)[] }>(
          VARIANT_INVENTORY_QUERY,
          { ids },
        );
        for (const node of data.nodes) {
          if (!node?.inventoryItem) continue;
          found.push({
            variantId: legacyId(node.id),
            inventoryItemId: legacyId(node.inventoryItem.id),
            tracked: node.inventoryItem.tracked,
            updatedAt: node.inventoryItem.updatedAt,
          });
        }
      }
      return found;
    },
  };
}

export type AdminClient = Awaited<ReturnType<typeof adminClientFor>>;
