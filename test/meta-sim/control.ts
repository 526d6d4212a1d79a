import { batchView, settleBatches } from "./catalog";
import { diagnosticsOf, reviewFields, type ReviewOutcome } from "./review";
import type { MessagingLimitTier, SimBusiness, SimCatalog, SimConfig, SimItem, SimPhoneNumber, SimState, SimToken, SimWaba } from "./state";

/**
 * The simulator's seeding and inspection API, used in-process by tests and
 * over HTTP (/_sim/...) by the sandbox and benchmarks. Seeding takes
 * explicit ids and token values when given, so callers can configure the
 * app with known values; otherwise it generates Graph-like ones.
 */

export interface SeedTokenInput {
  value?: string;
  appId?: string;
  userId?: string;
  type?: SimToken["type"];
  scopes?: string[];
  /** scope -> target ids (newest first). Scopes without an entry are not limited. */
  granular?: Record<string, string[]>;
  /** Seconds reported by the code exchange; null/absent = never expires. */
  expiresIn?: number | null;
}

export interface SeedPhoneInput {
  id?: string;
  wabaId: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  status?: string;
  nameStatus?: string;
  qualityRating?: string;
  codeVerificationStatus?: string;
  throughputLevel?: string;
  accountMode?: string;
  platformType?: string;
  registered?: boolean;
  pin?: string | null;
}

export interface ScenarioInput {
  businessId?: string;
  wabaId?: string;
  phoneNumberId?: string;
  catalogId?: string;
  wabaToken?: string;
  catalogToken?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  /** Register the number and subscribe the app, as after a completed signup (default true). */
  connected?: boolean;
  /**
   * The WhatsApp token may also manage the scenario's catalog (catalog_management
   * on it), as when the Embedded Signup configuration asks for it (issue 18). Default false.
   */
  wabaTokenManagesCatalog?: boolean;
}

export interface Scenario {
  businessId: string;
  wabaId: string;
  phoneNumberId: string;
  catalogId: string;
  wabaToken: string;
  catalogToken: string;
}

export class SimControl {
  constructor(private readonly state: SimState) {}

  // --- seeding ---------------------------------------------------------------------

  seedApp(input: { id: string; secret: string; name?: string }) {
    const app = { id: input.id, secret: input.secret, name: input.name ?? "Simulated app" };
    this.state.apps.set(app.id, app);
    return app;
  }

  seedBusiness(input: { id?: string; name?: string; messagingLimit?: MessagingLimitTier } = {}): SimBusiness {
    const business = { id: input.id ?? this.state.nextId(), name: input.name ?? "Simulated Business", messagingLimit: input.messagingLimit ?? "TIER_2K" };
    this.state.businesses.set(business.id, business);
    return business;
  }

  seedWaba(input: { id?: string; businessId: string; name?: string; subscribed?: boolean }): SimWaba {
    this.mustExist(this.state.businesses, input.businessId, "business");
    const waba: SimWaba = {
      id: input.id ?? this.state.nextId(),
      name: input.name ?? "Simulated WABA",
      businessId: input.businessId,
      subscribedApps: new Set(input.subscribed ? [this.state.primaryAppId] : []),
      currency: "USD",
      timezoneId: "1",
      linkedCatalogId: null,
    };
    this.state.wabas.set(waba.id, waba);
    return waba;
  }

  seedPhoneNumber(input: SeedPhoneInput): SimPhoneNumber {
    this.mustExist(this.state.wabas, input.wabaId, "WABA");
    const phone: SimPhoneNumber = {
      id: input.id ?? this.state.nextId(),
      wabaId: input.wabaId,
      displayPhoneNumber: input.displayPhoneNumber ?? "+1 555-010-0001",
      verifiedName: input.verifiedName ?? "Simulated Shop",
      status: input.status ?? "CONNECTED",
      nameStatus: input.nameStatus ?? "APPROVED",
      qualityRating: input.qualityRating ?? "GREEN",
      codeVerificationStatus: input.codeVerificationStatus ?? "VERIFIED",
      throughputLevel: input.throughputLevel ?? "STANDARD",
      accountMode: input.accountMode ?? "LIVE",
      platformType: input.platformType ?? "CLOUD_API",
      registered: input.registered ?? false,
      pin: input.pin ?? null,
      commerce: { id: this.state.nextId(), cartEnabled: true, catalogVisible: false },
    };
    this.state.phones.set(phone.id, phone);
    return phone;
  }

  seedCatalog(input: { id?: string; businessId: string; name?: string; relation?: SimCatalog["relation"]; vertical?: string }): SimCatalog {
    this.mustExist(this.state.businesses, input.businessId, "business");
    const catalog: SimCatalog = {
      id: input.id ?? this.state.nextId(),
      name: input.name ?? "Simulated Catalog",
      businessId: input.businessId,
      relation: input.relation ?? "owned",
      vertical: input.vertical ?? "commerce",
      items: new Map(),
      reviews: new Map(),
      productIds: new Map(),
    };
    this.state.catalogs.set(catalog.id, catalog);
    return catalog;
  }

  /** Creates a token and returns its value. */
  seedToken(input: SeedTokenInput = {}): string {
    const value = input.value ?? this.state.newToken();
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = input.expiresIn ?? null;
    const token: SimToken = {
      value,
      appId: input.appId ?? this.state.primaryAppId,
      userId: input.userId ?? this.state.nextId(),
      type: input.type ?? "SYSTEM_USER",
      scopes: new Set(input.scopes ?? []),
      granular: new Map(Object.entries(input.granular ?? {}).map(([scope, ids]) => [scope, [...ids]])),
      valid: true,
      invalidSubcode: null,
      expiresIn,
      expiresAt: expiresIn ? now + expiresIn : 0,
    };
    this.state.tokens.set(value, token);
    return value;
  }

  /** An auth code that the code exchange trades for `token` (SDK code when no redirectUri). */
  issueAuthCode(input: { token: string; redirectUri?: string; ttlMs?: number; appId?: string }): string {
    const token = this.state.tokens.get(input.token);
    if (!token) throw new Error("issueAuthCode: unknown token");
    const code = this.state.newCode();
    this.state.codes.set(code, {
      code,
      tokenValue: token.value,
      appId: input.appId ?? token.appId,
      redirectUri: input.redirectUri ?? null,
      expiresAtMs: Date.now() + (input.ttlMs ?? this.state.config.codeTtlMs),
      used: false,
    });
    return code;
  }

  /** Meta raised or lowered a portfolio's messaging limit (every number of its WABAs reports it). */
  setMessagingLimit(businessId: string, tier: MessagingLimitTier) {
    this.mustExist(this.state.businesses, businessId, "business").messagingLimit = tier;
  }

  /** The portfolio a WABA or phone number belongs to. */
  businessOf(id: string): SimBusiness | undefined {
    const businessId = this.state.businessOf(id);
    return businessId ? this.state.businesses.get(businessId) : undefined;
  }

  /** Messages to this recipient fail (sent -> failed) with `code` (default 131026, undeliverable). */
  failRecipient(to: string, error: { code?: number; title?: string } = {}) {
    this.state.failingRecipients.set(to.replace(/\D/g, ""), { code: error.code ?? 131026, title: error.title ?? "Message undeliverable" });
  }

  // --- WhatsApp commerce (issue 18) ------------------------------------------------------

  /** Links `catalogId` to the WABA (null unlinks), as if done in WhatsApp Manager. */
  setLinkedCatalog(wabaId: string, catalogId: string | null) {
    if (catalogId !== null) this.mustExist(this.state.catalogs, catalogId, "catalog");
    this.mustExist(this.state.wabas, wabaId, "WABA").linkedCatalogId = catalogId;
  }

  linkedCatalog(wabaId: string): string | null {
    return this.mustExist(this.state.wabas, wabaId, "WABA").linkedCatalogId;
  }

  commerceSettings(phoneNumberId: string) {
    return { ...this.mustExist(this.state.phones, phoneNumberId, "phone number").commerce };
  }

  /**
   * A WhatsApp user writes to a business number: opens (or refreshes) the
   * customer service window for that user and posts Meta's `messages`
   * webhook, signed, to the app when it is subscribed. `from` is the user's
   * phone number; `userId` their business-scoped user id (a user who adopted
   * a username may come with that only); `atMs` backdates the message.
   * Payload: the text message webhook of Meta's webhooks reference (field
   * `messages`), with `from_user_id` / `user_id` as the business-scoped user
   * id page adds them (test/fixtures/meta/webhooks/messages-text.json).
   */
  receiveMessage(input: { phoneNumberId: string; from?: string; userId?: string; name?: string; text?: string; atMs?: number }) {
    const phone = this.mustExist(this.state.phones, input.phoneNumberId, "phone number");
    const waId = input.from ? input.from.replace(/\D/g, "") : undefined;
    if (!waId && !input.userId) throw new Error("receiveMessage needs from or userId");
    const at = input.atMs ?? Date.now();
    for (const key of [waId, input.userId]) if (key) this.state.customerWindows.set(`${phone.id}|${key}`, at);
    const wamid = this.state.newWamid();
    const body = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: phone.wabaId,
          changes: [
            {
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: phone.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: phone.id },
                contacts: [{ profile: { name: input.name ?? "Sim Customer" }, ...(waId ? { wa_id: waId } : {}), ...(input.userId ? { user_id: input.userId } : {}) }],
                messages: [
                  {
                    ...(waId ? { from: waId } : {}),
                    ...(input.userId ? { from_user_id: input.userId } : {}),
                    id: wamid,
                    timestamp: String(Math.floor(at / 1000)),
                    type: "text",
                    text: { body: input.text ?? "Hi!" },
                  },
                ],
              },
              field: "messages",
            },
          ],
        },
      ],
    };
    return { wamid, body, subscribed: this.state.wabas.get(phone.wabaId)?.subscribedApps.has(this.state.primaryAppId) ?? false };
  }

  /** Moves a customer's last message back in time (e.g. 25 h to close the window). */
  setCustomerWindow(phoneNumberId: string, customer: string, lastInboundMs: number | null) {
    const key = `${phoneNumberId}|${customer.startsWith("+") || /^\d+$/.test(customer) ? customer.replace(/\D/g, "") : customer}`;
    if (lastInboundMs === null) this.state.customerWindows.delete(key);
    else this.state.customerWindows.set(key, lastInboundMs);
  }

  configure(patch: Partial<Omit<SimConfig, "unsupportedFields">> & { unsupportedFields?: Iterable<string> }) {
    const { unsupportedFields, ...rest } = patch;
    Object.assign(this.state.config, rest);
    if (unsupportedFields) this.state.config.unsupportedFields = new Set(unsupportedFields);
  }

  /**
   * One business with a connected WABA + phone number and an owned catalog,
   * and the two tokens a completed signup and catalog connection leave.
   */
  seedScenario(input: ScenarioInput = {}): Scenario {
    const connected = input.connected ?? true;
    const business = this.seedBusiness({ id: input.businessId });
    const waba = this.seedWaba({ id: input.wabaId, businessId: business.id, subscribed: connected });
    const phone = this.seedPhoneNumber({
      id: input.phoneNumberId,
      wabaId: waba.id,
      displayPhoneNumber: input.displayPhoneNumber,
      verifiedName: input.verifiedName,
      registered: connected,
      pin: connected ? "000000" : null,
    });
    const catalog = this.seedCatalog({ id: input.catalogId, businessId: business.id });
    const catalogAccess = input.wabaTokenManagesCatalog ?? false;
    const wabaToken = this.seedToken({
      value: input.wabaToken,
      scopes: ["whatsapp_business_management", "whatsapp_business_messaging", "business_management", ...(catalogAccess ? ["catalog_management"] : [])],
      granular: {
        whatsapp_business_management: [waba.id],
        whatsapp_business_messaging: [waba.id],
        business_management: [business.id],
        ...(catalogAccess ? { catalog_management: [catalog.id] } : {}),
      },
    });
    const catalogToken = this.seedToken({
      value: input.catalogToken,
      scopes: ["catalog_management", "business_management"],
      granular: { catalog_management: [catalog.id], business_management: [business.id] },
    });
    return { businessId: business.id, wabaId: waba.id, phoneNumberId: phone.id, catalogId: catalog.id, wabaToken, catalogToken };
  }

  // --- inspection ----------------------------------------------------------------------

  /** The catalog's items (finished batches applied), in insertion order. */
  catalogItems(catalogId: string, opts: { offset?: number; limit?: number } = {}): SimItem[] {
    settleBatches(this.state);
    const catalog = this.mustExist(this.state.catalogs, catalogId, "catalog");
    const all = [...catalog.items.values()];
    const start = opts.offset ?? 0;
    return all.slice(start, opts.limit !== undefined ? start + opts.limit : undefined);
  }

  catalogItem(catalogId: string, retailerId: string): SimItem | undefined {
    settleBatches(this.state);
    return this.mustExist(this.state.catalogs, catalogId, "catalog").items.get(retailerId);
  }

  /** Imposes Meta's review outcome on an item (issue 17); a later save reviews it again with it. null lifts it. */
  setReview(catalogId: string, retailerId: string, outcome: ReviewOutcome | null) {
    const key = `${catalogId}|${retailerId}`;
    if (outcome) this.state.reviewOverrides.set(key, outcome);
    else this.state.reviewOverrides.delete(key);
    const catalog = this.mustExist(this.state.catalogs, catalogId, "catalog");
    const review = catalog.reviews.get(retailerId);
    if (review) review.outcome = null; // decided again on the next read
  }

  /** The item's review as the products edge shows it. */
  itemReview(catalogId: string, retailerId: string) {
    settleBatches(this.state);
    const catalog = this.mustExist(this.state.catalogs, catalogId, "catalog");
    const item = catalog.items.get(retailerId);
    return item && reviewFields(this.state, catalog, item);
  }

  catalogDiagnostics(catalogId: string) {
    settleBatches(this.state);
    return diagnosticsOf(this.state, this.mustExist(this.state.catalogs, catalogId, "catalog"));
  }

  catalogItemCount(catalogId: string): number {
    settleBatches(this.state);
    return this.mustExist(this.state.catalogs, catalogId, "catalog").items.size;
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.state.calls);
  }

  resetCallCounts() {
    this.state.calls.clear();
  }

  messages() {
    return [...this.state.messages.values()].map((m) => ({ ...m, statuses: [...m.statuses] }));
  }

  batches(catalogId?: string) {
    settleBatches(this.state);
    return [...this.state.batches.values()]
      .filter((b) => catalogId === undefined || b.catalogId === catalogId)
      .map((b) => ({ catalogId: b.catalogId, createdAtMs: b.createdAtMs, ...batchView(b) }));
  }

  webhookDeliveries() {
    return [...this.state.webhookDeliveries];
  }

  phoneNumber(id: string) {
    return this.state.phones.get(id);
  }

  token(value: string) {
    const t = this.state.tokens.get(value);
    return t && { ...t, scopes: [...t.scopes], granular: Object.fromEntries(t.granular) };
  }

  private mustExist<T>(map: Map<string, T>, id: string, what: string): T {
    const value = map.get(id);
    if (value === undefined) throw new Error(`no ${what} ${id}`);
    return value;
  }
}
