/**
 * Variant titles ("S / Red") for the per-variant list, read with the admin
 * extension's Direct API access (`shopify.query`, the merchant's own
 * read_products access). Best effort: the block falls back to "Variant 123".
 */

export type QueryFn = <Data>(query: string, options?: { variables?: Record<string, unknown> }) => Promise<{ data?: Data; errors?: unknown[] }>;

export const VARIANT_TITLES_QUERY = `query ProductVariantTitles($id: ID!) {
  product(id: $id) { variants(first: 250) { nodes { legacyResourceId title } } }
}`;

interface VariantTitlesData {
  product: { variants: { nodes: { legacyResourceId: string; title: string }[] } } | null;
}

export async function loadVariantTitles(query: QueryFn, productGid: string): Promise<Record<string, string>> {
  const { data } = await query<VariantTitlesData>(VARIANT_TITLES_QUERY, { variables: { id: productGid } });
  return Object.fromEntries((data?.product?.variants.nodes ?? []).map((n) => [n.legacyResourceId, n.title]));
}
