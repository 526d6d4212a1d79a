import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { adminFetch, sessionToken } from "../helpers/shopify";
import { seedInstalledShop } from "../sandbox/seed";
import { mintSessionToken } from "../sandbox/session-token";
import { TEST_API_KEY, TEST_API_SECRET } from "../helpers/app-process";
import { parseSyncStatus } from "../../extensions/product-sync-status/src/model";
import { fetchSyncStatus, postSyncAction, StatusError, type FetchLike } from "../../extensions/product-sync-status/src/client";

/**
 * The endpoint the product-page block calls (/api/products/{id}/sync-status),
 * on the production build: one product's status for the session's shop only,
 * the block's three actions, bad input, session tokens and CORS for the
 * admin's extension origin.
 */

/** Where Shopify runs admin UI extensions: their fetches come from this origin. */
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const NO_IMAGE = "The product has no image. Add an image in Shopify; Meta requires one.";

describe.each(providers())("product status endpoint on %s", (provider) => {
  const t = useApp(provider);
  const shopA = `status-a-${provider}.myshopify.com`;
  const shopB = `status-b-${provider}.myshopify.com`;
  const shopC = `status-c-${provider}.myshopify.com`; // installed, no catalog
  const syncedAt = new Date("2026-11-01T10:00:00.000Z");
  const reviewedAt = new Date("2026-11-01T10:05:00.000Z");

  const path = (id: string | number) => `/api/products/${id}/sync-status`;
  const get = (shop: string, id: string | number, headers: Record<string, string> = {}) => adminFetch(t.url, path(id), shop, { headers });
  const post = (shop: string, id: string | number, body: unknown, headers: Record<string, string> = {}) =>
    adminFetch(t.url, path(id), shop, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const row = (shop: string, productId: string) => t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId } } });

  async function product(shop: string, productId: string, data: Record<string, unknown>) {
    await t.db.productSync.create({
      data: { shop, productId, title: `Product ${productId}`, shopifyUpdatedAt: syncedAt, dirty: false, ...data },
    });
  }

  beforeAll(async () => {
    for (const shop of [shopA, shopB, shopC]) await seedInstalledShop(t.db, shop);
    for (const shop of [shopA, shopB]) {
      await t.db.catalogConnection.create({ data: { shop, catalogId: `cat-${shop}`, catalogName: "Catalog", state: "CONNECTED" } });
    }
    await product(shopA, "101", {
      status: "SYNCED",
      lastSyncedAt: syncedAt,
      // Meta's review (issue 17): one variant approved, one that Meta could not fetch the image of.
      review: "NEEDS_FIXING",
      sentAt: syncedAt,
      confirmedAt: reviewedAt,
      itemReviews: [
        { r: "shopify_101_10101", verdict: "LIVE", cause: null, reason: null, fix: null, image: null },
        { r: "shopify_101_10102", verdict: "NEEDS_FIXING", cause: "image", reason: "Meta could not download the image https://cdn.example.com/x.jpg.", fix: "Replace it.", image: "https://cdn.example.com/x.jpg" },
      ],
      pushedItems: [{ id: "shopify_101_10101", title: "Tee" }, { id: "shopify_101_10102", title: "Tee" }],
    });
    await product(shopA, "102", {
      status: "FAILED",
      lastError: NO_IMAGE,
      pushedItems: [{ id: "shopify_102_10201", title: "Mug" }],
      itemErrors: [{ retailerId: "shopify_102_10202", reason: NO_IMAGE }],
    });
    await product(shopA, "103", { status: "SYNCED", lastSyncedAt: syncedAt });
    // Shop B: a product only it has, and one with the same id as shop A's 101.
    await product(shopB, "900", { title: "B's secret product", status: "FAILED", lastError: "B-only Meta message" });
    await product(shopB, "101", { title: "B's 101", status: "FAILED", lastError: "B-only error for 101" });
  });

  it("returns the product's status, last sync and items for the session's shop", async () => {
    const res = await get(shopA, 101);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      connection: "CONNECTED",
      product: {
        productId: "101",
        // The product's one status (the Catalog table's): Meta's verdict, the worst of its variants'.
        status: "NEEDS_FIXING",
        excluded: false,
        lastError: null,
        lastSyncedAt: "2026-11-01T10:00:00.000Z",
        verdict: "NEEDS_FIXING",
        sentAt: "2026-11-01T10:00:00.000Z",
        confirmedAt: "2026-11-01T10:05:00.000Z",
        variants: [
          { retailerId: "shopify_101_10101", status: "SYNCED", error: null, verdict: "LIVE", reason: null, fix: null, image: null },
          {
            retailerId: "shopify_101_10102",
            status: "SYNCED",
            error: null,
            verdict: "NEEDS_FIXING",
            reason: "Meta could not download the image https://cdn.example.com/x.jpg.",
            fix: "Replace it.",
            image: "https://cdn.example.com/x.jpg",
          },
        ],
      },
    });
    // Exactly what the block reads.
    expect(parseSyncStatus(body)).toEqual(body);
  });

  it("takes the product's gid as well (what the admin gives the extension)", async () => {
    const res = await get(shopA, encodeURIComponent("gid://shopify/Product/101"));
    expect(res.status).toBe(200);
    expect((await res.json()).product.productId).toBe("101");
  });

  it("gives a failed product's error per variant, including a variant that was never sent", async () => {
    const body = await (await get(shopA, 102)).json();
    expect(body.product).toMatchObject({ status: "FAILED", lastError: NO_IMAGE, lastSyncedAt: null });
    expect(body.product.verdict).toBe("FAILED");
    expect(body.product.variants).toEqual([
      // Sent with the product and not refused: in the catalog (issue 16, one status per variant), its review not read yet (Sent).
      { retailerId: "shopify_102_10201", status: "SYNCED", error: null, verdict: "SENT", reason: null, fix: null, image: null },
      { retailerId: "shopify_102_10202", status: "FAILED", error: NO_IMAGE, verdict: "FAILED", reason: null, fix: null, image: null },
    ]);
    expect(parseSyncStatus(body)).toEqual(body);
  });

  it("says NOT_CONNECTED for a shop without a catalog, and NEEDS_RECONNECT when Meta refused the token", async () => {
    expect(await (await get(shopC, 101)).json()).toEqual({ connection: "NOT_CONNECTED", product: null });
    await t.db.catalogConnection.update({ where: { shop: shopB }, data: { state: "NEEDS_RECONNECT" } });
    try {
      const body = await (await get(shopB, 900)).json();
      expect(body.connection).toBe("NEEDS_RECONNECT");
      expect(body.product.status).toBe("FAILED");
    } finally {
      await t.db.catalogConnection.update({ where: { shop: shopB }, data: { state: "CONNECTED" } });
    }
  });

  it("rejects requests without a valid session token, with no data", async () => {
    const attempts: [string, Record<string, string>][] = [
      ["no token", {}],
      ["wrong secret", { authorization: `Bearer ${sessionToken(shopA, "not-the-app-secret-0123456789")}` }],
      ["expired", { authorization: `Bearer ${mintSessionToken({ shop: shopA, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, ttlSeconds: -120 })}` }],
      ["another app's token", { authorization: `Bearer ${mintSessionToken({ shop: shopA, apiKey: "other-app", apiSecret: TEST_API_SECRET })}` }],
      ["not a JWT", { authorization: "Bearer not-a-token" }],
    ];
    for (const [why, headers] of attempts) {
      for (const method of ["GET", "POST"]) {
        const res = await fetch(`${t.url}${path(101)}`, {
          method,
          headers: { "user-agent": BROWSER_UA, ...headers, ...(method === "POST" ? { "content-type": "application/json" } : {}) },
          body: method === "POST" ? JSON.stringify({ action: "exclude" }) : undefined,
          redirect: "manual",
        });
        const text = await res.text();
        // A bearer token that fails verification: 401 (App Bridge / the admin retry with a fresh one);
        // no token at all: the library sends the request to log in (a redirect).
        if (why === "no token") expect([302, 303, 307], `${why} ${method}`).toContain(res.status);
        else expect(res.status, `${why} ${method}`).toBe(401);
        expect(text, `${why} ${method}`).not.toContain("connection");
        expect(text).not.toContain("shopify_101");
      }
    }
    expect((await row(shopA, "101")).excluded).toBe(false);
  });

  it("never shows or changes another shop's product", async () => {
    const before = await row(shopB, "900");
    const res = await get(shopA, 900);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ connection: "CONNECTED", product: null });
    expect(text).not.toContain("B-only");

    // Same product id in both shops: shop A sees its own row only.
    const own = await (await get(shopA, 101)).json();
    expect(own.product.status).toBe("NEEDS_FIXING");
    expect(JSON.stringify(own)).not.toContain("B-only");

    for (const action of ["sync", "exclude", "include"]) {
      const change = await post(shopA, 900, { action });
      expect(change.status).toBe(404);
      expect(await change.json()).toEqual({ error: "This product has not reached the app yet" });
    }
    expect(await row(shopB, "900")).toEqual(before);
  });

  it("POST sync marks the product dirty for the worker and answers Pending", async () => {
    const before = await row(shopA, "103");
    const res = await post(shopA, 103, { action: "sync" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.product).toMatchObject({ productId: "103", status: "PENDING", excluded: false });
    const after = await row(shopA, "103");
    expect(after).toMatchObject({ dirty: true, status: "PENDING", excluded: false, attempts: 0, nextAttemptAt: null });
    expect(after.version).toBe(before.version + 1);
    expect(after.dirtySince).not.toBeNull();
  });

  it("POST exclude and include flip the exclusion and mark the product dirty", async () => {
    await t.db.productSync.update({ where: { shop_productId: { shop: shopA, productId: "101" } }, data: { dirty: false } });
    const excluded = await post(shopA, 101, { action: "exclude" });
    expect(excluded.status).toBe(200);
    expect((await excluded.json()).product).toMatchObject({ excluded: true, status: "PENDING" });
    expect(await row(shopA, "101")).toMatchObject({ excluded: true, dirty: true });

    await t.db.productSync.update({ where: { shop_productId: { shop: shopA, productId: "101" } }, data: { dirty: false, status: "EXCLUDED" } });
    expect((await (await get(shopA, 101)).json()).product).toMatchObject({ excluded: true, status: "EXCLUDED" });

    const included = await post(shopA, 101, { action: "include" });
    expect((await included.json()).product).toMatchObject({ excluded: false, status: "PENDING" });
    expect(await row(shopA, "101")).toMatchObject({ excluded: false, dirty: true });
    // Shop B's product with the same id is untouched.
    expect(await row(shopB, "101")).toMatchObject({ excluded: false, dirty: false, status: "FAILED" });
  });

  it("answers 400 with a clear error for a malformed body or product id, and changes nothing", async () => {
    const before = await row(shopA, "102");
    const cases: [string | number, unknown, RegExp][] = [
      [102, "{not json", /Body must be JSON/],
      [102, "", /Body must be JSON/],
      [102, { action: "delete" }, /"sync" \| "exclude" \| "include"/],
      [102, { intent: "sync" }, /"sync" \| "exclude" \| "include"/],
      [102, ["sync"], /"sync" \| "exclude" \| "include"/],
      ["abc", { action: "sync" }, /product id/],
    ];
    for (const [id, body, message] of cases) {
      const res = await post(shopA, id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = await res.json();
      expect(json.error).toMatch(message);
    }
    const badId = await get(shopA, "12abc");
    expect(badId.status).toBe(400);
    expect(await badId.json()).toEqual({ error: "Unknown product id" });
    expect(await row(shopA, "102")).toEqual(before);
  });

  it("talks to the block's own client as the admin runs it (relative URL, token added by the admin)", async () => {
    // What the admin does for an extension's fetch: resolve against the app's URL, add the ID token.
    const adminRuntimeFetch =
      (shop: string, token?: string): FetchLike =>
      (input, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${token ?? sessionToken(shop)}`);
        headers.set("origin", EXTENSION_ORIGIN);
        headers.set("user-agent", BROWSER_UA);
        return fetch(new URL(input, t.url), { ...init, headers });
      };
    const status = await fetchSyncStatus(adminRuntimeFetch(shopA), "102");
    expect(status.product).toMatchObject({ productId: "102", status: "FAILED", lastError: NO_IMAGE });

    const queued = await postSyncAction(adminRuntimeFetch(shopA), "102", "sync");
    expect(queued.product).toMatchObject({ productId: "102", status: "PENDING" });
    expect(await row(shopA, "102")).toMatchObject({ dirty: true, status: "PENDING" });

    const notHere = await postSyncAction(adminRuntimeFetch(shopA), "900", "exclude").catch((e: unknown) => e);
    expect(notHere).toBeInstanceOf(StatusError);
    expect((notHere as StatusError).message).toBe("This product has not reached the app yet");

    const denied = await fetchSyncStatus(adminRuntimeFetch(shopA, "not-a-token"), "102").catch((e: unknown) => e);
    expect(denied).toMatchObject({ status: 401, message: "Your Shopify session could not be verified. Reload the page and try again." });
  });

  it("answers the admin extension origin with CORS headers, preflight included", async () => {
    const preflight = await fetch(`${t.url}${path(101)}`, {
      method: "OPTIONS",
      headers: {
        origin: EXTENSION_ORIGIN,
        "user-agent": BROWSER_UA,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type"]));

    const read = await get(shopA, 101, { origin: EXTENSION_ORIGIN });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBe("*");

    const change = await post(shopA, 101, { action: "sync" }, { origin: EXTENSION_ORIGIN });
    expect(change.status).toBe(200);
    expect(change.headers.get("access-control-allow-origin")).toBe("*");

    // Errors are readable by the extension too (it shows them).
    const bad = await post(shopA, 101, { action: "nope" }, { origin: EXTENSION_ORIGIN });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("access-control-allow-origin")).toBe("*");
    const denied = await fetch(`${t.url}${path(101)}`, {
      headers: { origin: EXTENSION_ORIGIN, "user-agent": BROWSER_UA, authorization: "Bearer not-a-token" },
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("*");
  });
});
