/** @jsxImportSource preact */
// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProductSyncStatusBlock } from "../../extensions/product-sync-status/src/ProductSyncStatusBlock";
import { loadVariantTitles, VARIANT_TITLES_QUERY, type QueryFn } from "../../extensions/product-sync-status/src/variant-titles";
import { numericProductId, parseSyncStatus, type ProductSync, type SyncStatus } from "../../extensions/product-sync-status/src/model";
import { fakeFetch, mount, type Mounted } from "./render";

/**
 * The block with its data hook: what it asks the app's endpoint (URL, method,
 * body) on load and on each button, and what it shows for each answer.
 */

const GID = "gid://shopify/Product/123";
const URL_123 = "/api/products/123/sync-status";

const product = (overrides: Partial<ProductSync> = {}): ProductSync => ({
  productId: "123",
  status: "LIVE",
  excluded: false,
  lastError: null,
  lastSyncedAt: new Date(Date.now() - 60_000).toISOString(),
  verdict: "LIVE",
  variants: [{ retailerId: "shopify_123_1001", status: "SYNCED", error: null, verdict: "LIVE" }],
  ...overrides,
});
const ok = (p: ProductSync | null, connection: SyncStatus["connection"] = "CONNECTED") => ({ json: { connection, product: p } });

let view: Mounted | undefined;
afterEach(() => view?.unmount());

async function block(fetch: ReturnType<typeof fakeFetch>["fetch"], extra: { gid?: string; titles?: () => Promise<Record<string, string>>; pollMs?: number } = {}) {
  view = await mount(<ProductSyncStatusBlock productGid={"gid" in extra ? extra.gid : GID} fetch={fetch} loadVariantTitles={extra.titles} pollMs={extra.pollMs} />);
  return view;
}

describe("product sync status block (with the endpoint)", () => {
  it("loads the open product's status with a GET to the app's relative URL", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const api = fakeFetch(async () => {
      await gate;
      return Response.json(ok(product()).json);
    });
    const v = await block(api.fetch);
    expect(v.text()).toContain("Loading the catalog status");
    release();
    await v.waitFor(() => expect(v.text()).toContain("Live"));
    expect(api.calls).toEqual([{ url: URL_123, method: "GET", headers: { accept: "application/json" }, body: undefined }]);
    expect(v.text()).toContain("Last synced 1 minute ago");
  });

  it("Sync now: POSTs { action: 'sync' } as JSON and shows the status the endpoint returns", async () => {
    const api = fakeFetch(ok(product()), ok(product({ status: "PENDING" })));
    const v = await block(api.fetch, { pollMs: 60_000 });
    await v.waitFor(() => expect(v.buttonLabels()).toContain("Sync now"));
    await v.click("Sync now");
    await v.waitFor(() => expect(v.text()).toContain("Queued: the product syncs in a few seconds."));
    expect(api.calls[1]).toEqual({
      url: URL_123,
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: { action: "sync" },
    });
    expect(v.root.querySelector("s-badge")!.textContent).toBe("Pending");
  });

  it("Exclude from catalog, then Include again: one POST each with the matching action", async () => {
    const api = fakeFetch(
      ok(product()),
      ok(product({ status: "PENDING", excluded: true })),
      ok(product({ status: "PENDING", excluded: false })),
    );
    const v = await block(api.fetch, { pollMs: 60_000 });
    await v.waitFor(() => expect(v.buttonLabels()).toEqual(["Sync now", "Exclude from catalog"]));
    await v.click("Exclude from catalog");
    await v.waitFor(() => expect(v.buttonLabels()).toEqual(["Include again"]));
    expect(v.text()).toContain("Being removed from your Meta catalog");
    await v.click("Include again");
    await v.waitFor(() => expect(v.buttonLabels()).toEqual(["Sync now", "Exclude from catalog"]));
    expect(api.calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ["GET", URL_123, undefined],
      ["POST", URL_123, { action: "exclude" }],
      ["POST", URL_123, { action: "include" }],
    ]);
  });

  it("ignores a second click while the first request runs", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const api = fakeFetch(ok(product()), async () => {
      await gate;
      return Response.json(ok(product({ status: "PENDING" })).json);
    });
    const v = await block(api.fetch, { pollMs: 60_000 });
    await v.waitFor(() => expect(v.buttonLabels()).toContain("Sync now"));
    await v.click("Sync now");
    expect(v.button("Sync now").hasAttribute("loading")).toBe(true);
    await v.click("Sync now");
    await v.click("Exclude from catalog");
    release();
    await v.waitFor(() => expect(v.button("Sync now").hasAttribute("loading")).toBe(false));
    expect(api.calls.filter((c) => c.method === "POST")).toHaveLength(1);
  });

  it("a failed action keeps the status and says what went wrong, in the endpoint's words", async () => {
    const api = fakeFetch(ok(product()), { status: 404, json: { error: "This product has not reached the app yet" } });
    const v = await block(api.fetch);
    await v.waitFor(() => expect(v.buttonLabels()).toContain("Sync now"));
    await v.click("Sync now");
    await v.waitFor(() => expect(v.text()).toContain("Could not queue the sync: This product has not reached the app yet"));
    expect(v.root.querySelector("s-badge")!.textContent).toBe("Live");
  });

  it("a rejected session token (401): asks to reload; Try again loads again", async () => {
    const api = fakeFetch({ status: 401, text: "" }, ok(null, "NOT_CONNECTED"));
    const v = await block(api.fetch);
    await v.waitFor(() => expect(v.text()).toContain("Your Shopify session could not be verified. Reload the page and try again."));
    await v.click("Try again");
    await v.waitFor(() => expect(v.text()).toContain("Not connected"));
    expect(api.calls.map((c) => c.method)).toEqual(["GET", "GET"]);
  });

  it("a server error page (500, not JSON)", async () => {
    const v = await block(fakeFetch({ status: 500, text: "<html>Internal Server Error</html>" }).fetch);
    await v.waitFor(() => expect(v.text()).toContain("The app had a problem (HTTP 500). Try again in a moment."));
  });

  it("no network", async () => {
    const v = await block(fakeFetch(new TypeError("Failed to fetch")).fetch);
    await v.waitFor(() => expect(v.text()).toContain("Could not reach the app. Check your connection and try again."));
  });

  it("an answer that is not the status endpoint's (a login page, another shape)", async () => {
    const v = await block(fakeFetch({ json: { connection: "CONNECTED", product: { productId: 1 } } }).fetch);
    await v.waitFor(() => expect(v.text()).toContain("The app answered with something other than the catalog status."));
  });

  it("a disconnected catalog: Not connected, no buttons", async () => {
    const v = await block(fakeFetch(ok(null, "NOT_CONNECTED")).fetch);
    await v.waitFor(() => expect(v.text()).toContain("No Meta catalog is connected"));
    expect(v.buttonLabels()).toEqual([]);
  });

  it("re-checks a pending product until Meta accepted it (Sent)", async () => {
    const sent = product({ status: "SENT", verdict: "SENT", variants: [{ retailerId: "shopify_123_1001", status: "SYNCED", error: null, verdict: "SENT" }] });
    const api = fakeFetch(ok(product({ status: "PENDING" })), ok(product({ status: "PENDING" })), ok(sent));
    const v = await block(api.fetch, { pollMs: 5 });
    await v.waitFor(() => expect(v.root.querySelector("s-badge")?.textContent).toBe("Sent"));
    const settled = api.calls.length;
    expect(settled).toBe(3);
    await new Promise((r) => setTimeout(r, 30));
    expect(api.calls).toHaveLength(settled);
  });

  it("names variants by their Shopify titles when it can read them", async () => {
    const failing = product({
      status: "FAILED",
      lastError: "The variant has no price. Set a price in Shopify.",
      variants: [
        { retailerId: "shopify_123_1001", status: "SYNCED", error: null },
        { retailerId: "shopify_123_1002", status: "FAILED", error: "The variant has no price. Set a price in Shopify." },
      ],
    });
    const query = vi.fn(async () => ({
      data: { product: { variants: { nodes: [{ legacyResourceId: "1001", title: "S" }, { legacyResourceId: "1002", title: "M" }] } } },
    })) as unknown as QueryFn;
    const v = await block(fakeFetch(ok(failing)).fetch, { titles: () => loadVariantTitles(query, GID) });
    await v.waitFor(() => expect(v.text()).toContain("MFailedThe variant has no price."));
    expect(query).toHaveBeenCalledWith(VARIANT_TITLES_QUERY, { variables: { id: GID } });
  });

  it("falls back to variant ids when the titles cannot be read", async () => {
    const failing = product({
      status: "FAILED",
      variants: [
        { retailerId: "shopify_123_1001", status: "SYNCED", error: null },
        { retailerId: "shopify_123_1002", status: "FAILED", error: "Invalid price" },
      ],
    });
    const v = await block(fakeFetch(ok(failing)).fetch, { titles: () => Promise.reject(new Error("no access")) });
    await v.waitFor(() => expect(v.text()).toContain("Variant 1002Failed"));
  });

  it("outside a product page (no product id): explains, calls nothing", async () => {
    const api = fakeFetch(ok(product()));
    const v = await block(api.fetch, { gid: undefined });
    await v.waitFor(() => expect(v.text()).toContain("This block only works on a product's page."));
    expect(api.calls).toEqual([]);
  });
});

describe("the endpoint's contract as the block reads it", () => {
  it("takes the numeric id from the product's gid", () => {
    expect(numericProductId("gid://shopify/Product/8123456789")).toBe("8123456789");
    expect(numericProductId("gid://shopify/ProductVariant/1")).toBeNull();
    expect(numericProductId("gid://shopify/Product/1/../../x")).toBeNull();
    expect(numericProductId(undefined)).toBeNull();
  });

  it("accepts the endpoint's shape and rejects anything else", () => {
    const good = { connection: "CONNECTED", product: product() };
    expect(parseSyncStatus(good)).toEqual(good);
    expect(parseSyncStatus({ connection: "NOT_CONNECTED", product: null })).toEqual({ connection: "NOT_CONNECTED", product: null });
    expect(parseSyncStatus({ connection: "MAYBE", product: null })).toBeNull();
    expect(parseSyncStatus({ connection: "CONNECTED", product: { ...product(), status: "DONE" } })).toBeNull();
    expect(parseSyncStatus({ connection: "CONNECTED", product: { ...product(), variants: [{ retailerId: 1 }] } })).toBeNull();
    expect(parseSyncStatus("<html>")).toBeNull();
    // A variant's status is how far the app got with it, not a verdict.
    expect(parseSyncStatus({ connection: "CONNECTED", product: { ...product(), variants: [{ retailerId: "x", status: "LIVE", error: null }] } })).toBeNull();
  });

  it("reads an app older than the one status (SYNCED once Meta accepted it) as Meta's verdict, else Sent", () => {
    const old = { ...product(), status: "SYNCED" };
    expect(parseSyncStatus({ connection: "CONNECTED", product: { ...old, verdict: "REJECTED" } })!.product!.status).toBe("REJECTED");
    const { verdict: _none, ...noVerdict } = old;
    expect(parseSyncStatus({ connection: "CONNECTED", product: noVerdict })!.product!.status).toBe("SENT");
  });
});
