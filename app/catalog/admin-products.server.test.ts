import { describe, expect, it } from "vitest";
import { toSnapshot, type ProductNode } from "./admin-products.server";
import { productItems } from "./items.server";

type Variant = ProductNode["variants"]["nodes"][number];

const variant = (id: string, position: number, over: Partial<Variant> = {}): Variant => ({
  id: `gid://shopify/ProductVariant/${id}`,
  legacyResourceId: id,
  title: `Size ${position}`,
  price: "12.00",
  compareAtPrice: null,
  sku: `SKU-${id}`,
  barcode: null,
  inventoryQuantity: 3,
  inventoryPolicy: "DENY",
  position,
  inventoryItem: { id: `gid://shopify/InventoryItem/9${id}`, tracked: true },
  selectedOptions: [
    { name: "Color", value: "Red" },
    { name: "Size", value: `S${position}` },
  ],
  image: null,
  ...over,
});

const node = (over: Partial<ProductNode> = {}): ProductNode => ({
  id: "gid://shopify/Product/77",
  legacyResourceId: "77",
  title: "Shirt",
  descriptionHtml: "<p>Cotton</p>",
  vendor: "Acme",
  productType: "Shirts",
  handle: "shirt",
  status: "ACTIVE",
  publishedAt: "2026-11-01T00:00:00Z",
  updatedAt: "2026-11-02T00:00:00Z",
  tags: ["a", "b"],
  // Out of order on purpose: the snapshot follows positions.
  options: [
    { name: "Size", position: 2 },
    { name: "Color", position: 1 },
  ],
  media: { nodes: [{ id: "gid://shopify/MediaImage/5", image: { id: "gid://shopify/ProductImage/50", url: "https://cdn.example.com/a.jpg" } }, {}] },
  variants: { nodes: [variant("2", 2), variant("1", 1)] },
  ...over,
});

describe("toSnapshot (Admin GraphQL product -> the webhook's REST shape)", () => {
  it("maps ids, status, options by position, and each variant's inventory item and tracking", () => {
    const snapshot = toSnapshot(node());
    expect(snapshot).toMatchObject({
      id: "77",
      title: "Shirt",
      body_html: "<p>Cotton</p>",
      status: "active",
      tags: "a, b",
      options: [{ name: "Color", position: 1 }, { name: "Size", position: 2 }],
      images: [{ id: "50", src: "https://cdn.example.com/a.jpg", position: 1 }],
    });
    expect(snapshot.variants.map((v) => v.id)).toEqual(["1", "2"]);
    expect(snapshot.variants[0]).toMatchObject({ option1: "Red", option2: "S1", inventory_policy: "deny", inventory_item_id: "91", tracked: true });
  });

  it("adds a variant's own image when the media read did not include it", () => {
    const snapshot = toSnapshot(node({ variants: { nodes: [variant("1", 1, { image: { id: "gid://shopify/ProductImage/60", url: "https://cdn.example.com/b.jpg" } })] } }));
    expect(snapshot.images?.map((i) => i.id)).toEqual(["50", "60"]);
    expect(snapshot.variants[0].image_id).toBe("60");
  });

  it("gives the same catalog items a webhook with the same product would", () => {
    const items = productItems(toSnapshot(node()), { currency: "USD", domain: "shop.example.com" }).items;
    expect(items.map((i) => [i.id, i.color, i.size, i.description])).toEqual([
      ["shopify_77_1", "Red", "S1", "Cotton"],
      ["shopify_77_2", "Red", "S2", "Cotton"],
    ]);
  });

  it("refuses a product whose fields the webhook schema would refuse", () => {
    expect(() => toSnapshot(node({ title: "bad\u0000title" }))).toThrow();
  });
});
