import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  execute,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLFieldResolver,
  type OperationDefinitionNode,
} from "graphql";
import type { ProductFixture } from "../fixtures/products";
import { ShopifyOAuth } from "./oauth";
import { bulkLines, checkBulkQuery } from "./bulk";
import { actualCost, CostError, isConnection, MAX_QUERY_COST, requestedCost } from "./cost";
import { productModel, type Model } from "./model";
import { adminSchema } from "./schema";

/**
 * A stand-in for Shopify's Admin GraphQL API that holds the contracts Shopify
 * publishes, so a query Shopify would refuse fails here too:
 *
 * - Queries are parsed and validated against the 2026-10 schema subset in
 *   schema.ts (unknown or removed fields are errors).
 * - Every query's requested cost is computed by Shopify's published rules
 *   (cost.ts); over 1,000 points it is refused before it runs with Shopify's
 *   MAX_COST_EXCEEDED error, shaped as the reference's sample
 *   (https://shopify.dev/docs/api/admin-graphql, "Status and error codes";
 *   test/fixtures/shopify/max-cost-exceeded.json).
 * - A leaky bucket per shop: the requested cost must fit what is available
 *   or the answer is THROTTLED; the actual cost is charged and the rest
 *   refunded; every answer carries `extensions.cost` with `throttleStatus`
 *   ({ maximumAvailable, currentlyAvailable, restoreRate }) as in the
 *   reference's example response. Restore rates are by plan: "Standard 100
 *   points/second, Advanced 200, Plus 1000, Enterprise 2000"
 *   (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits); the
 *   default here is the Standard plan's 100/s with a 2,000-point bucket (the
 *   bucket size is not on that page: 20 s of restore, as the older 1,000 /
 *   50 pair was). Tests that page many products choose the Plus plan.
 * - Bulk exports (bulkOperationRunQuery, node(id:) status, the JSONL file at
 *   {url}/bulk/{id}.jsonl) run the given query and write it out ungrouped
 *   unless `groupObjects: true` (bulk.ts).
 *
 * Served at {url}/{shop}/admin/api/{version}/graphql.json. Products are kept
 * per shop in REST terms (test/fixtures/products.ts) and seen through
 * model.ts.
 */

export interface ThrottlePlan {
  maximumAvailable: number;
  restoreRate: number;
}

export const PLANS = {
  standard: { maximumAvailable: 2000, restoreRate: 100 },
  plus: { maximumAvailable: 20000, restoreRate: 1000 },
} satisfies Record<string, ThrottlePlan>;

export interface AnsweredQuery {
  shop: string;
  /** The operation's name (e.g. "FullSyncProducts"), if it has one. */
  operation: string | null;
  requestedQueryCost: number;
  actualQueryCost: number | null;
  error?: string;
}

export interface ShopifySimulator {
  url: string;
  /** Replaces or adds products of a shop. */
  setProducts(shop: string, products: ProductFixture[]): void;
  upsertProduct(shop: string, product: ProductFixture): void;
  deleteProduct(shop: string, productId: number): void;
  products(shop: string): ProductFixture[];
  product(shop: string, productId: number): ProductFixture | undefined;
  setShop(shop: string, info: { currencyCode?: string; primaryDomain?: string }): void;
  /** GraphQL requests answered, for tests and benchmarks. */
  requests(): number;
  /** Every GraphQL request with its requested and actual cost (or the error it got). */
  answered(): AnsweredQuery[];
  /** Rejects the next `n` requests with a THROTTLED error, as Shopify does when the bucket is empty. */
  throttleNext(n: number): void;
  /** The leaky bucket's size and restore rate (default PLANS.standard). */
  setPlan(plan: ThrottlePlan): void;
  /** Bulk operations started, by shop, and whether they were asked to group objects. */
  bulkOperations(): { id: string; shop: string; status: string; groupObjects: boolean }[];
  /** How long a bulk export runs before it completes (default 50 ms). */
  setBulkDelay(ms: number): void;
  /** The token endpoint (expiring offline tokens) and the access-token check of the shops it issued tokens for. */
  oauth: ShopifyOAuth;
  /** How long the JSONL download waits before its first byte (default 0): a slow download, for races. */
  setBulkDownloadDelay(ms: number): void;
  close(): Promise<void>;
}

interface BulkOp {
  shop: string;
  createdAt: number;
  products: ProductFixture[];
  query: { doc: DocumentNode; root: FieldNode };
  groupObjects: boolean;
  seed: number;
}

const b64 = (s: string) => Buffer.from(s).toString("base64url");

/** A page of `items` for first/after (or last/before), with edges, nodes and pageInfo. */
function page(items: Model[], args: { first?: number; after?: string; last?: number; before?: string }, cursorOf: (m: Model, i: number) => string) {
  const cursors = items.map(cursorOf);
  let start = 0;
  let end = items.length;
  if (args.after) start = cursors.indexOf(args.after) + 1;
  if (args.before) end = Math.max(start, cursors.indexOf(args.before));
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  const slice = items.slice(start, end);
  return {
    edges: slice.map((node, i) => ({ cursor: cursors[start + i], node })),
    nodes: slice,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? cursors[start] : null,
      endCursor: slice.length ? cursors[end - 1] : null,
    },
  };
}

function graphqlError(message: string, code?: string) {
  return { message, ...(code ? { extensions: { code } } : {}) };
}

export async function createShopifySimulator(opts: { port?: number; plan?: ThrottlePlan } = {}): Promise<ShopifySimulator> {
  const shops = new Map<string, Map<number, ProductFixture>>();
  const shopInfo = new Map<string, { currencyCode: string; primaryDomain: string }>();
  const buckets = new Map<string, { available: number; at: number }>();
  let plan: ThrottlePlan = opts.plan ?? PLANS.standard;
  let requests = 0;
  const answered: AnsweredQuery[] = [];
  let throttle = 0;
  let bulkDelayMs = 50;
  let bulkDownloadDelayMs = 0;
  let nextBulkId = 1;
  const bulkOps = new Map<string, BulkOp>();
  let baseUrl = "";
  const oauth = new ShopifyOAuth();
  const productsOf = (shop: string) => {
    let map = shops.get(shop);
    if (!map) shops.set(shop, (map = new Map()));
    return map;
  };
  const sortedProducts = (shop: string) => [...productsOf(shop).values()].sort((a, b) => a.id - b.id);

  function bucket(shop: string) {
    const now = Date.now();
    const b = buckets.get(shop) ?? { available: plan.maximumAvailable, at: now };
    b.available = Math.min(plan.maximumAvailable, b.available + ((now - b.at) / 1000) * plan.restoreRate);
    b.at = now;
    buckets.set(shop, b);
    return b;
  }
  const throttleStatus = (shop: string) => ({
    maximumAvailable: plan.maximumAvailable,
    currentlyAvailable: Math.floor(bucket(shop).available),
    restoreRate: plan.restoreRate,
  });

  function bulkStatus(id: string, shop: string): Model | null {
    const op = bulkOps.get(id);
    if (!op || op.shop !== shop) return null;
    const done = Date.now() - op.createdAt >= bulkDelayMs;
    const variants = op.products.reduce((n, p) => n + p.variants.length + p.images.length, 0);
    return {
      __typename: "BulkOperation",
      id,
      status: done ? "COMPLETED" : "RUNNING",
      errorCode: null,
      objectCount: String(done ? op.products.length + variants : 0),
      rootObjectCount: String(done ? op.products.length : 0),
      url: done ? `${baseUrl}/bulk/${id.split("/").pop()}.jsonl` : null,
      partialDataUrl: null,
      query: "",
      type: "QUERY",
      createdAt: new Date(op.createdAt).toISOString(),
      completedAt: done ? new Date(op.createdAt + bulkDelayMs).toISOString() : null,
      fileSize: null,
    };
  }

  function findNode(shop: string, id: string): Model | null {
    if (id.startsWith("gid://shopify/BulkOperation/")) return bulkStatus(id, shop);
    const [, type, raw] = /^gid:\/\/shopify\/(\w+)\/(\d+)$/.exec(id) ?? [];
    if (!type) return null;
    if (type === "Product") {
      const p = productsOf(shop).get(Number(raw));
      return p ? productModel(p) : null;
    }
    for (const p of productsOf(shop).values()) {
      if (type === "ProductVariant" && !p.variants.some((v) => String(v.id) === raw)) continue;
      const model = productModel(p);
      for (const v of model.variants as Model[]) {
        if (v.id === id) return v;
        const item = v.inventoryItem as Model;
        if (item.id === id) return item;
      }
    }
    return null;
  }

  // Connection fields page their arrays; functions on the root are called with the field's arguments.
  const fieldResolver: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, args, _ctx, info) => {
    const value = source[info.fieldName];
    if (typeof value === "function") return (value as (a: unknown) => unknown)(args);
    if (isConnection(info.returnType) && Array.isArray(value)) return page(value as Model[], args, (_m, i) => b64(`i${i}`));
    return value;
  };

  function rootFor(shop: string) {
    return {
      shop: () => {
        const info = shopInfo.get(shop) ?? { currencyCode: "USD", primaryDomain: shop };
        return { id: "gid://shopify/Shop/1", name: shop, currencyCode: info.currencyCode, primaryDomain: { id: "gid://shopify/Domain/1", host: info.primaryDomain, url: `https://${info.primaryDomain}` } };
      },
      productsCount: () => ({ count: productsOf(shop).size, precision: "EXACT" }),
      products: (args: { first?: number; after?: string; last?: number; before?: string }) =>
        page(sortedProducts(shop).map(productModel), args, (m) => b64(String(m.legacyResourceId))),
      product: ({ id }: { id: string }) => (id.startsWith("gid://shopify/Product/") ? findNode(shop, id) : null),
      productVariant: ({ id }: { id: string }) => findNode(shop, id),
      inventoryItem: ({ id }: { id: string }) => findNode(shop, id),
      node: ({ id }: { id: string }) => findNode(shop, id),
      nodes: ({ ids }: { ids: string[] }) => ids.map((id) => findNode(shop, id)),
      currentBulkOperation: () => null,
      bulkOperationRunQuery: ({ query, groupObjects }: { query: string; groupObjects: boolean }) => {
        const running = [...bulkOps.values()].some((op) => op.shop === shop && Date.now() - op.createdAt < bulkDelayMs);
        if (running) return { bulkOperation: null, userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress" }] };
        const checked = checkBulkQuery(query);
        if ("error" in checked) return { bulkOperation: null, userErrors: [{ field: ["query"], message: checked.error }] };
        const id = `gid://shopify/BulkOperation/${nextBulkId++}`;
        bulkOps.set(id, { shop, createdAt: Date.now(), products: sortedProducts(shop), query: checked, groupObjects, seed: nextBulkId * 7919 });
        return { bulkOperation: { __typename: "BulkOperation", id, status: "CREATED", objectCount: "0", rootObjectCount: "0", query, type: "QUERY", createdAt: new Date().toISOString() }, userErrors: [] };
      },
    };
  }

  function answer(shop: string, query: string, variables: Record<string, unknown>) {
    let doc: DocumentNode;
    try {
      doc = parse(query);
    } catch (error) {
      return { errors: [graphqlError((error as Error).message)] };
    }
    const invalid = validate(adminSchema, doc);
    if (invalid.length) return { errors: invalid.map((e) => ({ message: e.message, locations: e.locations })) };
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    let requested: number;
    try {
      requested = requestedCost(adminSchema, doc, op, variables);
    } catch (error) {
      if (error instanceof CostError) return { errors: [graphqlError(error.message)] };
      throw error;
    }
    if (requested > MAX_QUERY_COST) {
      answered.push({ shop, operation: op.name?.value ?? null, requestedQueryCost: requested, actualQueryCost: null, error: "MAX_COST_EXCEEDED" });
      // Exactly the reference's sample: no data, no top-level extensions.
      return {
        errors: [
          {
            message:
              `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\n` +
              "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\n" +
              "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n" +
              "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_QUERY_COST, documentation: "https://shopify.dev/api/usage/limits#rate-limits" },
          },
        ],
      };
    }
    const b = bucket(shop);
    if (throttle > 0 || b.available < requested) {
      if (throttle > 0) throttle -= 1;
      answered.push({ shop, operation: op.name?.value ?? null, requestedQueryCost: requested, actualQueryCost: null, error: "THROTTLED" });
      return {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus(shop) } },
      };
    }
    const result = execute({ schema: adminSchema, document: doc, rootValue: rootFor(shop), variableValues: variables, fieldResolver }) as {
      data?: unknown;
      errors?: readonly { message: string }[];
    };
    const actual = Math.min(requested, actualCost(adminSchema, doc, op, result.data, variables));
    b.available -= actual;
    answered.push({ shop, operation: op.name?.value ?? null, requestedQueryCost: requested, actualQueryCost: actual });
    return {
      ...(result.errors?.length ? { errors: result.errors.map((e) => ({ message: e.message })) } : {}),
      data: result.data ?? null,
      extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus(shop) } },
    };
  }

  const server = http.createServer((req, res) => {
    const bulkFile = /^\/bulk\/(\d+)\.jsonl$/.exec(req.url ?? "");
    if (bulkFile) {
      const op = bulkOps.get(`gid://shopify/BulkOperation/${bulkFile[1]}`);
      if (!op) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/jsonl" });
      // Written as it is produced, so a large export streams without building one big string.
      const lines = bulkLines(op.query, (function* () {
        for (const p of op.products) yield productModel(p);
      })(), { grouped: op.groupObjects, seed: op.seed });
      const pump = () => {
        let chunk = "";
        for (;;) {
          const next = lines.next();
          if (next.done) return void res.end(chunk);
          chunk += next.value + "\n";
          if (chunk.length > 64 * 1024) {
            const more = res.write(chunk);
            chunk = "";
            if (!more) return void res.once("drain", pump);
          }
        }
      };
      return void setTimeout(pump, bulkDownloadDelayMs);
    }
    const tokenEndpoint = /^\/([a-z0-9.-]+)\/admin\/oauth\/access_token$/.exec(req.url ?? "");
    if (tokenEndpoint && req.method === "POST") return oauth.handle(req, res, tokenEndpoint[1]);
    const match = /^\/([a-z0-9.-]+)\/admin\/api\/[\w-]+\/graphql\.json$/.exec(req.url ?? "");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!match || req.method !== "POST") return send(404, { errors: "Not Found" });
    if (!req.headers["x-shopify-access-token"]) return send(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    const refused = oauth.refuse(match[1], String(req.headers["x-shopify-access-token"]));
    if (refused) return send(401, refused);
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      requests += 1;
      let body: { query?: string; variables?: Record<string, unknown> };
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, { errors: "Bad Request" });
      }
      if (typeof body.query !== "string") return send(400, { errors: { query: "Required parameter missing or invalid" } });
      send(200, answer(match[1], body.query, body.variables ?? {}));
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
    bulkOperations: () =>
      [...bulkOps].map(([id, op]) => ({ id, shop: op.shop, status: Date.now() - op.createdAt >= bulkDelayMs ? "COMPLETED" : "RUNNING", groupObjects: op.groupObjects })),
    setBulkDelay(ms) {
      bulkDelayMs = ms;
    },
    setBulkDownloadDelay(ms) {
      bulkDownloadDelayMs = ms;
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
    product: (shop, id) => productsOf(shop).get(id),
    setShop(shop, info) {
      shopInfo.set(shop, { currencyCode: info.currencyCode ?? "USD", primaryDomain: info.primaryDomain ?? shop });
    },
    requests: () => requests,
    oauth,
    answered: () => [...answered],
    throttleNext(n) {
      throttle = n;
    },
    setPlan(next) {
      plan = next;
      buckets.clear();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

