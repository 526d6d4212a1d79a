import { requireScope, requireToken, targetsOf } from "./auth";
import { invalidParam } from "./graph-error";
import { itemProblems, retailerIdProblem } from "./items";
import { pick, parseFields } from "./fields";
import { json, paginate, stringParam, type SimReply } from "./request";
import type { Ctx, RouteDef, SimRuntime } from "./routes";
import { diagnosticsOf, itemFilter, queueReview, reviewFields } from "./review";
import type { BatchRequest, SimBatch, SimCatalog, SimItem, SimState } from "./state";

/**
 * Catalog endpoints and the Batch API. A batch is validated structurally
 * when it arrives (a malformed call fails as a whole), items without a
 * usable retailer id are refused on the spot (validation_status), the rest
 * is applied in arrival order when the batch finishes, after
 * config.batchDelayMs. Items with errors are not saved.
 */

const SCOPE = "catalog_management";
export const MAX_BATCH_REQUESTS = 5000;
const METHODS = new Set(["CREATE", "UPDATE", "DELETE"]);

const CATALOG_FIELDS: Record<string, (c: SimCatalog) => unknown> = {
  id: (c) => c.id,
  name: (c) => c.name,
  product_count: (c) => c.items.size,
  vertical: (c) => c.vertical,
};

type ItemEntry = { item: SimItem; productId: string; review: () => ReturnType<typeof reviewFields> };
const PRODUCT_FIELDS: Record<string, (e: ItemEntry) => unknown> = {
  // Meta's review (issue 17, review.ts).
  review_status: (e) => e.review().review_status,
  review_rejection_reasons: (e) => e.review().review_rejection_reasons,
  // Left out when there are none, as in the reference's example.
  errors: (e) => (e.review().errors.length ? e.review().errors : undefined),
  image_fetch_status: (e) => e.review().image_fetch_status,
  capability_to_review_status: (e) => e.review().capability_to_review_status,
  id: (e) => e.productId,
  retailer_id: (e) => e.item.id,
  name: (e) => e.item.title,
  description: (e) => e.item.description,
  availability: (e) => e.item.availability,
  condition: (e) => e.item.condition,
  price: (e) => e.item.price,
  sale_price: (e) => e.item.sale_price,
  url: (e) => e.item.link,
  image_url: (e) => e.item.image_link,
  brand: (e) => e.item.brand,
  inventory: (e) => e.item.inventory,
  retailer_product_group_id: (e) => e.item.item_group_id,
};

function catalogOf(ctx: Ctx): SimCatalog {
  const token = requireToken(ctx.state, ctx.req);
  requireScope(token, SCOPE, ctx.id);
  return ctx.state.catalogs.get(ctx.id)!;
}

function listCatalogs(relation: SimCatalog["relation"]) {
  return (ctx: Ctx): SimReply => {
    const token = requireToken(ctx.state, ctx.req);
    requireScope(token, SCOPE);
    // A grant limited to some catalogs only shows those.
    const allowed = targetsOf(token, SCOPE);
    const catalogs = [...ctx.state.catalogs.values()].filter(
      (c) => c.businessId === ctx.id && c.relation === relation && (!allowed || allowed.has(c.id)),
    );
    const fields = parseFields(ctx.req.params.fields, ["id", "name"]);
    const page = paginate(catalogs, ctx.req.params, (after) => ctx.selfUrl({ after }));
    return json({
      data: page.data.map((c) => pick(ctx.state, "ProductCatalog", c, CATALOG_FIELDS, fields)),
      ...(page.paging ? { paging: page.paging } : {}),
    });
  };
}

/** `requests` as a JSON array, or a JSON-encoded string of one (form data). */
function parseRequests(value: unknown): unknown[] {
  if (value === undefined || value === null || value === "") throw invalidParam("(#100) The parameter requests is required");
  let list = value;
  if (typeof list === "string") {
    try {
      list = JSON.parse(list);
    } catch {
      throw invalidParam("(#100) Param requests must be a JSON-encoded array");
    }
  }
  if (!Array.isArray(list)) throw invalidParam("(#100) Param requests must be an array");
  if (list.length === 0) throw invalidParam("(#100) Param requests must be a non-empty array");
  if (list.length > MAX_BATCH_REQUESTS) {
    throw invalidParam(`(#100) Param requests must contain at most ${MAX_BATCH_REQUESTS} elements; got ${list.length}`);
  }
  return list;
}

function parseBool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  if (value === true || value === "true" || value === "1") return true;
  if (value === false || value === "false" || value === "0") return false;
  throw invalidParam("(#100) Param allow_upsert must be a boolean");
}

function itemsBatch(ctx: Ctx): SimReply {
  const catalog = catalogOf(ctx);
  const p = ctx.req.params;
  const itemType = stringParam(p, "item_type");
  if (!itemType) throw invalidParam("(#100) The parameter item_type is required");
  if (itemType !== "PRODUCT_ITEM") throw invalidParam(`(#100) Param item_type must be one of {PRODUCT_ITEM} in this simulator; got ${itemType}`);
  const allowUpsert = parseBool(p.allow_upsert, true);
  const raw = parseRequests(p.requests);

  const queued: BatchRequest[] = [];
  const validation: Array<{ retailer_id: string; errors: Array<{ message: string }>; warnings: never[] }> = [];
  raw.forEach((entry, index) => {
    const where = `requests[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw invalidParam(`(#100) ${where} must be an object`);
    const { method, data } = entry as Record<string, unknown>;
    const upper = typeof method === "string" ? method.toUpperCase() : "";
    if (!METHODS.has(upper)) throw invalidParam(`(#100) ${where}: Param method must be one of {CREATE, UPDATE, DELETE}`);
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw invalidParam(`(#100) ${where}: The parameter data is required`);
    const problem = retailerIdProblem(data as Record<string, unknown>);
    if (problem) {
      const id = (data as Record<string, unknown>).id;
      validation.push({ retailer_id: typeof id === "string" || typeof id === "number" ? String(id) : "", errors: [{ message: problem }], warnings: [] });
      return;
    }
    queued.push({ line: index + 1, method: upper as BatchRequest["method"], data: { ...(data as Record<string, unknown>), id: String((data as Record<string, unknown>).id) } });
  });

  const batch = submitBatch(ctx.sim, catalog, queued, allowUpsert);
  return json({ handles: [batch.handle], ...(validation.length ? { validation_status: validation } : {}) });
}

/** Queues a batch; batches finish in arrival order. */
export function submitBatch(sim: SimRuntime, catalog: SimCatalog, requests: BatchRequest[], allowUpsert: boolean): SimBatch {
  const { state } = sim;
  const now = Date.now();
  const finishAtMs = Math.max(now + state.config.batchDelayMs, state.lastBatchFinishAtMs);
  state.lastBatchFinishAtMs = finishAtMs;
  const batch: SimBatch = {
    handle: state.newHandle(),
    catalogId: catalog.id,
    status: "started",
    allowUpsert,
    requests,
    createdAtMs: now,
    finishAtMs,
    errors: [],
    warnings: [],
    idsOfInvalidRequests: [],
  };
  state.batches.set(batch.handle, batch);
  if (finishAtMs <= now) settleBatches(state);
  else sim.later(finishAtMs - now, () => settleBatches(state));
  return batch;
}

/** Finishes every batch that is due, oldest first. */
export function settleBatches(state: SimState, now = Date.now()) {
  for (const batch of state.batches.values()) {
    if (batch.status !== "started") continue;
    if (batch.finishAtMs > now) break;
    applyBatch(state, batch);
  }
}

function applyBatch(state: SimState, batch: SimBatch) {
  const catalog = state.catalogs.get(batch.catalogId);
  const invalid = new Set<string>();
  const fail = (line: number, id: string, message: string) => {
    batch.errors.push({ line, id, message });
    invalid.add(id);
  };
  for (const { line, method, data } of batch.requests) {
    if (!catalog) {
      fail(line, data.id as string, "The catalog no longer exists.");
      continue;
    }
    const id = data.id as string;
    const existing = catalog.items.get(id);
    if (method === "DELETE") {
      if (existing) {
        catalog.items.delete(id);
        catalog.productIds.delete(id);
        catalog.reviews.delete(id);
      } else batch.warnings.push({ line, id, message: `No item with retailer id "${id}" to delete.` });
      continue;
    }
    let next: Record<string, unknown>;
    if (existing && method === "UPDATE") next = merge(existing, data);
    else if (existing && !batch.allowUpsert) {
      fail(line, id, `An item with retailer id "${id}" already exists.`);
      continue;
    } else if (!existing && method === "UPDATE" && !batch.allowUpsert) {
      fail(line, id, `No item with retailer id "${id}" to update.`);
      continue;
    } else next = merge({ id }, data);
    const problems = itemProblems(next, state.config.requiredItemFields);
    if (problems.length) {
      for (const message of problems) fail(line, id, message);
      continue;
    }
    catalog.items.set(id, next as SimItem);
    if (!catalog.productIds.has(id)) catalog.productIds.set(id, state.nextId());
    queueReview(state, catalog, next as SimItem);
  }
  batch.idsOfInvalidRequests = [...invalid];
  batch.status = "finished";
  // The requests are not needed any more; benchmarks push 100,000 items through.
  batch.requests = [];
}

/**
 * An UPDATE changes the fields it names. An empty value ("" or an empty
 * list) removes the field: Meta documents no way to clear one, and that is
 * what Meta's own WooCommerce and Magento integrations send when a value goes
 * (sale_price "" when a sale ends, "" for an unset color, size or gender).
 * null is documented nowhere: the stand-in ignores it (the field keeps its
 * value), so an app that counted on null to clear a field sees the stale
 * value here, as it must assume it would at Meta.
 */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) continue;
    if (v === "" || (Array.isArray(v) && v.length === 0)) delete out[k];
    else out[k] = v;
  }
  return out;
}

function batchStatus(ctx: Ctx): SimReply {
  catalogOf(ctx);
  const handle = stringParam(ctx.req.params, "handle");
  if (!handle) throw invalidParam("(#100) The parameter handle is required");
  settleBatches(ctx.state);
  const batch = ctx.state.batches.get(handle);
  if (!batch || batch.catalogId !== ctx.id) throw invalidParam(`(#100) Invalid handle: ${handle}`);
  const withIds = ["true", "1", true].includes(ctx.req.params.load_ids_of_invalid_requests as string | boolean);
  return json({ data: [batchView(batch, withIds)] });
}

export function batchView(batch: SimBatch, withIds = true) {
  return {
    handle: batch.handle,
    status: batch.status,
    errors_total_count: batch.errors.length,
    errors: batch.errors.map((e) => ({ line: e.line, id: e.id, message: e.message })),
    warnings_total_count: batch.warnings.length,
    warnings: batch.warnings.map((w) => ({ line: w.line, id: w.id, message: w.message })),
    ...(withIds ? { ids_of_invalid_requests: batch.idsOfInvalidRequests } : {}),
  };
}

function listProducts(ctx: Ctx): SimReply {
  const catalog = catalogOf(ctx);
  settleBatches(ctx.state);
  const fields = parseFields(ctx.req.params.fields, ["id"]);
  const filter = itemFilter(ctx.req.params.filter);
  const entries: ItemEntry[] = [];
  const now = Date.now();
  for (const [id, item] of catalog.items) {
    let cached: ReturnType<typeof reviewFields> | undefined;
    const review = () => (cached ??= reviewFields(ctx.state, catalog, item, now));
    if (filter && !filter(item, () => review().review_status)) continue;
    entries.push({ item, productId: catalog.productIds.get(id)!, review });
  }
  const page = paginate(entries, ctx.req.params, (after) => ctx.selfUrl({ after }));
  return json({
    data: page.data.map((e) => pick(ctx.state, "ProductItem", e, PRODUCT_FIELDS, fields)),
    ...(page.paging ? { paging: page.paging } : {}),
  });
}

export const catalogRoutes: RouteDef[] = [
  { label: "GET /{business-id}/owned_product_catalogs", method: "GET", kind: "business", edge: "owned_product_catalogs", handle: listCatalogs("owned") },
  { label: "GET /{business-id}/client_product_catalogs", method: "GET", kind: "business", edge: "client_product_catalogs", handle: listCatalogs("client") },
  {
    label: "GET /{catalog-id}",
    method: "GET",
    kind: "catalog",
    edge: null,
    handle: (ctx) => json(pick(ctx.state, "ProductCatalog", catalogOf(ctx), CATALOG_FIELDS, parseFields(ctx.req.params.fields, ["id", "name"]))),
  },
  { label: "POST /{catalog-id}/items_batch", method: "POST", kind: "catalog", edge: "items_batch", handle: itemsBatch },
  { label: "GET /{catalog-id}/check_batch_request_status", method: "GET", kind: "catalog", edge: "check_batch_request_status", handle: batchStatus },
  { label: "GET /{catalog-id}/products", method: "GET", kind: "catalog", edge: "products", handle: listProducts },
  {
    label: "GET /{catalog-id}/diagnostics",
    method: "GET",
    kind: "catalog",
    edge: "diagnostics",
    handle: (ctx) => {
      const catalog = catalogOf(ctx);
      settleBatches(ctx.state);
      const page = paginate(diagnosticsOf(ctx.state, catalog), ctx.req.params, (after) => ctx.selfUrl({ after }));
      return json({ data: page.data, ...(page.paging ? { paging: page.paging } : {}) });
    },
  },
];
