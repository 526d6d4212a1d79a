import { PRODUCT_LIST_MAX_SECTIONS, SECTION_TITLE_MAX, type ProductSection } from "../meta/product-message";

/**
 * The sections of a multi-product message (issue 18): the chosen products
 * grouped by product type (else vendor), in the order chosen; beyond Meta's
 * 10 sections the rest share the last one. Titles are cut to Meta's 24
 * characters. Pure.
 */

export const OTHER_GROUP = "More products";

const shorten = (text: string, max: number) => ([...text].length <= max ? text : `${[...text].slice(0, max - 1).join("")}…`);

export function productSections(products: { retailerId: string; group: string | null }[]): ProductSection[] {
  const groups = new Map<string, string[]>();
  for (const p of products) {
    const name = p.group ?? OTHER_GROUP;
    groups.set(name, [...(groups.get(name) ?? []), p.retailerId]);
  }
  const list = [...groups.entries()];
  const overflow = list.length > PRODUCT_LIST_MAX_SECTIONS;
  const kept = overflow ? list.slice(0, PRODUCT_LIST_MAX_SECTIONS - 1) : list;
  const rest = overflow ? list.slice(PRODUCT_LIST_MAX_SECTIONS - 1).flatMap(([, ids]) => ids) : [];
  const sections = kept.map(([title, retailerIds]) => ({ title: shorten(title, SECTION_TITLE_MAX), retailerIds }));
  if (rest.length) sections.push({ title: OTHER_GROUP, retailerIds: rest });
  return sections;
}
