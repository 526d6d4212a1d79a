import { describe, expect, it } from "vitest";
import { variantLabel } from "./variant-label";

const snapshot = {
  options: [
    { name: "Color", position: 2 },
    { name: "Size", position: 1 },
  ],
  variants: [
    { id: 800001101, title: "M / Blue", option1: "M", option2: "Blue" },
    { id: 800001102, title: "L / Blue", option1: "L", option2: "Blue" },
  ],
};

describe("variantLabel", () => {
  it("names an item by its variant's title and options, in the options' order", () => {
    expect(variantLabel(snapshot, "shopify_8000011_800001101")).toEqual({ title: "M / Blue", options: "Size: M · Color: Blue" });
  });
  it("says Only variant for a product without options", () => {
    const single = { options: [{ name: "Title", position: 1 }], variants: [{ id: 5, title: "Default Title", option1: "Default Title" }] };
    expect(variantLabel(single, "shopify_1_5")).toEqual({ title: "Only variant", options: "" });
  });
  it("keeps a plain name for a variant the snapshot no longer has, or an id of another shape", () => {
    expect(variantLabel(snapshot, "shopify_8000011_999")).toEqual({ title: "Variant no longer in Shopify (ID 999)", options: "" });
    expect(variantLabel(null, "something-else")).toEqual({ title: "something-else", options: "" });
  });
});
