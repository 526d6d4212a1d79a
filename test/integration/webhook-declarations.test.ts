import fs from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/app-process";

/** shopify.app.toml declares every webhook the app handles, and each declared route exists. */

interface Subscription {
  topics?: string[];
  compliance_topics?: string[];
  uri: string;
  include_fields?: string[];
}

const toml = parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as unknown as {
  webhooks: { api_version: string; subscriptions: Subscription[] };
  access_scopes: { scopes: string };
  embedded: boolean;
};

// Remix flat routes: "webhooks.app.uninstalled.tsx" serves /webhooks/app/uninstalled.
function webhookRoutes() {
  return fs
    .readdirSync(path.join(ROOT, "app/routes"))
    .filter((f) => f.startsWith("webhooks.") && !f.includes(".test."))
    .map((f) => "/" + f.replace(/\.tsx?$/, "").replace(/\/route$/, "").split(".").join("/"));
}

const SHOPIFY_HANDLED = {
  "/webhooks/products": ["products/create", "products/update", "products/delete"],
  "/webhooks/bulk_operations": ["bulk_operations/finish"],
  "/webhooks/inventory_items": ["inventory_items/create", "inventory_items/update"],
  "/webhooks/app/uninstalled": ["app/uninstalled"],
  "/webhooks/app/scopes_update": ["app/scopes_update"],
  "/webhooks/compliance": ["customers/data_request", "customers/redact", "shop/redact"],
};

describe("shopify.app.toml webhook declarations", () => {
  const subs = toml.webhooks.subscriptions;

  it("declares exactly the Shopify webhooks the app's routes handle", () => {
    const declared: Record<string, string[]> = {};
    for (const s of subs) (declared[s.uri] ??= []).push(...(s.topics ?? []), ...(s.compliance_topics ?? []));
    for (const topics of Object.values(declared)) topics.sort();
    const expected = Object.fromEntries(Object.entries(SHOPIFY_HANDLED).map(([k, v]) => [k, [...v].sort()]));
    expect(declared).toEqual(expected);
  });

  it("has a route for every declared uri, and every Shopify webhook route is declared", () => {
    const routes = webhookRoutes().filter((r) => r !== "/webhooks/meta");
    expect(routes.sort()).toEqual(Object.keys(SHOPIFY_HANDLED).sort());
    for (const s of subs) expect(routes).toContain(s.uri);
  });

  it("limits product payloads with include_fields that always carry updated_at", () => {
    const product = subs.find((s) => s.topics?.includes("products/update"));
    expect(product?.include_fields).toContain("updated_at");
    expect(product?.include_fields).toContain("variants.price");
    // Removed from product webhooks in 2024-07 ("Product Variant Field Cleanup"): asking for it gets nothing.
    expect(product?.include_fields).not.toContain("variants.inventory_management");
    expect(product?.include_fields).toEqual(expect.arrayContaining(["variants.inventory_item_id", "variant_gids"]));
    const inventory = subs.find((s) => s.topics?.includes("inventory_items/update"));
    expect(inventory?.include_fields).toEqual(expect.arrayContaining(["id", "tracked", "updated_at"]));
  });

  it("uses an API version the app's Shopify library supports and the app is embedded", async () => {
    const { ApiVersion } = await import("@shopify/shopify-api");
    expect(Object.values(ApiVersion)).toContain(toml.webhooks.api_version);
    const { ADMIN_API_VERSION } = await import("../../app/shopify-api-version");
    expect(ADMIN_API_VERSION).toBe(toml.webhooks.api_version);
    expect(toml.embedded).toBe(true);
    expect(toml.access_scopes.scopes.split(",")).toContain("read_products");
  });
});
