import { buildSchema } from "graphql";

/**
 * The part of Shopify's GraphQL Admin API (2026-10) the app reads, as SDL,
 * so the stand-in parses and validates queries as Shopify does: a field
 * Shopify removed (ProductVariant.inventoryManagement, "Product Variant Field
 * Cleanup", 2024-07) is an error here too. Types, field names and enums
 * follow https://shopify.dev/docs/api/admin-graphql/2026-10 (objects
 * Product, ProductVariant, InventoryItem, MediaImage, BulkOperation, Shop;
 * mutation bulkOperationRunQuery). Money, URL, DateTime and UnsignedInt64
 * travel as strings, as Shopify serializes them.
 */
export const ADMIN_SDL = /* GraphQL */ `
  scalar Money
  scalar URL
  scalar DateTime
  scalar UnsignedInt64
  scalar HTML

  interface Node { id: ID! }

  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }

  enum CountPrecision { EXACT AT_LEAST }
  type Count { count: Int! precision: CountPrecision! }

  type Domain { id: ID! host: String! url: URL! }
  type Shop implements Node { id: ID! name: String! currencyCode: String! primaryDomain: Domain! }

  enum ProductStatus { ACTIVE ARCHIVED DRAFT UNLISTED }
  enum ProductSortKeys { ID TITLE UPDATED_AT CREATED_AT INVENTORY_TOTAL PRODUCT_TYPE VENDOR PUBLISHED_AT RELEVANCE }
  enum ProductVariantInventoryPolicy { DENY CONTINUE }
  enum MediaContentType { IMAGE VIDEO EXTERNAL_VIDEO MODEL_3D }

  type ProductOption { id: ID! name: String! position: Int! values: [String!]! }
  type SelectedOption { name: String! value: String! }
  type Image { id: ID url: URL! altText: String width: Int height: Int }

  interface Media { id: ID! alt: String mediaContentType: MediaContentType! }
  type MediaImage implements Media & Node { id: ID! alt: String mediaContentType: MediaContentType! image: Image }
  type Video implements Media & Node { id: ID! alt: String mediaContentType: MediaContentType! }
  type MediaEdge { cursor: String! node: Media! }
  type MediaConnection { edges: [MediaEdge!]! nodes: [Media!]! pageInfo: PageInfo! }

  type InventoryItem implements Node { id: ID! legacyResourceId: UnsignedInt64! sku: String tracked: Boolean! requiresShipping: Boolean! createdAt: DateTime! updatedAt: DateTime! }

  type ProductVariant implements Node {
    id: ID! legacyResourceId: UnsignedInt64! title: String! displayName: String! price: Money! compareAtPrice: Money
    sku: String barcode: String inventoryQuantity: Int inventoryPolicy: ProductVariantInventoryPolicy! position: Int!
    inventoryItem: InventoryItem! selectedOptions: [SelectedOption!]! image: Image product: Product!
    createdAt: DateTime! updatedAt: DateTime!
  }
  type ProductVariantEdge { cursor: String! node: ProductVariant! }
  type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }

  type Product implements Node {
    id: ID! legacyResourceId: UnsignedInt64! title: String! descriptionHtml: HTML! vendor: String! productType: String!
    handle: String! status: ProductStatus! publishedAt: DateTime updatedAt: DateTime! createdAt: DateTime! tags: [String!]!
    onlineStoreUrl: URL
    options(first: Int): [ProductOption!]!
    media(first: Int, after: String, last: Int, before: String, reverse: Boolean): MediaConnection!
    variants(first: Int, after: String, last: Int, before: String, reverse: Boolean): ProductVariantConnection!
    variantsCount: Count
  }
  type ProductEdge { cursor: String! node: Product! }
  type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }

  enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
  enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
  enum BulkOperationType { QUERY MUTATION }
  type BulkOperation implements Node {
    id: ID! status: BulkOperationStatus! errorCode: BulkOperationErrorCode objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64! url: URL partialDataUrl: URL query: String! type: BulkOperationType!
    createdAt: DateTime! completedAt: DateTime fileSize: UnsignedInt64
  }
  type BulkOperationUserError { field: [String!] message: String! code: String }
  type BulkOperationRunQueryPayload { bulkOperation: BulkOperation userErrors: [BulkOperationUserError!]! }

  type QueryRoot {
    shop: Shop!
    productsCount(limit: Int, query: String): Count
    products(first: Int, after: String, last: Int, before: String, reverse: Boolean, sortKey: ProductSortKeys, query: String): ProductConnection!
    product(id: ID!): Product
    productVariant(id: ID!): ProductVariant
    inventoryItem(id: ID!): InventoryItem
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    currentBulkOperation: BulkOperation
  }
  type Mutation {
    bulkOperationRunQuery(query: String!, groupObjects: Boolean! = false): BulkOperationRunQueryPayload
  }
  schema { query: QueryRoot mutation: Mutation }
`;

export const adminSchema = buildSchema(ADMIN_SDL);
