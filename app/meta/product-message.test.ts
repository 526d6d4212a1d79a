import { describe, expect, it } from "vitest";
import { productListPayload, singleProductPayload } from "./product-message";

describe("product message payloads", () => {
  it("single product: to a phone number, with the catalog and retailer id, no header", () => {
    expect(singleProductPayload({ phone: "+14155550123" }, { catalogId: "300", retailerId: "sku-1", body: "Hi" })).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "+14155550123",
      type: "interactive",
      interactive: { type: "product", body: { text: "Hi" }, action: { catalog_id: "300", product_retailer_id: "sku-1" } },
    });
  });

  it("multi-product: to a business-scoped user id through `recipient`, sections with titles", () => {
    const payload = productListPayload({ userId: "US.1349" }, { catalogId: "300", header: "Picks", body: "Look", sections: [{ title: "Mugs", retailerIds: ["a", "b"] }] });
    expect(payload).toMatchObject({
      recipient: "US.1349",
      interactive: { type: "product_list", header: { type: "text", text: "Picks" }, body: { text: "Look" }, action: { catalog_id: "300", sections: [{ title: "Mugs", product_items: [{ product_retailer_id: "a" }, { product_retailer_id: "b" }] }] } },
    });
    expect(payload).not.toHaveProperty("to");
  });

  it("refuse what Meta refuses", () => {
    const list = (over: Record<string, unknown>) => () =>
      productListPayload({ phone: "+1" }, { catalogId: "3", header: "H", body: "B", sections: [{ title: "S", retailerIds: ["a"] }], ...over });
    expect(list({ sections: [] })).toThrow(/1 to 10 sections/);
    expect(list({ sections: [{ title: "S", retailerIds: Array.from({ length: 31 }, (_, i) => `r${i}`) }] })).toThrow(/at most 30/);
    expect(list({ sections: [{ title: "S", retailerIds: [] }] })).toThrow(/at least one product/);
    expect(list({ header: "x".repeat(61) })).toThrow(/header/);
    expect(list({ body: "" })).toThrow(/body is required/);
    expect(list({ sections: [{ title: "", retailerIds: ["a"] }, { title: "T", retailerIds: ["b"] }] })).toThrow(/section title is required/);
    expect(list({ sections: [{ title: "S", retailerIds: [" "] }] })).toThrow(/retailer id/);
    expect(() => singleProductPayload({ phone: "+1" }, { catalogId: "3", retailerId: "a", footer: "f".repeat(61) })).toThrow(/footer/);
  });
});
