import { describe, expect, it } from "vitest";
import { productSections } from "./product-sections";

describe("multi-product message sections", () => {
  it("group products by type in the order chosen", () => {
    expect(
      productSections([
        { retailerId: "a", group: "Mugs" },
        { retailerId: "b", group: "T-Shirts" },
        { retailerId: "c", group: "Mugs" },
        { retailerId: "d", group: null },
      ]),
    ).toEqual([
      { title: "Mugs", retailerIds: ["a", "c"] },
      { title: "T-Shirts", retailerIds: ["b"] },
      { title: "More products", retailerIds: ["d"] },
    ]);
  });

  it("keep to 10 sections and 24-character titles", () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ retailerId: `r${i}`, group: `Group ${i} with a rather long name` }));
    const sections = productSections(many);
    expect(sections).toHaveLength(10);
    expect(sections.at(-1)).toEqual({ title: "More products", retailerIds: ["r9", "r10", "r11", "r12", "r13"] });
    for (const s of sections) expect([...s.title].length).toBeLessThanOrEqual(24);
    expect(sections[0].title).toBe("Group 0 with a rather l…");
  });
});
