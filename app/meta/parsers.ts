import { z } from "zod";
import { SecretValue, type SecretLike } from "./secret";

/**
 * Response parsers: zod schemas for the responses Meta's Graph API reference
 * documents (examples in test/fixtures/meta, sources in the README's
 * Platform contracts), and the normalized values the client returns. Unknown
 * fields are ignored and fields we could not confirm are optional, so a shape change on
 * Meta's side that does not touch what we read does not break a call.
 */

/** A body that does not match the endpoint's documented shape. */
export class ResponseShapeError extends Error {
  constructor(readonly issues: string[]) {
    super(`unexpected response shape: ${issues.join("; ")}`);
    this.name = "ResponseShapeError";
  }
}

function decode<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  // Only paths and issue codes: zod messages could quote received values,
  // and a body can hold a token.
  if (!result.success) throw new ResponseShapeError(result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.code}`));
  return result.data;
}

/** Graph ids are strings; some fields arrive as numbers. */
const id = z.union([z.string().min(1), z.number()]).transform(String);
const optText = z.string().nullish().transform((v) => v ?? null);
const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

const paging = z
  .object({
    cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).partial().optional(),
    next: z.string().optional(),
  })
  .optional();

export interface Page<T> {
  items: T[];
  /** The cursor of the next page; null on the last page. */
  after: string | null;
}

function pageOf<T>(data: T[], p: z.infer<typeof paging>): Page<T> {
  // Meta sends `next` only when another page exists; cursors come always.
  const after = p?.next && p.cursors?.after ? p.cursors.after : null;
  return { items: data, after };
}

// --- code exchange -----------------------------------------------------------

export interface ExchangedToken {
  token: SecretLike;
  tokenType: string;
  /** Seconds; null when Meta sent none (business integration tokens do not expire). */
  expiresIn: number | null;
}

const tokenExchange = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: num.optional(),
});

export function parseTokenExchange(body: unknown): ExchangedToken {
  const data = decode(tokenExchange, body);
  return { token: new SecretValue(data.access_token), tokenType: data.token_type ?? "bearer", expiresIn: data.expires_in ?? null };
}

// --- debug_token ---------------------------------------------------------------

export interface GranularScope {
  scope: string;
  /** Object ids the scope is limited to (newest WABA first); empty = not limited. */
  targetIds: string[];
}

export interface TokenInfo {
  isValid: boolean;
  appId: string | null;
  /** null = never expires (Meta sends 0; UNVERIFIED) or not stated. */
  expiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  scopes: string[];
  granularScopes: GranularScope[];
  userId: string | null;
  type: string | null;
  /** Why Meta considers the token invalid, when it says. */
  error: { code: number | null; subcode: number | null; message: string | null } | null;
}

const epoch = num.nullish().transform((s) => (s ? new Date(s * 1000) : null));

const debugToken = z.object({
  data: z.object({
    app_id: id.nullish(),
    is_valid: z.boolean().default(false),
    expires_at: epoch,
    data_access_expires_at: epoch,
    scopes: z.array(z.string()).default([]),
    granular_scopes: z
      .array(z.object({ scope: z.string(), target_ids: z.array(id).optional() }))
      .default([]),
    type: z.string().nullish(),
    user_id: id.nullish(),
    error: z
      .object({ code: num.optional(), subcode: num.optional(), message: z.string().optional() })
      .optional(),
  }),
});

export function parseDebugToken(body: unknown): TokenInfo {
  const { data } = decode(debugToken, body);
  return {
    isValid: data.is_valid,
    appId: data.app_id ?? null,
    expiresAt: data.expires_at,
    dataAccessExpiresAt: data.data_access_expires_at,
    scopes: data.scopes,
    granularScopes: data.granular_scopes.map((g) => ({ scope: g.scope, targetIds: g.target_ids ?? [] })),
    userId: data.user_id ?? null,
    type: data.type ?? null,
    error: data.error
      ? { code: data.error.code ?? null, subcode: data.error.subcode ?? null, message: data.error.message ?? null }
      : null,
  };
}

// --- phone numbers -------------------------------------------------------------

export interface PhoneNumberInfo {
  id: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  /** CONNECTED is needed to send; BANNED, RESTRICTED, RATE_LIMITED, FLAGGED, DISCONNECTED, DELETED are risky. */
  status: string | null;
  nameStatus: string | null;
  /** GREEN | YELLOW | RED | UNKNOWN */
  qualityRating: string | null;
  codeVerificationStatus: string | null;
  /**
   * The business portfolio's messaging limit, shared by all its numbers (TIER_250, TIER_2K,
   * TIER_10K, TIER_100K, TIER_UNLIMITED): whatsapp_business_manager_messaging_limit, or the
   * deprecated messaging_limit_tier on Graph versions before v24.0.
   */
  messagingLimit: string | null;
  throughputLevel: string | null;
  accountMode: string | null;
  platformType: string | null;
}

const phoneNumber = z.object({
  id,
  display_phone_number: optText,
  verified_name: optText,
  status: optText,
  name_status: optText,
  quality_rating: optText,
  code_verification_status: optText,
  messaging_limit_tier: optText,
  whatsapp_business_manager_messaging_limit: optText,
  throughput: z.object({ level: z.string().nullish() }).nullish(),
  account_mode: optText,
  platform_type: optText,
});

function toPhoneNumber(p: z.infer<typeof phoneNumber>): PhoneNumberInfo {
  return {
    id: p.id,
    displayPhoneNumber: p.display_phone_number,
    verifiedName: p.verified_name,
    status: p.status,
    nameStatus: p.name_status,
    qualityRating: p.quality_rating,
    codeVerificationStatus: p.code_verification_status,
    messagingLimit: p.whatsapp_business_manager_messaging_limit ?? p.messaging_limit_tier,
    throughputLevel: p.throughput?.level ?? null,
    accountMode: p.account_mode,
    platformType: p.platform_type,
  };
}

export function parsePhoneNumber(body: unknown): PhoneNumberInfo {
  return toPhoneNumber(decode(phoneNumber, body));
}

const phoneNumberPage = z.object({ data: z.array(phoneNumber), paging });

export function parsePhoneNumberPage(body: unknown): Page<PhoneNumberInfo> {
  const page = decode(phoneNumberPage, body);
  return pageOf(page.data.map(toPhoneNumber), page.paging);
}

// --- WABA ------------------------------------------------------------------------

export interface WabaInfo {
  id: string;
  name: string | null;
  ownerBusiness: { id: string; name: string | null } | null;
}

const business = z.object({ id, name: optText });
const waba = z.object({
  id,
  name: optText,
  // owner_business_info is what the WABA node documents; owner_business is an older alternate.
  owner_business_info: business.nullish(),
  owner_business: business.nullish(),
});

export function parseWaba(body: unknown): WabaInfo {
  const w = decode(waba, body);
  return { id: w.id, name: w.name, ownerBusiness: w.owner_business_info ?? w.owner_business ?? null };
}

// --- message templates --------------------------------------------------------------

export interface MessageTemplate {
  id: string | null;
  name: string;
  language: string | null;
  status: string | null;
}

const templatePage = z.object({
  data: z.array(z.object({ id: id.optional(), name: z.string(), language: optText, status: optText })),
  paging,
});

export function parseTemplatePage(body: unknown): Page<MessageTemplate> {
  const page = decode(templatePage, body);
  return pageOf(page.data.map((t) => ({ id: t.id ?? null, name: t.name, language: t.language, status: t.status })), page.paging);
}

// --- WhatsApp commerce ---------------------------------------------------------------

export interface LinkedCatalog {
  id: string;
  name: string | null;
}

// GET /{waba-id}/product_catalogs: { data: [ProductCatalog nodes], paging }
// (https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/product_catalogs/).
const linkedCatalogPage = z.object({ data: z.array(z.object({ id, name: optText })), paging });

export function parseLinkedCatalogPage(body: unknown): Page<LinkedCatalog> {
  const page = decode(linkedCatalogPage, body);
  return pageOf(page.data.map((c) => ({ id: c.id, name: c.name })), page.paging);
}

export interface CommerceSettings {
  id: string | null;
  cartEnabled: boolean;
  catalogVisible: boolean;
}

// GET /{phone-number-id}/whatsapp_commerce_settings: { data: [{ id, is_cart_enabled, is_catalog_visible }] }
// (Commerce Settings API reference). A number never configured may answer an empty list: Meta's
// defaults then apply, cart enabled and catalog hidden
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/set-commerce-settings/).
const commerceSettings = z.object({
  data: z.array(z.object({ id: id.optional(), is_cart_enabled: z.boolean().optional(), is_catalog_visible: z.boolean().optional() })),
});

export function parseCommerceSettings(body: unknown): CommerceSettings {
  const entry = decode(commerceSettings, body).data[0];
  return { id: entry?.id ?? null, cartEnabled: entry?.is_cart_enabled ?? true, catalogVisible: entry?.is_catalog_visible ?? false };
}

// --- { success: true } -----------------------------------------------------------

const success = z.object({ success: z.union([z.boolean(), z.literal("true"), z.literal("false")]) });

export function parseSuccess(body: unknown): boolean {
  const s = decode(success, body).success;
  return s === true || s === "true";
}

// --- messages ----------------------------------------------------------------------

export interface SentMessage {
  wamid: string;
  /** The recipient's WhatsApp id as Meta normalised it; null if not returned. */
  waId: string | null;
  /** "accepted" for templates (UNVERIFIED), null otherwise. */
  messageStatus: string | null;
}

const messageSend = z.object({
  messaging_product: z.string().optional(),
  contacts: z.array(z.object({ input: z.string().optional(), wa_id: id.optional() })).default([]),
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});

export function parseMessageSend(body: unknown): SentMessage {
  const m = decode(messageSend, body);
  return { wamid: m.messages[0].id, waId: m.contacts[0]?.wa_id ?? null, messageStatus: m.messages[0].message_status ?? null };
}

// --- catalogs -----------------------------------------------------------------------

export interface CatalogInfo {
  id: string;
  name: string | null;
  /** owned_product_catalogs vs client_product_catalogs */
  relation: "owned" | "client";
  productCount: number | null;
  vertical: string | null;
}

const catalogPage = z.object({
  data: z.array(z.object({ id, name: optText, product_count: num.nullish(), vertical: optText })),
  paging,
});

export function parseCatalogPage(body: unknown, relation: CatalogInfo["relation"]): Page<CatalogInfo> {
  const page = decode(catalogPage, body);
  return pageOf(
    page.data.map((c) => ({ id: c.id, name: c.name, relation, productCount: c.product_count ?? null, vertical: c.vertical })),
    page.paging,
  );
}

export interface CatalogProduct {
  id: string;
  retailerId: string;
}

const productPage = z.object({ data: z.array(z.object({ id, retailer_id: id })), paging });

export function parseCatalogProductPage(body: unknown): Page<CatalogProduct> {
  const page = decode(productPage, body);
  return pageOf(page.data.map((p) => ({ id: p.id, retailerId: p.retailer_id })), page.paging);
}

// --- catalog batch API ------------------------------------------------------------

export interface ItemValidation {
  retailerId: string | null;
  errors: string[];
  warnings: string[];
}

export interface ItemsBatchResult {
  handles: string[];
  /** Items Meta refused on the spot (HTTP 200 can still carry these). */
  validationStatus: ItemValidation[];
}

const messages = z
  .array(z.union([z.string(), z.object({ message: z.string().optional() }).transform((m) => m.message ?? "")]))
  .nullish()
  .transform((list) => (list ?? []).filter((m) => m !== ""));

// Refused items may come back without a usable retailer id ("" or absent).
const looseId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === undefined || v === null || v === "" ? null : String(v)));

const itemsBatch = z.object({
  handles: z.array(z.string()).default([]),
  validation_status: z
    .array(z.object({ retailer_id: looseId, errors: messages, warnings: messages }))
    .nullish(),
});

export function parseItemsBatch(body: unknown): ItemsBatchResult {
  const b = decode(itemsBatch, body);
  return {
    handles: b.handles,
    validationStatus: (b.validation_status ?? []).map((v) => ({ retailerId: v.retailer_id ?? null, errors: v.errors, warnings: v.warnings })),
  };
}

export type BatchState = "scheduled" | "dispatched" | "started" | "finished" | "canceled" | "error";

export interface BatchIssue {
  /** The item's retailer id, when Meta names it. */
  retailerId: string | null;
  line: number | null;
  message: string;
}

export interface BatchStatusResult {
  handle: string;
  status: BatchState | (string & {});
  /** No further change will happen (finished, canceled or error). */
  done: boolean;
  errorsTotalCount: number;
  errors: BatchIssue[];
  warningsTotalCount: number;
  warnings: BatchIssue[];
  /** Retailer ids of the requests Meta refused; those items were not saved. */
  idsOfInvalidRequests: string[];
}

const issue = z.union([
  z.string().transform((message) => ({ id: null, retailer_id: null, line: null, message })),
  z.object({ id: looseId, retailer_id: looseId, line: num.nullish(), message: z.string().default("") }),
]);

const batchStatus = z.object({
  data: z
    .array(
      z.object({
        handle: z.string().optional(),
        status: z.string(),
        errors_total_count: num.nullish(),
        errors: z.array(issue).nullish(),
        warnings_total_count: num.nullish(),
        warnings: z.array(issue).nullish(),
        ids_of_invalid_requests: z.array(id).nullish(),
      }),
    )
    .min(1),
});

const toIssue = (i: z.infer<typeof issue>): BatchIssue => ({ retailerId: i.retailer_id ?? i.id ?? null, line: i.line ?? null, message: i.message });

export function parseBatchStatus(body: unknown, handle: string): BatchStatusResult {
  const { data } = decode(batchStatus, body);
  const entry = data.find((d) => d.handle === handle) ?? data[0];
  const status = entry.status.toLowerCase();
  const errors = (entry.errors ?? []).map(toIssue);
  const warnings = (entry.warnings ?? []).map(toIssue);
  return {
    handle: entry.handle ?? handle,
    status,
    done: status === "finished" || status === "canceled" || status === "error",
    errorsTotalCount: entry.errors_total_count ?? errors.length,
    errors,
    warningsTotalCount: entry.warnings_total_count ?? warnings.length,
    warnings,
    idsOfInvalidRequests: entry.ids_of_invalid_requests ?? [],
  };
}

// --- Meta's review of catalog items (issue 17) ---------------------------------------

/**
 * One entry of a ProductItem's `errors`: the reference's example on the
 * catalog's products edge shows `error_type`, `error_priority`, `title`,
 * `description`, `call_to_action`
 * (https://developers.facebook.com/docs/marketing-api/reference/product-catalog/products).
 */
export interface ItemReviewIssue {
  type: string | null;
  priority: string | null;
  title: string | null;
  description: string | null;
  callToAction: string | null;
}

/**
 * An item as Meta shows it after review. Field names and enums from Meta's
 * Business SDK (facebook-python-business-sdk `ProductItem`): `review_status`
 * approved | pending | rejected | outdated, `review_rejection_reasons`
 * list<string>, `image_fetch_status` FETCHED | FETCH_FAILED | PARTIAL_FETCH |
 * OUTDATED | NO_STATUS | DIRECT_UPLOAD, `capability_to_review_status` a map
 * (typed only as map<Object, Object>: read as { capability: status } or as a
 * list of { key, value }).
 */
export interface ItemReview {
  id: string;
  retailerId: string;
  reviewStatus: string | null;
  rejectionReasons: string[];
  issues: ItemReviewIssue[];
  imageFetchStatus: string | null;
  imageUrl: string | null;
  /** Per channel (e.g. whatsapp, marketplace): Meta's status there, lower case. */
  capabilities: Record<string, string>;
}

const reviewIssue = z
  .object({
    error_type: optText,
    error_priority: optText,
    title: optText,
    description: optText,
    call_to_action: optText,
  })
  .partial();

const capabilityMap = z
  .union([
    z.record(z.string(), z.unknown()),
    z.array(z.object({ key: z.unknown(), value: z.unknown() }).partial()),
  ])
  .nullish()
  .transform((v): Record<string, string> => {
    const out: Record<string, string> = {};
    const put = (k: unknown, s: unknown) => {
      if (typeof k === "string" && (typeof s === "string" || typeof s === "number")) out[k.toLowerCase()] = String(s).toLowerCase();
    };
    if (Array.isArray(v)) for (const e of v) put(e.key, e.value);
    else if (v) for (const [k, s] of Object.entries(v)) put(k, s);
    return out;
  });

const reviewedItem = z.object({
  id,
  retailer_id: id,
  review_status: optText,
  review_rejection_reasons: z.array(z.string()).nullish(),
  errors: z.array(reviewIssue).nullish(),
  image_fetch_status: optText,
  image_url: optText,
  capability_to_review_status: capabilityMap,
});

const reviewPage = z.object({ data: z.array(reviewedItem), paging });

export function parseItemReviewPage(body: unknown): Page<ItemReview> {
  const page = decode(reviewPage, body);
  return pageOf(
    page.data.map((p) => ({
      id: p.id,
      retailerId: p.retailer_id,
      reviewStatus: p.review_status?.toLowerCase() ?? null,
      rejectionReasons: p.review_rejection_reasons ?? [],
      issues: (p.errors ?? []).map((e) => ({
        type: e.error_type ?? null,
        priority: e.error_priority ?? null,
        title: e.title ?? null,
        description: e.description ?? null,
        callToAction: e.call_to_action ?? null,
      })),
      imageFetchStatus: p.image_fetch_status?.toUpperCase() ?? null,
      imageUrl: p.image_url ?? null,
      capabilities: p.capability_to_review_status,
    })),
    page.paging,
  );
}

/**
 * A group of GET /{catalog-id}/diagnostics
 * (https://developers.facebook.com/documentation/ads-commerce/marketing-api/reference/product-catalog/diagnostics):
 * ProductCatalogDiagnosticGroup's fields per Meta's Business SDK: `title`,
 * `subtitle`, `severity` MUST_FIX | OPPORTUNITY, `type` (ATTRIBUTES_INVALID,
 * IMAGE_QUALITY, POLICY_VIOLATION...), `affected_channels` (whatsapp, shops...),
 * `number_of_affected_items`, `diagnostics` (list<Object>, shape not
 * documented: read for `title`, `description`, `call_to_action` and
 * `sample_affected_items` when present).
 */
export interface DiagnosticGroup {
  title: string;
  subtitle: string | null;
  severity: string | null;
  type: string | null;
  channels: string[];
  affectedItems: number | null;
  diagnostics: { title: string | null; description: string | null; callToAction: string | null; retailerIds: string[] }[];
}

const obj = z.record(z.string(), z.unknown());
const textOf = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);

const diagnosticGroup = z.object({
  title: optText,
  subtitle: optText,
  severity: optText,
  type: optText,
  affected_channels: z.array(z.string()).nullish(),
  number_of_affected_items: num.nullish(),
  diagnostics: z.array(obj).nullish(),
});

const diagnosticsPage = z.object({ data: z.array(diagnosticGroup), paging });

const retailerIdsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap((v) => {
        if (typeof v === "string") return [v];
        const r = v && typeof v === "object" ? (v as Record<string, unknown>).retailer_id : null;
        return typeof r === "string" ? [r] : [];
      })
    : [];

export function parseDiagnosticsPage(body: unknown): Page<DiagnosticGroup> {
  const page = decode(diagnosticsPage, body);
  return pageOf(
    page.data.map((g) => ({
      title: g.title ?? g.type ?? "Catalog issue",
      subtitle: g.subtitle ?? null,
      severity: g.severity?.toUpperCase() ?? null,
      type: g.type?.toUpperCase() ?? null,
      channels: (g.affected_channels ?? []).map((c) => c.toLowerCase()),
      affectedItems: g.number_of_affected_items ?? null,
      diagnostics: (g.diagnostics ?? []).map((d) => ({
        title: textOf(d.title),
        description: textOf(d.description),
        callToAction: textOf(d.call_to_action),
        retailerIds: retailerIdsOf(d.sample_affected_items ?? d.affected_items),
      })),
    })),
    page.paging,
  );
}
