import { randomBytes } from "node:crypto";
import { DEFAULT_REVIEW_RULES, type ReviewOutcome, type ReviewRule, type SimReview } from "./review";

/**
 * Everything the simulated Graph API knows, in Maps keyed by id so catalog
 * operations stay O(1) per item (benchmarks push 100,000 items through).
 */

export type ObjectKind = "business" | "waba" | "phone" | "catalog";

export interface SimApp {
  id: string;
  secret: string;
  name: string;
}

export interface SimToken {
  value: string;
  appId: string;
  userId: string;
  type: "SYSTEM_USER" | "USER";
  scopes: Set<string>;
  /** scope -> the object ids it is limited to (newest first); absent = not limited. */
  granular: Map<string, string[]>;
  valid: boolean;
  /** 190 subcode reported once the token is invalid (460, 463, ...). */
  invalidSubcode: number | null;
  /** Seconds, as the code exchange reports it; null = never expires (no expires_in). */
  expiresIn: number | null;
  /** Epoch seconds; 0 = never. */
  expiresAt: number;
}

export interface SimAuthCode {
  code: string;
  tokenValue: string;
  appId: string;
  /** The dialog's redirect_uri; null for SDK codes (exchange must send none). */
  redirectUri: string | null;
  expiresAtMs: number;
  used: boolean;
}

/**
 * Messaging limits, set per business portfolio since October 7, 2025 and shared by all its
 * numbers: 250, 2,000, 10,000, 100,000 or unlimited unique users in 24 h
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits).
 * The names follow the documented example "TIER_250".
 */
export const MESSAGING_LIMIT_TIERS = ["TIER_250", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED"] as const;
export type MessagingLimitTier = (typeof MESSAGING_LIMIT_TIERS)[number];

export interface SimBusiness {
  id: string;
  name: string;
  /** The portfolio's messaging limit, shared by every number of its WABAs. */
  messagingLimit: MessagingLimitTier;
}

export interface SimWaba {
  id: string;
  name: string;
  businessId: string;
  subscribedApps: Set<string>;
  currency: string;
  timezoneId: string;
  /**
   * The catalog linked to the WABA (issue 18): "You can only connect one
   * catalog to a WhatsApp Business Account" (Meta's product_catalogs edge
   * returns "the product catalog connected to the WhatsApp Business Account").
   */
  linkedCatalogId: string | null;
}

export interface SimPhoneNumber {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  status: string;
  nameStatus: string;
  qualityRating: string;
  codeVerificationStatus: string;
  throughputLevel: string;
  accountMode: string;
  platformType: string;
  registered: boolean;
  pin: string | null;
  /**
   * whatsapp_commerce_settings. "By default, the shopping cart is enabled and
   * the storefront icon is hidden for all business phone numbers"
   * (https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/set-commerce-settings/).
   */
  commerce: { id: string; cartEnabled: boolean; catalogVisible: boolean };
}

export type SimItem = Record<string, unknown> & { id: string };

export interface SimCatalog {
  id: string;
  name: string;
  businessId: string;
  relation: "owned" | "client";
  vertical: string;
  /** retailer id -> item fields (as last saved). */
  items: Map<string, SimItem>;
  /** retailer id -> Meta's product id. */
  productIds: Map<string, string>;
  /** retailer id -> Meta's review of the item as last saved (review.ts). */
  reviews: Map<string, SimReview>;
}

export interface BatchIssue {
  line: number;
  id: string;
  message: string;
}

export type BatchRequest = { line: number; method: "CREATE" | "UPDATE" | "DELETE"; data: Record<string, unknown> };

export interface SimBatch {
  handle: string;
  catalogId: string;
  status: "started" | "finished";
  allowUpsert: boolean;
  requests: BatchRequest[];
  createdAtMs: number;
  finishAtMs: number;
  errors: BatchIssue[];
  warnings: BatchIssue[];
  idsOfInvalidRequests: string[];
}

export interface SimStatusUpdate {
  status: "sent" | "delivered" | "read" | "failed";
  timestamp: number;
}

export interface SimMessage {
  wamid: string;
  phoneNumberId: string;
  wabaId: string;
  to: string;
  waId: string;
  /** The business-scoped user id, when the message went to one (`recipient`) instead of a phone number. */
  userId?: string;
  type: "text" | "template" | "interactive";
  text?: string;
  template?: { name: string; languageCode: string };
  /** product / product_list: the catalog and the retailer ids sent. */
  interactive?: { type: "product" | "product_list"; catalogId: string; retailerIds: string[]; sections: number };
  createdAtMs: number;
  statuses: SimStatusUpdate[];
}

export interface WebhookDelivery {
  url: string;
  body: string;
  signature: string;
  status: number | null;
  error: string | null;
  atMs: number;
}

export interface SimConfig {
  codeTtlMs: number;
  /** How long a batch stays "started" before it finishes. 0 = finished at once. */
  batchDelayMs: number;
  /** Delays before the sent, delivered and read webhooks, each after the previous one. */
  statusDelaysMs: { sent: number; delivered: number; read: number };
  webhookCallbackUrl: string | null;
  /** Signs webhooks; null = the primary app's secret. */
  webhookAppSecret: string | null;
  /** Fields this "Graph version" refuses as nonexisting (to test client fallbacks). */
  unsupportedFields: Set<string>;
  /** Fields a new item must have. */
  requiredItemFields: string[];
  /** The Meta app has "Require App Secret" on: user and system-user token calls need appsecret_proof. */
  requireAppSecretProof: boolean;
  /** Calls per business per window that count as 100 % in the usage headers. */
  usageLimitPerWindow: number;
  usageWindowMs: number;
  /**
   * Longest request URL answered; longer ones get 414. Meta documents no limit: 64 KB is our
   * assumption (the app's read-back of 1,000 ids is about 45 KB, and halves on a 414).
   */
  maxUrlBytes: number;
  /** How long Meta's review of a saved item stays pending (review.ts). */
  reviewDelayMs: number;
  /** What the review decides, first match wins; no match approves. */
  reviewRules: ReviewRule[];
}

export const DEFAULT_REQUIRED_ITEM_FIELDS = ["id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand"];

export function defaultConfig(): SimConfig {
  return {
    codeTtlMs: 30_000,
    batchDelayMs: 50,
    statusDelaysMs: { sent: 10, delivered: 20, read: 20 },
    webhookCallbackUrl: null,
    webhookAppSecret: null,
    unsupportedFields: new Set(),
    requiredItemFields: [...DEFAULT_REQUIRED_ITEM_FIELDS],
    requireAppSecretProof: false,
    usageLimitPerWindow: 10_000,
    usageWindowMs: 3_600_000,
    maxUrlBytes: 64 * 1024,
    reviewDelayMs: 0,
    reviewRules: [...DEFAULT_REVIEW_RULES],
  };
}

const alnum = (bytes: number) => randomBytes(bytes).toString("base64").replace(/[^A-Za-z0-9]/g, "");

export class SimState {
  readonly apps = new Map<string, SimApp>();
  readonly tokens = new Map<string, SimToken>();
  readonly codes = new Map<string, SimAuthCode>();
  readonly businesses = new Map<string, SimBusiness>();
  readonly wabas = new Map<string, SimWaba>();
  readonly phones = new Map<string, SimPhoneNumber>();
  readonly catalogs = new Map<string, SimCatalog>();
  readonly batches = new Map<string, SimBatch>();
  readonly messages = new Map<string, SimMessage>();
  /**
   * The customer service window: "<phone-number-id>|<wa_id or BSUID>" -> when
   * that customer last wrote to that number (ms). Free-form messages
   * (everything but templates) are delivered only within 24 h of it.
   */
  readonly customerWindows = new Map<string, number>();
  /** to (digits) -> the error its messages fail with. */
  readonly failingRecipients = new Map<string, { code: number; title: string }>();
  /** "<catalog-id>|<retailer id>" -> the review outcome a test imposes on that item. */
  readonly reviewOverrides = new Map<string, ReviewOutcome>();
  readonly webhookDeliveries: WebhookDelivery[] = [];
  readonly calls = new Map<string, number>();
  config: SimConfig = defaultConfig();
  /** Batches finish in arrival order: a new one never finishes before this. */
  lastBatchFinishAtMs = 0;
  private counter = 0;

  constructor(readonly primaryAppId: string) {}

  /** Graph-style numeric ids, unique within this simulator. */
  nextId(): string {
    return String(100_000_000_000_000 + ++this.counter);
  }

  newToken(): string {
    return `EAAS${alnum(64)}`.slice(0, 60);
  }

  newCode(): string {
    return `AQ${alnum(96)}`;
  }

  newHandle(): string {
    return `Ac${alnum(48)}`.slice(0, 40);
  }

  newWamid(): string {
    return `wamid.HBgL${randomBytes(27).toString("base64").replace(/=+$/, "")}`;
  }

  kindOf(id: string): ObjectKind | null {
    if (this.phones.has(id)) return "phone";
    if (this.wabas.has(id)) return "waba";
    if (this.catalogs.has(id)) return "catalog";
    if (this.businesses.has(id)) return "business";
    return null;
  }

  /** The business that owns an object (for the business use case usage header). */
  businessOf(id: string): string | null {
    const phone = this.phones.get(id);
    const waba = this.wabas.get(phone?.wabaId ?? id);
    if (waba) return waba.businessId;
    return this.catalogs.get(id)?.businessId ?? (this.businesses.has(id) ? id : null);
  }

  countCall(label: string) {
    this.calls.set(label, (this.calls.get(label) ?? 0) + 1);
  }
}
