import { describe, expect, it } from "vitest";
import { itemRequests } from "./items.server";
import { additionalImages, ageGroupValue, formatPrice, genderValue, isItemUrl, unmappableOption } from "./meta-item-fields";

describe("Meta's item fields", () => {
  it("maps what merchants call a gender onto female, male or unisex", () => {
    expect(["Men", "men's", "MAN", "Boys", "Gents"].map(genderValue)).toEqual(["male", "male", "male", "male", "male"]);
    expect(["Women", "Women’s", "girls", "Ladies"].map(genderValue)).toEqual(["female", "female", "female", "female"]);
    expect(["Unisex", "uni-sex", "All"].map(genderValue)).toEqual(["unisex", "unisex", "unisex"]);
    expect(genderValue("Kids")).toBeNull();
  });

  it("maps age groups onto Meta's list", () => {
    expect(["Adults", "Children", "Baby", "Teenager", "All ages", "newborns"].map(ageGroupValue)).toEqual(["adult", "kids", "infant", "teen", "all ages", "newborn"]);
    expect(ageGroupValue("2-3 years")).toBeNull();
  });

  it("formats prices as Meta takes them", () => {
    expect(formatPrice("19.9", "EUR")).toBe("19.90 EUR");
    expect(formatPrice("1000", "JPY")).toBe("1000.00 JPY");
    expect(formatPrice("-1", "USD")).toBeNull();
    expect(formatPrice("abc", "USD")).toBeNull();
  });

  it("keeps at most 20 additional images within 2,000 characters, without URLs Meta would split or refuse", () => {
    const url = (i: number) => `https://cdn.example.com/${"x".repeat(80)}/${i}.jpg`;
    const kept = additionalImages(Array.from({ length: 30 }, (_, i) => url(i)));
    expect(kept.join(",").length).toBeLessThanOrEqual(2000);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => url(i)));
    expect(additionalImages(Array.from({ length: 30 }, (_, i) => `https://c.example/${i}.jpg`))).toHaveLength(20);
    expect(additionalImages(["https://c.example/a b.jpg", "https://c.example/a,b.jpg", "ftp://c.example/c.jpg", "https://c.example/ok.jpg"])).toEqual(["https://c.example/ok.jpg"]);
    expect(isItemUrl("https://shop.example/products/tee?variant=1")).toBe(true);
    expect(isItemUrl("https://localhost/x")).toBe(false);
  });

  it("says what to change in Shopify for a value it cannot map", () => {
    expect(unmappableOption(" Age group ", "2-3 years", "age_group")).toMatch(
      /^The option “Age group” has the value “2-3 years”, which Meta does not accept for age group: Meta takes Adult, All ages, Teen, Kids, Toddler, Infant or Newborn/,
    );
  });

  it("an UPDATE sends a field the item lost as empty, as Meta's own integrations clear one", () => {
    const [update, remove] = itemRequests([{ id: "r1", title: "Tee", price: "1.00 USD", color: "Red" }], ["r1", "r0"]);
    expect(update).toEqual({
      method: "UPDATE",
      data: { id: "r1", title: "Tee", price: "1.00 USD", color: "Red", sale_price: "", additional_image_link: [], size: "", material: "", pattern: "", gender: "", age_group: "" },
    });
    expect(remove).toEqual({ method: "DELETE", data: { id: "r0" } });
  });
});
