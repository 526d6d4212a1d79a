import { env } from "../env.server";
import { logger as appLogger, type Logger } from "../logger.server";
import { DEFAULT_RETRY, sleep as realSleep, type RetryPolicy } from "./backoff";
import { assertGraphId, ENDPOINTS, type EndpointLabel } from "./endpoints";
import { MetaGraphError, Rejected, UnexpectedResponse } from "./errors";
import {
  parseBatchStatus,
  parseCatalogPage,
  parseCatalogProductPage,
  parseDebugToken,
  parseDiagnosticsPage,
  parseItemReviewPage,
  parseCommerceSettings,
  parseItemsBatch,
  parseLinkedCatalogPage,
  parseMessageSend,
  parsePhoneNumber,
  parsePhoneNumberPage,
  parseSuccess,
  parseTemplatePage,
  parseTokenExchange,
  parseWaba,
  ResponseShapeError,
  type BatchStatusResult,
  type CatalogInfo,
  type CatalogProduct,
  type CommerceSettings,
  type DiagnosticGroup,
  type ItemReview,
  type ExchangedToken,
  type ItemsBatchResult,
  type LinkedCatalog,
  type MessageTemplate,
  type Page,
  type PhoneNumberInfo,
  type SentMessage,
  type TokenInfo,
  type WabaInfo,
} from "./parsers";
import { productListPayload, singleProductPayload, type ProductList, type Recipient, type SingleProduct } from "./product-message";
import { asSecret, type SecretLike } from "./secret";
import { GraphTransport, type GraphCall } from "./transport.server";
import { UsageTracker, type UsageEntry } from "./usage";

/**
 * MetaGraphClient: the only code that talks to the Graph API. Every method
 * takes the merchant's token as a SecretLike (revealed only while the
 * request is built), returns parsed and normalized data, and fails with one
 * of the classes in ./errors.
 */

export interface MetaGraphClientOptions {
  /** Default: META_GRAPH_URL. */
  baseUrl?: string;
  /** Default: META_GRAPH_VERSION, e.g. "v25.0". */
  version?: string;
  /** Default: META_APP_ID. */
  appId?: string;
  /** Default: META_APP_SECRET. */
  appSecret?: string | SecretLike;
  /** Per attempt. Default 15 s. */
  timeoutMs?: number;
  /** Transient-only retries. Default 3 retries, 250 ms base, 8 s cap. */
  retry?: Partial<RetryPolicy>;
  /** When a throttled call asks for at most this long, wait and retry instead of throwing RateLimited. Default 0 (throw). */
  rateLimitWaitMaxMs?: number;
  logger?: Pick<Logger, "debug">;
  fetch?: typeof fetch;
  /** For tests: replaces the backoff / rate-limit wait. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface CatalogItemData {
  /** The retailer id: stable forever for one variant. */
  id: string;
  [field: string]: string | number | boolean | string[] | undefined;
}

export interface CatalogItemRequest {
  method: "CREATE" | "UPDATE" | "DELETE";
  data: CatalogItemData;
}

/** Meta's limits for one items_batch call. */
export const MAX_BATCH_REQUESTS = 5000;
export const MAX_BATCH_BYTES = 28 * 1024 * 1024;

const PHONE_FIELDS = [
  "id",
  "display_phone_number",
  "verified_name",
  "status",
  "name_status",
  "quality_rating",
  "code_verification_status",
  "throughput",
  "account_mode",
  "platform_type",
];
/**
 * The business portfolio's messaging limit: whatsapp_business_manager_messaging_limit "for
 * v24.0 and newer", messaging_limit_tier (deprecated) "for 23.0 and older"
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits).
 * Optional: dropped (and remembered) if this Graph version says it does not exist.
 */
export function messagingLimitField(version: string): string {
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? Number.NaN);
  return major < 24 ? "messaging_limit_tier" : "whatsapp_business_manager_messaging_limit";
}

/**
 * Retailer ids per read-back call: the budget is one call per 1,000
 * items per check. The filter goes in the query string (`filter` on the
 * products edge, as Meta's reference example and integrations send it).
 */
export const MAX_REVIEW_IDS_PER_CALL = 1000;
const REVIEW_FIELDS = "id,retailer_id,review_status,review_rejection_reasons,errors,image_fetch_status,image_url,capability_to_review_status";

const WABA_FIELDS = ["id", "name"];
const WABA_OPTIONAL_FIELDS = ["owner_business_info"];
const MAX_PAGES = 1000;

export class MetaGraphClient {
  readonly baseUrl: string;
  readonly version: string;
  private readonly appId: string;
  private readonly appSecret: SecretLike;
  private readonly transport: GraphTransport;
  private readonly tracker = new UsageTracker();
  /** Optional fields this Graph version refused, so later calls skip them. */
  private readonly missingFields = new Set<string>();
  private readonly phoneOptionalFields: string[];

  constructor(options: MetaGraphClientOptions = {}) {
    const needsEnv = [options.baseUrl, options.version, options.appId, options.appSecret].some((v) => v === undefined);
    const config = needsEnv ? env() : undefined;
    this.baseUrl = options.baseUrl ?? config!.META_GRAPH_URL;
    this.version = options.version ?? config!.META_GRAPH_VERSION;
    this.appId = options.appId ?? config!.META_APP_ID;
    this.appSecret = asSecret(options.appSecret ?? config!.META_APP_SECRET);
    this.phoneOptionalFields = [messagingLimitField(this.version)];
    this.transport = new GraphTransport({
      baseUrl: this.baseUrl,
      version: this.version,
      timeoutMs: options.timeoutMs ?? 15_000,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      rateLimitWaitMaxMs: options.rateLimitWaitMaxMs ?? 0,
      appId: this.appId,
      appSecret: this.appSecret,
      fetch: options.fetch ?? fetch,
      sleep: options.sleep ?? realSleep,
      random: options.random ?? Math.random,
      logger: options.logger ?? appLogger.child({ module: "meta-graph" }),
      usage: this.tracker,
    });
  }

  /** The latest usage readings Meta sent, per app and per business use case. */
  usage(): UsageEntry[] {
    return this.tracker.entries();
  }

  /** True when a recent usage reading is at or above 80 % (or `threshold`), or Meta asked us to wait. */
  shouldSlowDown(opts: { threshold?: number; id?: string; business?: string } = {}): boolean {
    return this.tracker.shouldSlowDown(opts);
  }

  // --- tokens --------------------------------------------------------------------

  /** Trades an Embedded Signup code (30 s life) for the business token. */
  async exchangeCode(code: string, opts: { redirectUri?: string } = {}): Promise<ExchangedToken> {
    const secret = this.requireAppSecret();
    const body = await this.transport.send({
      label: ENDPOINTS.exchangeCode,
      // Meta takes these only as parameters; they are cut out of logs and errors.
      query: { client_id: this.appId, client_secret: secret, code, redirect_uri: opts.redirectUri },
      secrets: [code],
    });
    return this.decode(ENDPOINTS.exchangeCode, () => parseTokenExchange(body));
  }

  /** Inspects a token with the app token: validity, scopes and the objects each scope covers. */
  async debugToken(token: SecretLike): Promise<TokenInfo> {
    const secret = this.requireAppSecret();
    const input = token.reveal();
    const body = await this.transport.send({
      label: ENDPOINTS.debugToken,
      query: { input_token: input },
      bearer: asSecret(`${this.appId}|${secret}`),
      appToken: true,
      secrets: [input],
    });
    return this.decode(ENDPOINTS.debugToken, () => parseDebugToken(body));
  }

  // --- WhatsApp --------------------------------------------------------------------

  /** Every phone number of a WABA (all pages), with the health fields of getPhoneNumber. */
  async listPhoneNumbers(token: SecretLike, wabaId: string): Promise<PhoneNumberInfo[]> {
    return this.collect(ENDPOINTS.phoneNumbers, (after) =>
      this.withOptionalFields(PHONE_FIELDS, this.phoneOptionalFields, async (fields) => {
        const body = await this.transport.send({
          label: ENDPOINTS.phoneNumbers,
          ids: { "waba-id": wabaId },
          query: { fields, after, limit: "100" },
          bearer: token,
        });
        return this.decode(ENDPOINTS.phoneNumbers, () => parsePhoneNumberPage(body));
      }),
    );
  }

  async getPhoneNumber(token: SecretLike, phoneNumberId: string): Promise<PhoneNumberInfo> {
    return this.withOptionalFields(PHONE_FIELDS, this.phoneOptionalFields, async (fields) => {
      const body = await this.transport.send({
        label: ENDPOINTS.phoneNumber,
        ids: { "phone-number-id": phoneNumberId },
        query: { fields },
        bearer: token,
      });
      return this.decode(ENDPOINTS.phoneNumber, () => parsePhoneNumber(body));
    });
  }

  async getWaba(token: SecretLike, wabaId: string): Promise<WabaInfo> {
    return this.withOptionalFields(WABA_FIELDS, WABA_OPTIONAL_FIELDS, async (fields) => {
      const body = await this.transport.send({ label: ENDPOINTS.waba, ids: { "waba-id": wabaId }, query: { fields }, bearer: token });
      return this.decode(ENDPOINTS.waba, () => parseWaba(body));
    });
  }

  /**
   * The first page of the WABA's message templates (GET /{waba-id}/message_templates,
   * https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates/):
   * sending needs them, and reading them shows what a token can do with the account.
   */
  async listMessageTemplates(token: SecretLike, wabaId: string, opts: { limit?: number } = {}): Promise<MessageTemplate[]> {
    const body = await this.transport.send({
      label: ENDPOINTS.messageTemplates,
      ids: { "waba-id": wabaId },
      query: { fields: "id,name,language,status", limit: String(opts.limit ?? 25) },
      bearer: token,
    });
    return this.decode(ENDPOINTS.messageTemplates, () => parseTemplatePage(body)).items;
  }

  /** Registers a number for Cloud API; `pin` becomes its two-step PIN (reuse the stored one on retries). */
  async registerPhoneNumber(token: SecretLike, phoneNumberId: string, pin: SecretLike): Promise<void> {
    const value = pin.reveal();
    if (!/^\d{6}$/.test(value)) throw new TypeError("the two-step PIN must be 6 digits");
    await this.expectSuccess({
      label: ENDPOINTS.register,
      ids: { "phone-number-id": phoneNumberId },
      json: { messaging_product: "whatsapp", pin: value },
      bearer: token,
      secrets: [value],
    });
  }

  /**
   * Sets the number's two-step verification PIN (POST /{phone-number-id} with `pin`, answered
   * { success: true }; no old PIN is asked for, and "there is no endpoint to disable two-step
   * verification"): https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/two-step-verification
   * The app uses it when registration fails on a PIN it does not know (133005).
   */
  async setTwoStepPin(token: SecretLike, phoneNumberId: string, pin: SecretLike): Promise<void> {
    const value = pin.reveal();
    if (!/^\d{6}$/.test(value)) throw new TypeError("the two-step PIN must be 6 digits");
    await this.expectSuccess({
      label: ENDPOINTS.setTwoStepPin,
      ids: { "phone-number-id": phoneNumberId },
      json: { pin: value },
      bearer: token,
      secrets: [value],
    });
  }

  /** Subscribes this app to the WABA's webhooks (before any callback override). */
  async subscribeApp(token: SecretLike, wabaId: string): Promise<void> {
    await this.expectSuccess({ label: ENDPOINTS.subscribeApp, ids: { "waba-id": wabaId }, bearer: token });
  }

  /**
   * Removes this app from the WABA's webhooks (on disconnect). Meta answers
   * { success: true }; source: "Managing Webhooks", WhatsApp solution providers
   * (https://developers.facebook.com/documentation/business-messaging/whatsapp/solution-providers/manage-webhooks).
   */
  async unsubscribeApp(token: SecretLike, wabaId: string): Promise<void> {
    await this.expectSuccess({ label: ENDPOINTS.unsubscribeApp, ids: { "waba-id": wabaId }, bearer: token });
  }

  async sendTemplateMessage(
    token: SecretLike,
    phoneNumberId: string,
    to: string,
    template: { name: string; languageCode: string; components?: unknown[] },
  ): Promise<SentMessage> {
    return this.sendMessage(token, phoneNumberId, {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to,
      type: "template",
      template: {
        name: template.name,
        language: { code: template.languageCode },
        ...(template.components ? { components: template.components } : {}),
      },
    });
  }

  /** Free-form text: Meta delivers it only inside the 24 h customer service window. */
  async sendTextMessage(token: SecretLike, phoneNumberId: string, to: string, body: string, opts: { previewUrl?: boolean } = {}): Promise<SentMessage> {
    return this.sendMessage(token, phoneNumberId, {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to,
      type: "text",
      text: { body, ...(opts.previewUrl !== undefined ? { preview_url: opts.previewUrl } : {}) },
    });
  }

  /**
   * A single-product message; Meta delivers it only inside the 24 h customer
   * service window and only for an item of the catalog linked to the
   * number's WABA. Payload and limits: ./product-message.ts.
   */
  async sendProductMessage(token: SecretLike, phoneNumberId: string, to: Recipient, product: SingleProduct): Promise<SentMessage> {
    return this.sendMessage(token, phoneNumberId, singleProductPayload(to, product));
  }

  /** A multi-product message: up to 30 items in up to 10 sections (./product-message.ts). */
  async sendProductListMessage(token: SecretLike, phoneNumberId: string, to: Recipient, list: ProductList): Promise<SentMessage> {
    return this.sendMessage(token, phoneNumberId, productListPayload(to, list));
  }

  private async sendMessage(token: SecretLike, phoneNumberId: string, json: Record<string, unknown>): Promise<SentMessage> {
    const body = await this.transport.send({
      label: ENDPOINTS.messages,
      ids: { "phone-number-id": phoneNumberId },
      json,
      bearer: token,
      retryTimeouts: false,
    });
    return this.decode(ENDPOINTS.messages, () => parseMessageSend(body));
  }

  // --- WhatsApp commerce (issue 18) ----------------------------------------------------

  /**
   * The catalog linked to a WABA (Meta allows one): GET /{waba-id}/product_catalogs,
   * which needs whatsapp_business_management and catalog_management
   * (https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/product_catalogs/).
   */
  async listLinkedCatalogs(token: SecretLike, wabaId: string): Promise<LinkedCatalog[]> {
    return this.collect(ENDPOINTS.wabaCatalogs, async (after) => {
      const body = await this.transport.send({
        label: ENDPOINTS.wabaCatalogs,
        ids: { "waba-id": wabaId },
        query: { fields: "id,name", after },
        bearer: token,
      });
      return this.decode(ENDPOINTS.wabaCatalogs, () => parseLinkedCatalogPage(body));
    });
  }

  /** Links a catalog to a WABA: POST /{waba-id}/product_catalogs with catalog_id, answers { success } (same reference). */
  async linkCatalog(token: SecretLike, wabaId: string, catalogId: string): Promise<void> {
    assertGraphId("catalog-id", catalogId);
    await this.expectSuccess({ label: ENDPOINTS.linkCatalog, ids: { "waba-id": wabaId }, query: { catalog_id: catalogId }, bearer: token });
  }

  /**
   * Unlinks it: DELETE /{waba-id}/product_catalogs with catalog_id. The Graph
   * reference page still says the edge has no delete; Meta's Business SDK
   * v25.0.2 (facebook-python-business-sdk, WhatsAppBusinessAccount.delete_product_catalogs)
   * has it, with catalog_id.
   */
  async unlinkCatalog(token: SecretLike, wabaId: string, catalogId: string): Promise<void> {
    assertGraphId("catalog-id", catalogId);
    await this.expectSuccess({ label: ENDPOINTS.unlinkCatalog, ids: { "waba-id": wabaId }, query: { catalog_id: catalogId }, bearer: token });
  }

  /** A number's commerce settings: whether its catalog (storefront icon) shows and its cart is on. */
  async getCommerceSettings(token: SecretLike, phoneNumberId: string): Promise<CommerceSettings> {
    const body = await this.transport.send({ label: ENDPOINTS.commerceSettings, ids: { "phone-number-id": phoneNumberId }, bearer: token });
    return this.decode(ENDPOINTS.commerceSettings, () => parseCommerceSettings(body));
  }

  /**
   * Sets them: POST /{phone-number-id}/whatsapp_commerce_settings?is_cart_enabled=&is_catalog_visible=,
   * answers { success: true } (https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/set-commerce-settings/).
   */
  async setCommerceSettings(token: SecretLike, phoneNumberId: string, settings: { cartEnabled?: boolean; catalogVisible?: boolean }): Promise<void> {
    const query: Record<string, string | undefined> = {
      is_cart_enabled: settings.cartEnabled === undefined ? undefined : String(settings.cartEnabled),
      is_catalog_visible: settings.catalogVisible === undefined ? undefined : String(settings.catalogVisible),
    };
    if (query.is_cart_enabled === undefined && query.is_catalog_visible === undefined) throw new RangeError("nothing to set");
    await this.expectSuccess({ label: ENDPOINTS.setCommerceSettings, ids: { "phone-number-id": phoneNumberId }, query, bearer: token });
  }

  // --- catalogs ----------------------------------------------------------------------

  /** Catalogs the business owns and those it was given access to, merged (owned first), all pages. */
  async listCatalogs(token: SecretLike, businessId: string): Promise<CatalogInfo[]> {
    const fetchAll = (label: typeof ENDPOINTS.ownedCatalogs | typeof ENDPOINTS.clientCatalogs, relation: CatalogInfo["relation"]) =>
      this.collect(label, async (after) => {
        const body = await this.transport.send({
          label,
          ids: { "business-id": businessId },
          query: { fields: "id,name,product_count,vertical", after, limit: "100" },
          bearer: token,
        });
        return this.decode(label, () => parseCatalogPage(body, relation));
      });
    const [owned, client] = await Promise.all([fetchAll(ENDPOINTS.ownedCatalogs, "owned"), fetchAll(ENDPOINTS.clientCatalogs, "client")]);
    const seen = new Set(owned.map((c) => c.id));
    return [...owned, ...client.filter((c) => !seen.has(c.id))];
  }

  /** Every item of a catalog as (Meta id, retailer id): for reconciliation. */
  async listCatalogItems(token: SecretLike, catalogId: string, opts: { pageSize?: number } = {}): Promise<CatalogProduct[]> {
    return this.collect(ENDPOINTS.catalogProducts, async (after) => {
      const body = await this.transport.send({
        label: ENDPOINTS.catalogProducts,
        ids: { "catalog-id": catalogId },
        query: { fields: "id,retailer_id", after, limit: String(opts.pageSize ?? 1000) },
        bearer: token,
      });
      return this.decode(ENDPOINTS.catalogProducts, () => parseCatalogProductPage(body));
    });
  }

  /**
   * Meta's review of the given items: GET /{catalog-id}/products with
   * `filter={"retailer_id":{"is_any":[...]}}` and the review fields, at most
   * MAX_REVIEW_IDS_PER_CALL ids (refused before any I/O above that), following
   * `after` if Meta pages the answer. Items Meta does not list are not in
   * the catalog (yet).
   */
  async readItemReviews(token: SecretLike, catalogId: string, retailerIds: string[]): Promise<ItemReview[]> {
    if (retailerIds.length === 0) return [];
    if (retailerIds.length > MAX_REVIEW_IDS_PER_CALL) {
      throw new RangeError(`read at most ${MAX_REVIEW_IDS_PER_CALL} items per call; got ${retailerIds.length}`);
    }
    // Meta documents no limit on a URL's length; 1,000 ids make one of about 45 KB. A front end that
    // refuses it (414 URI Too Long, 431) makes the client halve its calls' ids from then on.
    const out: ItemReview[] = [];
    for (let i = 0; i < retailerIds.length; ) {
      const chunk = retailerIds.slice(i, i + this.reviewIdsPerCall);
      try {
        out.push(...(await this.readItemReviewsOnce(token, catalogId, chunk)));
        i += chunk.length;
      } catch (err) {
        const tooLong = err instanceof MetaGraphError && (err.httpStatus === 414 || err.httpStatus === 431);
        if (!tooLong || chunk.length === 1) throw err;
        this.reviewIdsPerCall = Math.max(1, Math.floor(chunk.length / 2));
      }
    }
    return out;
  }

  /** Ids per read-back call: MAX_REVIEW_IDS_PER_CALL until a URL that long is refused. */
  private reviewIdsPerCall = MAX_REVIEW_IDS_PER_CALL;

  private async readItemReviewsOnce(token: SecretLike, catalogId: string, retailerIds: string[]): Promise<ItemReview[]> {
    const filter = JSON.stringify({ retailer_id: { is_any: retailerIds } });
    return this.collect(ENDPOINTS.catalogProducts, async (after) => {
      const body = await this.transport.send({
        label: ENDPOINTS.catalogProducts,
        ids: { "catalog-id": catalogId },
        query: { fields: REVIEW_FIELDS, filter, limit: String(retailerIds.length), after },
        bearer: token,
      });
      return this.decode(ENDPOINTS.catalogProducts, () => parseItemReviewPage(body));
    });
  }

  /** The catalog's diagnostics, every group (GET /{catalog-id}/diagnostics). */
  async catalogDiagnostics(token: SecretLike, catalogId: string): Promise<DiagnosticGroup[]> {
    return this.collect(ENDPOINTS.catalogDiagnostics, async (after) => {
      const body = await this.transport.send({
        label: ENDPOINTS.catalogDiagnostics,
        ids: { "catalog-id": catalogId },
        query: { after },
        bearer: token,
      });
      return this.decode(ENDPOINTS.catalogDiagnostics, () => parseDiagnosticsPage(body));
    });
  }

  /**
   * One items_batch call (PRODUCT_ITEM, allow_upsert). Refuses, before any
   * I/O, an empty list, more than 5,000 requests or more than 28 MB.
   * Upserts and deletes are idempotent, so timeouts are retried.
   */
  async itemsBatch(token: SecretLike, catalogId: string, requests: CatalogItemRequest[]): Promise<ItemsBatchResult> {
    if (requests.length === 0) throw new RangeError("items_batch needs at least one request");
    if (requests.length > MAX_BATCH_REQUESTS) {
      throw new RangeError(`items_batch takes at most ${MAX_BATCH_REQUESTS} requests per call; got ${requests.length}`);
    }
    const json = { item_type: "PRODUCT_ITEM", allow_upsert: true, requests };
    const bytes = Buffer.byteLength(JSON.stringify(json));
    if (bytes > MAX_BATCH_BYTES) throw new RangeError(`items_batch payload is ${bytes} bytes; Meta takes at most ${MAX_BATCH_BYTES}`);
    const body = await this.transport.send({ label: ENDPOINTS.itemsBatch, ids: { "catalog-id": catalogId }, json, bearer: token });
    return this.decode(ENDPOINTS.itemsBatch, () => parseItemsBatch(body));
  }

  async checkBatchStatus(token: SecretLike, catalogId: string, handle: string): Promise<BatchStatusResult> {
    const body = await this.transport.send({
      label: ENDPOINTS.batchStatus,
      ids: { "catalog-id": catalogId },
      query: { handle, load_ids_of_invalid_requests: "true" },
      bearer: token,
    });
    return this.decode(ENDPOINTS.batchStatus, () => parseBatchStatus(body, handle));
  }

  // --- helpers ------------------------------------------------------------------------

  private requireAppSecret(): string {
    const secret = this.appSecret.reveal();
    if (!this.appId || !secret) throw new Error("META_APP_ID and META_APP_SECRET must be set to exchange or inspect tokens");
    return secret;
  }

  private async expectSuccess(call: GraphCall): Promise<void> {
    const body = await this.transport.send(call);
    const ok = this.decode(call.label, () => parseSuccess(body));
    if (!ok) {
      throw new Rejected("Meta answered success: false", { endpoint: call.label, httpStatus: 200, code: null, subcode: null, fbtraceId: null });
    }
  }

  /** Runs a parser; a body of the wrong shape becomes UnexpectedResponse naming the endpoint. */
  private decode<T>(label: EndpointLabel, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ResponseShapeError)) throw err;
      throw new UnexpectedResponse(err.message, { endpoint: label, httpStatus: 200, code: null, subcode: null, fbtraceId: null });
    }
  }

  /** Follows cursor paging to the end. */
  private async collect<T>(label: EndpointLabel, page: (after: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    let after: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const result = await page(after);
      items.push(...result.items);
      if (!result.after || result.after === after) return items;
      after = result.after;
    }
    throw new UnexpectedResponse(`more than ${MAX_PAGES} pages`, { endpoint: label, httpStatus: 200, code: null, subcode: null, fbtraceId: null });
  }

  /**
   * Requests `required` plus the `optional` fields this Graph version has not
   * refused yet. Meta fails the whole call on an unknown field ("(#100) Tried
   * accessing nonexisting field (x)"), so a refused optional field is dropped
   * and remembered, and the call made again without it.
   */
  private async withOptionalFields<T>(required: string[], optional: string[], call: (fields: string) => Promise<T>): Promise<T> {
    for (;;) {
      const fields = [...required, ...optional.filter((f) => !this.missingFields.has(f))];
      try {
        return await call(fields.join(","));
      } catch (err) {
        const field = err instanceof MetaGraphError && err.code === 100 ? /nonexisting field \(([a-z_]+)\)/i.exec(err.metaMessage)?.[1] : undefined;
        if (!field || !optional.includes(field) || this.missingFields.has(field)) throw err;
        this.missingFields.add(field);
      }
    }
  }
}
