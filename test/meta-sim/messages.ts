import { requireScope, requireToken } from "./auth";
import { GraphError, invalidParam } from "./graph-error";
import { json, type SimReply } from "./request";
import type { Ctx, SimRuntime } from "./routes";
import type { SimMessage, SimPhoneNumber, SimStatusUpdate } from "./state";
import { settleBatches } from "./catalog";

/**
 * POST /{phone-number-id}/messages and what follows it: status webhooks
 * sent -> delivered -> read (or sent -> failed for a recipient configured
 * to fail), each after its configured delay, signed with the app secret.
 */

const LOCKED = new Set(["BANNED", "RESTRICTED", "FLAGGED", "DISCONNECTED", "DELETED"]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseObject(value: unknown, name: string): Record<string, unknown> {
  // Form-encoded senders pass nested objects as JSON strings.
  let v = value;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      throw invalidParam(`(#100) Param ${name} must be a JSON object`);
    }
  }
  if (!isRecord(v)) throw invalidParam(`(#100) The parameter ${name} is required.`);
  return v;
}

/** 24 hours: the customer service window. */
export const CUSTOMER_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The customer service window: "When a user messages you, a 24-hour timer
 * called a customer service window starts or refreshes. All message types,
 * except for template messages, can only be sent when a customer service
 * window is open" (Meta's Send messages guide,
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages#customer-service-windows;
 * quoted in AWS End User Messaging Social's WhatsApp guide). Outside it Meta
 * accepts the request and then reports the message failed with 131047
 * "Re-engagement message", details "More than 24 hours have passed since the
 * recipient last replied to the sender number." (WhatsApp error codes page;
 * the asynchronous `failed` status as integrations receive it).
 */
function windowOpen(state: Ctx["state"], phoneId: string, message: SimMessage): boolean {
  const keys = [message.waId, message.userId].filter((k): k is string => Boolean(k));
  return keys.some((key) => {
    const last = state.customerWindows.get(`${phoneId}|${key}`);
    return last !== undefined && Date.now() - last < CUSTOMER_WINDOW_MS;
  });
}

export const REENGAGEMENT = { code: 131047, title: "Re-engagement message", details: "More than 24 hours have passed since the recipient last replied to the sender number." };

/**
 * Products the catalog linked to the number's WABA does not have: Meta
 * refuses the send with 131009 "Parameter value is not valid" and details
 * "Products not found in FB Catalog" (integrations report this text both for
 * an item missing from the catalog and for a catalog_id not connected to the
 * WABA; the error codes page lists 131009 as "One or more parameter values
 * are invalid").
 */
const productsNotFound = () => new GraphError(400, 131009, "(#131009) Parameter value is not valid", { details: "Products not found in FB Catalog" });
const invalidValue = (details: string) => new GraphError(400, 131009, "(#131009) Parameter value is not valid", { details });

const within = (value: unknown, max: number) => typeof value === "string" && value !== "" && [...value].length <= max;

/** `interactive` of type product / product_list, checked against the limits in app/meta/product-message.ts (sources there). */
function parseInteractive(state: Ctx["state"], phone: SimPhoneNumber, value: unknown): NonNullable<SimMessage["interactive"]> {
  const interactive = parseObject(value, "interactive");
  const type = interactive.type;
  if (type !== "product" && type !== "product_list") {
    throw invalidParam(`(#100) Param interactive['type'] must be one of {PRODUCT, PRODUCT_LIST} in this simulator; got ${String(type)}`);
  }
  const action = isRecord(interactive.action) ? interactive.action : null;
  if (!action) throw invalidParam("(#100) The parameter interactive['action'] is required.");
  const catalogId = typeof action.catalog_id === "string" ? action.catalog_id : typeof action.catalog_id === "number" ? String(action.catalog_id) : "";
  if (!catalogId) throw invalidParam("(#100) The parameter interactive['action']['catalog_id'] is required.");
  const body = isRecord(interactive.body) ? interactive.body.text : undefined;
  const footer = isRecord(interactive.footer) ? interactive.footer.text : undefined;
  if (interactive.body !== undefined && !within(body, 1024)) throw invalidValue("interactive['body']['text'] must be 1 to 1024 characters");
  if (interactive.footer !== undefined && !within(footer, 60)) throw invalidValue("interactive['footer']['text'] must be 1 to 60 characters");

  let retailerIds: string[];
  let sections = 0;
  if (type === "product") {
    if (interactive.header !== undefined) throw invalidValue("a header is not allowed in a single-product message");
    const id = action.product_retailer_id;
    if (typeof id !== "string" || id === "") throw invalidParam("(#100) The parameter interactive['action']['product_retailer_id'] is required.");
    retailerIds = [id];
  } else {
    const header = isRecord(interactive.header) ? interactive.header : null;
    if (!header || header.type !== "text" || !within(header.text, 60)) throw invalidValue("a multi-product message needs a text header of 1 to 60 characters");
    if (!within(body, 1024)) throw invalidValue("a multi-product message needs a body of 1 to 1024 characters");
    const list = action.sections;
    if (!Array.isArray(list) || list.length === 0 || list.length > 10) throw invalidValue("interactive['action']['sections'] must have 1 to 10 sections");
    retailerIds = [];
    for (const section of list) {
      if (!isRecord(section) || !Array.isArray(section.product_items) || section.product_items.length === 0) {
        throw invalidValue("every section needs at least one product in product_items");
      }
      if (list.length > 1 && !within(section.title, 24)) throw invalidValue("every section needs a title of 1 to 24 characters when there are several sections");
      if (list.length === 1 && section.title !== undefined && !within(section.title, 24)) throw invalidValue("a section title takes 1 to 24 characters");
      for (const item of section.product_items) {
        const id = isRecord(item) ? item.product_retailer_id : undefined;
        if (typeof id !== "string" || id === "") throw invalidParam("(#100) The parameter product_items[]['product_retailer_id'] is required.");
        retailerIds.push(id);
      }
    }
    if (retailerIds.length > 30) throw invalidValue("a multi-product message takes at most 30 products");
    sections = list.length;
  }
  // Only items of the catalog linked to this number's WABA.
  const linked = state.wabas.get(phone.wabaId)?.linkedCatalogId;
  const catalog = linked === catalogId ? state.catalogs.get(catalogId) : undefined;
  if (!catalog) throw productsNotFound();
  settleBatches(state);
  if (retailerIds.some((id) => !catalog.items.has(id))) throw productsNotFound();
  return { type, catalogId, retailerIds, sections };
}

export function sendMessage(ctx: Ctx): SimReply {
  const { state } = ctx;
  const phone = state.phones.get(ctx.id)!;
  const token = requireToken(state, ctx.req);
  requireScope(token, "whatsapp_business_messaging", phone.wabaId);
  const p = ctx.req.params;
  if (p.messaging_product !== "whatsapp") throw invalidParam("(#100) The parameter messaging_product is required.");
  // `to` is a phone number; `recipient` a business-scoped user id; `to` wins when both are given
  // (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids).
  const to = typeof p.to === "string" ? p.to : typeof p.to === "number" ? String(p.to) : "";
  const recipient = typeof p.recipient === "string" ? p.recipient : "";
  if (!to && !recipient) throw invalidParam("(#100) The parameter to is required.");
  const waId = to ? to.replace(/\D/g, "") : "";
  if (to && (waId.length < 6 || waId.length > 15)) throw new GraphError(400, 131009, "(#131009) Parameter value is not valid: to");
  if (!to && !/^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/.test(recipient)) throw new GraphError(400, 131009, "(#131009) Parameter value is not valid: recipient");
  const type = typeof p.type === "string" ? p.type : "text";
  if (!phone.registered) throw new GraphError(400, 133010, "(#133010) Account not registered");
  if (LOCKED.has(phone.status)) throw new GraphError(400, 131031, "(#131031) Business Account locked");

  const message: SimMessage = {
    wamid: state.newWamid(),
    phoneNumberId: phone.id,
    wabaId: phone.wabaId,
    to: to || recipient,
    waId,
    ...(to ? {} : { userId: recipient }),
    type: "text",
    createdAtMs: Date.now(),
    statuses: [],
  };
  if (type === "text") {
    const text = parseObject(p.text, "text");
    if (typeof text.body !== "string" || text.body === "") throw invalidParam("(#100) The parameter text['body'] is required.");
    if (text.body.length > 4096) throw invalidParam("(#100) Param text['body'] must be at most 4096 characters long.");
    message.text = text.body;
  } else if (type === "template") {
    const template = parseObject(p.template, "template");
    const language = isRecord(template.language) ? template.language : {};
    if (typeof template.name !== "string" || !template.name) throw invalidParam("(#100) The parameter template['name'] is required.");
    if (typeof language.code !== "string" || !language.code) throw invalidParam("(#100) The parameter template['language']['code'] is required.");
    message.type = "template";
    message.template = { name: template.name, languageCode: language.code };
  } else if (type === "interactive") {
    message.type = "interactive";
    message.interactive = parseInteractive(state, phone, p.interactive);
  } else {
    throw invalidParam(`(#100) Param type must be one of {TEXT, TEMPLATE, INTERACTIVE} in this simulator; got ${type}`);
  }
  state.messages.set(message.wamid, message);
  const outsideWindow = message.type !== "template" && !windowOpen(state, phone.id, message);
  scheduleStatuses(ctx.sim, message, phone, outsideWindow ? REENGAGEMENT : undefined);
  return json({
    messaging_product: "whatsapp",
    contacts: [to ? { input: to, wa_id: waId } : { input: recipient, user_id: recipient }],
    // As Meta's Messages reference documents it (live Meta may add message_status for templates; the client tolerates it).
    messages: [{ id: message.wamid }],
  });
}

type Failure = { code: number; title: string; details?: string };

function scheduleStatuses(sim: SimRuntime, message: SimMessage, phone: SimPhoneNumber, refused?: Failure) {
  const { sent, delivered, read } = sim.state.config.statusDelaysMs;
  const failure: Failure | undefined = refused ?? sim.state.failingRecipients.get(message.waId);
  // A message outside the window is never sent: it fails at once (after the "sent" delay).
  const steps: Array<[number, SimStatusUpdate["status"]]> = refused
    ? [[sent, "failed"]]
    : failure
      ? [[sent, "sent"], [delivered, "failed"]]
      : [[sent, "sent"], [delivered, "delivered"], [read, "read"]];
  let at = 0;
  for (const [delay, status] of steps) {
    at += delay;
    sim.later(at, () => {
      const update: SimStatusUpdate = { status, timestamp: Math.floor(Date.now() / 1000) };
      message.statuses.push(update);
      // Meta delivers a WABA's webhooks only to apps subscribed to it.
      if (!sim.state.wabas.get(message.wabaId)?.subscribedApps.has(sim.state.primaryAppId)) return;
      void sim.postWebhook(statusWebhook(message, phone, update, status === "failed" ? failure : undefined));
    });
  }
}

/** Meta's webhook envelope for one message status. */
export function statusWebhook(message: SimMessage, phone: SimPhoneNumber, update: SimStatusUpdate, failure?: Failure) {
  const category = message.type === "template" ? "utility" : "service";
  const status: Record<string, unknown> = {
    id: message.wamid,
    status: update.status,
    timestamp: String(update.timestamp),
    ...(message.waId ? { recipient_id: message.waId } : {}),
    ...(message.userId ? { recipient_user_id: message.userId } : {}),
  };
  if (update.status === "sent" || update.status === "delivered") {
    status.conversation = { id: `conv_${message.wamid.slice(-12)}`, origin: { type: category } };
    status.pricing = { billable: true, pricing_model: "PMP", category };
  }
  if (failure) {
    status.errors = [
      {
        code: failure.code,
        title: failure.title,
        message: failure.title,
        error_data: { details: failure.details ?? failure.title },
        href: "https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes",
      },
    ];
  }
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: message.wabaId,
        changes: [
          {
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: phone.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: phone.id },
              statuses: [status],
            },
            field: "messages",
          },
        ],
      },
    ],
  };
}
