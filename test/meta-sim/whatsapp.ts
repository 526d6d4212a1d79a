import { requireScope, requireToken, requireWhatsAppManage } from "./auth";
import { GraphError, invalidParam } from "./graph-error";
import { pick, parseFields } from "./fields";
import { json, paginate, stringParam } from "./request";
import type { Ctx, RouteDef } from "./routes";
import type { SimPhoneNumber, SimState, SimWaba } from "./state";
import { sendMessage } from "./messages";

/** WABA and phone number endpoints: discovery, health fields, registration, app subscription. */


const portfolioLimit = (p: SimPhoneNumber, state: SimState) => state.businesses.get(state.wabas.get(p.wabaId)?.businessId ?? "")?.messagingLimit ?? null;

/** Phone number fields by name; `fields=` picks among them. */
const PHONE_FIELDS: Record<string, (p: SimPhoneNumber, state: SimState) => unknown> = {
  id: (p) => p.id,
  display_phone_number: (p) => p.displayPhoneNumber,
  verified_name: (p) => p.verifiedName,
  status: (p) => p.status,
  name_status: (p) => p.nameStatus,
  quality_rating: (p) => p.qualityRating,
  code_verification_status: (p) => p.codeVerificationStatus,
  // The portfolio's limit (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits,
  // "Via API": example { "whatsapp_business_manager_messaging_limit": "TIER_250", "id": ... }).
  whatsapp_business_manager_messaging_limit: portfolioLimit,
  messaging_limit_tier: portfolioLimit,
  throughput: (p) => ({ level: p.throughputLevel }),
  account_mode: (p) => p.accountMode,
  platform_type: (p) => p.platformType,
};
// What the list edge returns when no fields are asked for (as documented).
const PHONE_LIST_DEFAULT = ["id", "display_phone_number", "verified_name", "quality_rating", "code_verification_status"];
const PHONE_DEFAULT = [...PHONE_LIST_DEFAULT, "platform_type", "throughput"];

const WABA_FIELDS: Record<string, (w: SimWaba, state: SimState) => unknown> = {
  id: (w) => w.id,
  name: (w) => w.name,
  currency: (w) => w.currency,
  timezone_id: (w) => w.timezoneId,
  message_template_namespace: (w) => `ns_${w.id}`,
  account_review_status: () => "APPROVED",
  owner_business_info: (w, state) => ({ id: w.businessId, name: state.businesses.get(w.businessId)?.name ?? "" }),
};

/**
 * The messaging limits page: request whatsapp_business_manager_messaging_limit "for v24.0 and
 * newer" or messaging_limit_tier "for 23.0 and older"; messaging_limit_tier "has been deprecated".
 * From v24.0 on, asking for it fails the call as any unknown field does (#100). (The page names the
 * versions; that newer versions refuse the old field outright is our reading of it.)
 */
function phoneFields(ctx: Ctx, defaults: string[]): string[] {
  const fields = parseFields(ctx.req.params.fields, defaults);
  const major = Number(/^v(\d+)\./.exec(ctx.req.version ?? "")?.[1] ?? Infinity);
  if (major >= 24 && fields.includes("messaging_limit_tier")) {
    throw invalidParam("(#100) Tried accessing nonexisting field (messaging_limit_tier) on node type (WhatsAppBusinessPhoneNumber)");
  }
  return fields;
}

function phoneOf(ctx: Ctx): SimPhoneNumber {
  const phone = ctx.state.phones.get(ctx.id)!;
  const token = requireToken(ctx.state, ctx.req);
  requireWhatsAppManage(token, phone.wabaId);
  return phone;
}

function wabaOf(ctx: Ctx): SimWaba {
  const token = requireToken(ctx.state, ctx.req);
  requireWhatsAppManage(token, ctx.id);
  return ctx.state.wabas.get(ctx.id)!;
}

const success = () => json({ success: true });

export const whatsappRoutes: RouteDef[] = [
  {
    label: "GET /{phone-number-id}",
    method: "GET",
    kind: "phone",
    edge: null,
    handle: (ctx) => {
      const phone = phoneOf(ctx);
      return json(pick(ctx.state, "WhatsAppBusinessPhoneNumber", phone, PHONE_FIELDS, phoneFields(ctx, PHONE_DEFAULT)));
    },
  },
  {
    label: "GET /{waba-id}",
    method: "GET",
    kind: "waba",
    edge: null,
    handle: (ctx) => {
      const waba = wabaOf(ctx);
      return json(pick(ctx.state, "WhatsAppBusinessAccount", waba, WABA_FIELDS, parseFields(ctx.req.params.fields, ["id", "name"])));
    },
  },
  {
    label: "GET /{waba-id}/phone_numbers",
    method: "GET",
    kind: "waba",
    edge: "phone_numbers",
    handle: (ctx) => {
      wabaOf(ctx);
      const fields = phoneFields(ctx, PHONE_LIST_DEFAULT);
      const phones = [...ctx.state.phones.values()].filter((p) => p.wabaId === ctx.id);
      const page = paginate(phones, ctx.req.params, (after) => ctx.selfUrl({ after }));
      return json({
        data: page.data.map((p) => pick(ctx.state, "WhatsAppBusinessPhoneNumber", p, PHONE_FIELDS, fields)),
        ...(page.paging ? { paging: page.paging } : {}),
      });
    },
  },
  {
    // https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates/:
    // { data: [{ name, components, language, status, category, id }], paging }. Every WABA has Meta's
    // sample hello_world template (the app's test message).
    label: "GET /{waba-id}/message_templates",
    method: "GET",
    kind: "waba",
    edge: "message_templates",
    handle: (ctx) => {
      const waba = wabaOf(ctx);
      const templates = [{ id: `${waba.id}01`, name: "hello_world", language: "en_US", status: "APPROVED", category: "UTILITY" }];
      const fields = parseFields(ctx.req.params.fields, ["id", "name", "language", "status", "category"]);
      const page = paginate(templates, ctx.req.params, (after) => ctx.selfUrl({ after }));
      return json({
        data: page.data.map((t) => Object.fromEntries(fields.filter((f) => f in t).map((f) => [f, t[f as keyof typeof t]]))),
        ...(page.paging ? { paging: page.paging } : {}),
      });
    },
  },
  {
    label: "POST /{phone-number-id}/register",
    method: "POST",
    kind: "phone",
    edge: "register",
    handle: (ctx) => {
      const phone = phoneOf(ctx);
      const p = ctx.req.params;
      if (p.messaging_product !== "whatsapp") throw invalidParam("(#100) The parameter messaging_product is required.");
      const pin = stringParam(p, "pin");
      if (!pin) throw invalidParam("(#100) The parameter pin is required.");
      if (!/^\d{6}$/.test(pin)) throw invalidParam("(#100) Param pin must be 6 digits.");
      if (phone.pin !== null && phone.pin !== pin) throw new GraphError(400, 133005, "Two step verification PIN Mismatch");
      phone.registered = true;
      phone.pin = pin;
      return success();
    },
  },
  {
    // Two-step verification: POST /{phone-number-id} with a required 6-digit `pin` sets the number's PIN and
    // answers { success: true }; no old PIN is asked for, and "there is no endpoint to disable two-step
    // verification"; the token needs whatsapp_business_management and whatsapp_business_messaging.
    // Source: https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/two-step-verification
    // Registration then needs that PIN (POST /{phone-number-id}/register; a different one is 133005,
    // "Two step verification PIN Mismatch": https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).
    label: "POST /{phone-number-id}",
    method: "POST",
    kind: "phone",
    edge: null,
    handle: (ctx) => {
      const phone = phoneOf(ctx);
      requireScope(requireToken(ctx.state, ctx.req), "whatsapp_business_messaging", phone.wabaId);
      const pin = stringParam(ctx.req.params, "pin");
      if (!pin) throw invalidParam("(#100) The parameter pin is required.");
      if (!/^\d{6}$/.test(pin)) throw invalidParam("(#100) Param pin must be 6 digits.");
      phone.pin = pin;
      return success();
    },
  },
  {
    label: "POST /{waba-id}/subscribed_apps",
    method: "POST",
    kind: "waba",
    edge: "subscribed_apps",
    handle: (ctx) => {
      const token = requireToken(ctx.state, ctx.req);
      requireWhatsAppManage(token, ctx.id);
      ctx.state.wabas.get(ctx.id)!.subscribedApps.add(token.appId);
      return success();
    },
  },
  {
    label: "GET /{waba-id}/subscribed_apps",
    method: "GET",
    kind: "waba",
    edge: "subscribed_apps",
    handle: (ctx) => {
      const waba = wabaOf(ctx);
      const data = [...waba.subscribedApps].map((appId) => ({
        whatsapp_business_api_data: { id: appId, name: ctx.state.apps.get(appId)?.name ?? "", link: `https://www.facebook.com/games/?app_id=${appId}` },
      }));
      return json({ data });
    },
  },
  // Unsubscribing an app from a WABA's webhooks: DELETE /<WABA_ID>/subscribed_apps with the business token answers
  // { "success": true }. Source: https://developers.facebook.com/documentation/business-messaging/whatsapp/solution-providers/manage-webhooks
  // (and GET/POST/DELETE on this edge count against the Business Use Case rate limits:
  // https://developers.facebook.com/docs/graph-api/webhooks/getting-started/webhooks-for-whatsapp).
  {
    label: "DELETE /{waba-id}/subscribed_apps",
    method: "DELETE",
    kind: "waba",
    edge: "subscribed_apps",
    handle: (ctx) => {
      const token = requireToken(ctx.state, ctx.req);
      requireWhatsAppManage(token, ctx.id);
      ctx.state.wabas.get(ctx.id)!.subscribedApps.delete(token.appId);
      return success();
    },
  },
  {
    label: "POST /{phone-number-id}/messages",
    method: "POST",
    kind: "phone",
    edge: "messages",
    handle: (ctx) => sendMessage(ctx),
  },
];
