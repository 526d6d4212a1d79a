import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ProductFixture } from "../fixtures/products";
import { ShopifyOAuth } from "./oauth";

/**
 * A small stand-in for Shopify's Admin GraphQL API, enough for the full sync:
 * `shop { currencyCode primaryDomain { host } }` and paginated
 * `products(first, after)` with variants, options and media, answering in
 * GraphQL shape with a query-cost extension. Products are kept per shop in
 * REST shape (the webhook fixtures) and converted on the way out.
 * Served at {url}/{shop}/admin/api/{version}/graphql.json. Bulk exports
 * (`bulkOperationRunQuery`, `node(id:)` status, the JSONL file at
 * {url}/bulk/{id}.jsonl) finish after `bulkDelayMs`.
 */

export interface ShopifySimulator {
  url: string;
  /** Replaces or adds products of a shop. */
  setProducts(shop: string, products: ProductFixture[]): void;
  upsertProduct(shop: string, product: ProductFixture): void;
  deleteProduct(shop: string, productId: number): void;
  products(shop: string): ProductFixture[];
  setShop(shop: string, info: { currencyCode?: string; primaryDomain?: string }): void;
  /** GraphQL requests answered, for tests and benchmarks. */
  requests(): number;
  /** Rejects the next `n` requests with a THROTTLED error, as Shopify does when the bucket is empty. */
  throttleNext(n: number): void;
  /** Bulk operations started, by shop. */
  bulkOperations(): { id: string; shop: string; status: string }[];
  /** How long a bulk export runs before it completes (default 50 ms). */
  setBulkDelay(ms: number): void;
  /** The token endpoint (expiring offline tokens) and the access-token check of the shops it issued tokens for. */
  oauth: ShopifyOAuth;
  close(): Promise<void>;
}

const MAX_COST = 1000;

/** The bulk export's JSONL lines for one product: the product, then its media and variants with __parentId. */
function* bulkLines(p: ProductFixture): Generator<string> {
  const node = toNode(p);
  const gid = `gid://shopify/Product/${p.id}`;
  const { media, variants, ...product } = node;
  yield JSON.stringify({ id: gid, ...product });
  for (const m of media.nodes) yield JSON.stringify({ ...m, __parentId: gid });
  for (const v of variants.nodes) yield JSON.stringify({ id: `gid://shopify/ProductVariant/${v.legacyResourceId}`, ...v, __parentId: gid });
}

function toNode(p: ProductFixture) {
  const media = (p.images ?? []).map((i) => ({ id: `gid://shopify/MediaImage/${i.id}`, image: { id: `gid://shopify/ProductImage/${i.id}`, url: i.src } }));
  return {
    legacyResourceId: String(p.id),
    title: p.title,
    descriptionHtml: p.body_html,
    vendor: p.vendor,
    productType: p.product_type,
    handle: p.handle,
    status: p.status.toUpperCase(),
    publishedAt: p.published_at,
    updatedAt: p.updated_at,
    tags: p.tags.split(",").map((t) => t.trim()).filter(Boolean),
    options: p.options.map((o) => ({ name: o.name, position: o.position })),
    media: { nodes: media },
    variants: {
      pageInfo: { hasNextPage: false },
      nodes: p.variants.map((v) => ({
        legacyResourceId: String(v.id),
        title: v.title,
        price: v.price,
        compareAtPrice: v.compare_at_price,
        sku: v.sku,
        barcode: v.barcode,
        inventoryQuantity: v.inventory_quantity,
        inventoryPolicy: v.inventory_policy.toUpperCase(),
        inventoryItem: { tracked: v.inventory_management === "shopify" },
        selectedOptions: p.options.map((o, i) => ({ name: o.name, value: [v.option1, v.option2, v.option3][i] })).filter((o) => o.value),
        image: v.image_id ? { id: `gid://shopify/ProductImage/${v.image_id}`, url: p.images.find((i) => i.id === v.image_id)?.src } : null,
        position: v.position,
      })),
    },
  };
}

export async function createShopifySimulator(opts: { port?: number } = {}): Promise<ShopifySimulator> {
  const shops = new Map<string, Map<number, ProductFixture>>();
  const shopInfo = new Map<string, { currencyCode: string; primaryDomain: string }>();
  let requests = 0;
  let throttle = 0;
  let bulkDelayMs = 50;
  let nextBulkId = 1;
  const bulkOps = new Map<string, { shop: string; createdAt: number; products: ProductFixture[] }>();
  let baseUrl = "";
  const oauth = new ShopifyOAuth();
  const productsOf = (shop: string) => {
    let map = shops.get(shop);
    if (!map) shops.set(shop, (map = new Map()));
    return map;
  };

  const server = http.createServer((req, res) => {
    const bulkFile = /^\/bulk\/(\d+)\.jsonl$/.exec(req.url ?? "");
    if (bulkFile) {
      const op = bulkOps.get(`gid://shopify/BulkOperation/${bulkFile[1]}`);
      if (!op) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/jsonl" });
      // Written product by product, so a large export streams without building one big string.
      const products = op.products[Symbol.iterator]();
      const pump = () => {
        for (;;) {
          const next = products.next();
          if (next.done) return void res.end();
          if (!res.write([...bulkLines(next.value)].join("\n") + "\n")) return void res.once("drain", pump);
        }
      };
      return pump();
    }
    const tokenEndpoint = /^\/([a-z0-9.-]+)\/admin\/oauth\/access_token$/.exec(req.url ?? "");
    if (tokenEndpoint && req.method === "POST") return oauth.handle(req, res, tokenEndpoint[1]);
    const match = /^\/([a-z0-9.-]+)\/admin\/api\/[\w-]+\/graphql\.json$/.exec(req.url ?? "");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!match || req.method !== "POST") return send(404, { errors: "Not Found" });
    if (!req.headers["x-shopify-access-token"]) return send(401, { errors: "[API] Invalid API key or access token" });
    const refused = oauth.refuse(match[1], String(req.headers["x-shopify-access-token"]));
    if (refused) return send(401, refused);
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      requests += 1;
      const shop = match[1];
      const { query, variables = {} } = JSON.parse(raw) as { query: string; variables?: Record<string, unknown> };
      if (throttle > 0) {
        throttle -= 1;
        return send(200, {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
          extensions: { cost: { requestedQueryCost: 500, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 1000 } } },
        });
      }
      const data: Record<string, unknown> = {};
      let cost = 1;
      if (/\bshop\s*\{/.test(query)) {
        const info = shopInfo.get(shop) ?? { currencyCode: "USD", primaryDomain: shop };
        data.shop = { currencyCode: info.currencyCode, primaryDomain: { host: info.primaryDomain } };
      }
      if (/\bproductsCount\b/.test(query)) {
        data.productsCount = { count: productsOf(shop).size, precision: "EXACT" };
      }
      if (/\bbulkOperationRunQuery\b/.test(query)) {
        const running = [...bulkOps.values()].some((op) => op.shop === shop && Date.now() - op.createdAt < bulkDelayMs);
        if (running) {
          data.bulkOperationRunQuery = { bulkOperation: null, userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress" }] };
        } else {
          const id = `gid://shopify/BulkOperation/${nextBulkId++}`;
          bulkOps.set(id, { shop, createdAt: Date.now(), products: [...productsOf(shop).values()].sort((a, b) => a.id - b.id) });
          data.bulkOperationRunQuery = { bulkOperation: { id, status: "CREATED" }, userErrors: [] };
        }
      }
      if (/\bnode\s*\(/.test(query)) {
        const op = bulkOps.get(String(variables.id));
        const done = op && Date.now() - op.createdAt >= bulkDelayMs;
        data.node = op && op.shop === shop
          ? {
              id: variables.id,
              status: done ? "COMPLETED" : "RUNNING",
              errorCode: null,
              objectCount: String(done ? op.products.length : 0),
              rootObjectCount: String(done ? op.products.length : 0),
              url: done ? `${baseUrl}/bulk/${String(variables.id).split("/").pop()}.jsonl` : null,
            }
          : null;
      }
      if (/\bproducts\s*\(/.test(query) && !/\bbulkOperationRunQuery\b/.test(query)) {
        const first = Math.min(250, Number(variables.first ?? 50));
        const after = variables.after ? Number(Buffer.from(String(variables.after), "base64url").toString()) : 0;
        const all = [...productsOf(shop).values()].sort((a, b) => a.id - b.id);
        const start = all.findIndex((p) => p.id > after);
        const page = start < 0 ? [] : all.slice(start, start + first);
        const last = page.at(-1);
        data.products = {
          pageInfo: { hasNextPage: start >= 0 && start + first < all.length, endCursor: last ? Buffer.from(String(last.id)).toString("base64url") : null },
          nodes: page.map(toNode),
        };
        cost += page.length * 3;
      }
      send(200, {
        data,
        extensions: { cost: { requestedQueryCost: Math.min(cost, MAX_COST), actualQueryCost: Math.min(cost, MAX_COST), throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000 - Math.min(cost, MAX_COST), restoreRate: 100 } } },
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    bulkOperations: () => [...bulkOps].map(([id, op]) => ({ id, shop: op.shop, status: Date.now() - op.createdAt >= bulkDelayMs ? "COMPLETED" : "RUNNING" })),
    setBulkDelay(ms) {
      bulkDelayMs = ms;
    },
    setProducts(shop, products) {
      shops.set(shop, new Map(products.map((p) => [p.id, p])));
    },
    upsertProduct(shop, product) {
      productsOf(shop).set(product.id, product);
    },
    deleteProduct(shop, id) {
      productsOf(shop).delete(id);
    },
    products: (shop) => [...productsOf(shop).values()],
    setShop(shop, info) {
      shopInfo.set(shop, { currencyCode: info.currencyCode ?? "USD", primaryDomain: info.primaryDomain ?? shop });
    },
    requests: () => requests,
    oauth,
    throttleNext(n) {
      throttle = n;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
