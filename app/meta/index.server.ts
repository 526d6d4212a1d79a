/** The Meta Graph API client and everything a caller needs to handle its results. */
export { MetaGraphClient, MAX_BATCH_REQUESTS, MAX_BATCH_BYTES, MAX_REVIEW_IDS_PER_CALL } from "./client.server";
export type { CatalogItemData, CatalogItemRequest, MetaGraphClientOptions } from "./client.server";
export * from "./errors";
export type * from "./parsers";
export { ENDPOINTS, type EndpointLabel } from "./endpoints";
export { asSecret, SecretValue, type SecretLike } from "./secret";
export type { UsageEntry } from "./usage";
export { PRODUCT_LIST_MAX_ITEMS, PRODUCT_LIST_MAX_SECTIONS, SECTION_TITLE_MAX, type ProductList, type ProductSection, type Recipient, type SingleProduct } from "./product-message";
