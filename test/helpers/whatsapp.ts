import { createHmac } from "node:crypto";
import { beforeAll } from "vitest";
import { decode } from "turbo-stream";
import type { MetaSimulator } from "../meta-sim";
import type { ActionResult } from "../../app/whatsapp/actions.server";
import type { WhatsAppPageData } from "../../app/whatsapp/page-data.server";
import { useApp } from "./app-suite";
import type { Provider } from "./databases";
import { sessionToken } from "./shopify";

/**
 * WhatsApp test plumbing: the app started against a Meta simulator that the
 * test file created first (its URL must be known before useApp's beforeAll),
 * with the simulator's status webhooks pointed at the app; and the page's
 * loader and action called exactly as the embedded page calls them
 * (single-fetch `.data` requests with a session token, turbo-stream bodies).
 */

export const WA_VERIFY_TOKEN = "wa-verify-token-0123";
export const WA_CONFIG_ID = "cfg-embedded-signup-1";

// Shopify's library answers bots with 410, and Node's fetch counts as one: present a browser.
export const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

export function useWhatsAppApp(provider: Provider, sim: MetaSimulator, env: Record<string, string> = {}) {
  const t = useApp(provider, {
    META_GRAPH_URL: sim.url,
    META_APP_ID: sim.appId,
    META_APP_SECRET: sim.appSecret,
    META_CONFIG_ID: WA_CONFIG_ID,
    META_WEBHOOK_VERIFY_TOKEN: WA_VERIFY_TOKEN,
    ...env,
  });
  // One simulator serves the file's describe blocks in turn: each points the webhooks at its own app.
  beforeAll(() => {
    sim.control.configure({ webhookCallbackUrl: `${t.url}/webhooks/meta`, webhookAppSecret: sim.appSecret });
  });
  return t;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  /** The raw body, for leak checks. */
  text: string;
  value: T;
}

async function decodeBody(res: Response): Promise<{ text: string; value: unknown }> {
  const text = await res.text();
  if (!text) return { text, value: undefined };
  const stream = new Response(text).body!;
  // Remix's own types (ErrorResponse, redirects, errors) decode as { $type, args }.
  const decoded = await decode(stream, { plugins: [(type: string, ...args: unknown[]) => ({ value: { $type: type, args } })] });
  await decoded.done;
  return { text, value: decoded.value };
}

/** POSTs a WhatsApp page action as the page's fetcher does. */
export async function whatsappAction(baseUrl: string, shop: string, body: unknown): Promise<Answer<ActionResult>> {
  const res = await fetch(`${baseUrl}/app/whatsapp.data`, {
    method: "POST",
    headers: { authorization: `Bearer ${sessionToken(shop)}`, "content-type": "application/json", "user-agent": BROWSER },
    body: typeof body === "string" ? body : JSON.stringify(body),
    redirect: "manual",
  });
  const { text, value } = await decodeBody(res);
  const result = (value as { data?: ActionResult } | undefined)?.data as ActionResult;
  return { status: res.status, headers: res.headers, text, value: result };
}

/** The WhatsApp page's loader data (what the page renders), as a client-side navigation fetches it. */
export async function whatsappPage(baseUrl: string, shop: string): Promise<Answer<WhatsAppPageData>> {
  const res = await fetch(`${baseUrl}/app/whatsapp.data?_routes=routes/app.whatsapp`, {
    headers: { authorization: `Bearer ${sessionToken(shop)}`, "user-agent": BROWSER },
    redirect: "manual",
  });
  const { text, value } = await decodeBody(res);
  const route = (value as Record<string, { data?: WhatsAppPageData }> | undefined)?.["routes/app.whatsapp"];
  return { status: res.status, headers: res.headers, text, value: route?.data as WhatsAppPageData };
}

export function metaSignature(raw: string, secret: string) {
  return `sha256=${createHmac("sha256", secret).update(raw, "utf8").digest("hex")}`;
}

/** A `messages` webhook carrying one status of an outbound message, as Meta sends it. */
export function statusWebhookBody(
  wabaId: string,
  phoneNumberId: string,
  wamid: string,
  status: string,
  timestamp = Math.floor(Date.now() / 1000),
  errors?: unknown[],
) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550200100", phone_number_id: phoneNumberId },
              statuses: [{ id: wamid, status, timestamp: String(timestamp), recipient_id: "14155550123", ...(errors ? { errors } : {}) }],
            },
          },
        ],
      },
    ],
  };
}

/** Posts a WhatsApp webhook as Meta does; `secret: null` sends it unsigned. */
export function postMetaWebhook(baseUrl: string, body: unknown, secret: string | null, headers: Record<string, string> = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  return fetch(`${baseUrl}/webhooks/meta`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret !== null ? { "x-hub-signature-256": metaSignature(raw, secret) } : {}),
      ...headers,
    },
    body: raw,
  });
}

export interface SignupAccount {
  businessId: string;
  wabaId: string;
  phoneNumberIds: string[];
  token: string;
}

/**
 * What Meta holds after a merchant finished Embedded Signup: a business, a
 * WABA with `numbers` unregistered numbers, and the business integration
 * token Meta will issue (granular scopes naming the WABA).
 */
export function seedSignupAccount(
  sim: MetaSimulator,
  opts: { numbers?: number; scopes?: string[]; wabaTargets?: string[]; extraWabas?: string[]; display?: string; v4Token?: boolean } = {},
): SignupAccount {
  const business = sim.control.seedBusiness({ name: "Test Business" });
  const waba = sim.control.seedWaba({ businessId: business.id, name: "Test WABA" });
  const phoneNumberIds: string[] = [];
  for (let i = 0; i < (opts.numbers ?? 1); i++) {
    phoneNumberIds.push(
      sim.control.seedPhoneNumber({
        wabaId: waba.id,
        displayPhoneNumber: `${opts.display ?? "+1 555-020-"}${String(100 + i)}`,
        verifiedName: `Test Shop ${i + 1}`,
        registered: false,
        pin: null,
      }).id,
    );
  }
  const targets = opts.wabaTargets ?? [waba.id, ...(opts.extraWabas ?? [])];
  const token = opts.v4Token
    ? sim.control.seedToken(embeddedSignupToken(business.id, targets))
    : sim.control.seedToken({
        scopes: opts.scopes ?? ["whatsapp_business_management", "whatsapp_business_messaging", "business_management"],
        granular: {
          whatsapp_business_management: targets,
          whatsapp_business_messaging: targets,
          business_management: [business.id],
        },
      });
  return { businessId: business.id, wabaId: waba.id, phoneNumberIds, token };
}

/**
 * A business integration token as Embedded Signup issues it since June 2026:
 * whatsapp_business_manage_events where whatsapp_business_management used to
 * be (chatwoot/chatwoot#14690: a SYSTEM_USER token listing pages_show_list,
 * ads_read, business_management...; the granular scopes had no
 * whatsapp_business_management).
 */
export function embeddedSignupToken(businessId: string, wabaIds: string[]) {
  return {
    type: "SYSTEM_USER" as const,
    scopes: ["pages_show_list", "ads_read", "business_management", "whatsapp_business_messaging", "whatsapp_business_manage_events"],
    granular: { business_management: [businessId], whatsapp_business_messaging: wabaIds, whatsapp_business_manage_events: wabaIds },
  };
}

/** A token for an existing account, e.g. the one a reconnect by someone with less access yields. */
export function seedToken(sim: MetaSimulator, account: SignupAccount, opts: { scopes?: string[]; wabaTargets?: string[] } = {}) {
  const targets = opts.wabaTargets ?? [account.wabaId];
  const scopes = opts.scopes ?? ["whatsapp_business_management", "whatsapp_business_messaging", "business_management"];
  const granular: Record<string, string[]> = {};
  for (const scope of scopes) granular[scope] = scope === "business_management" ? [account.businessId] : targets;
  return sim.control.seedToken({ scopes, granular });
}

export const connectBody = (code: string, signup: Record<string, unknown> | null = null, extra: Record<string, unknown> = {}) => ({
  intent: "connect",
  code,
  via: "sdk",
  signup,
  ...extra,
});
