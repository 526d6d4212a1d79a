import { requireScope, requireToken } from "./auth";
import { GraphError, invalidParam } from "./graph-error";
import { json, type SimReply } from "./request";
import type { Ctx, SimRuntime } from "./routes";
import type { SimMessage, SimPhoneNumber, SimStatusUpdate } from "./state";

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

export function sendMessage(ctx: Ctx): SimReply {
  const { state } = ctx;
  const phone = state.phones.get(ctx.id)!;
  const token = requireToken(state, ctx.req);
  requireScope(token, "whatsapp_business_messaging", phone.wabaId);
  const p = ctx.req.params;
  if (p.messaging_product !== "whatsapp") throw invalidParam("(#100) The parameter messaging_product is required.");
  const to = typeof p.to === "string" ? p.to : typeof p.to === "number" ? String(p.to) : "";
  if (!to) throw invalidParam("(#100) The parameter to is required.");
  const waId = to.replace(/\D/g, "");
  if (waId.length < 6 || waId.length > 15) throw new GraphError(400, 131009, "(#131009) Parameter value is not valid: to");
  const type = typeof p.type === "string" ? p.type : "text";
  if (!phone.registered) throw new GraphError(400, 133010, "(#133010) Account not registered");
  if (LOCKED.has(phone.status)) throw new GraphError(400, 131031, "(#131031) Business Account locked");

  const message: SimMessage = {
    wamid: state.newWamid(),
    phoneNumberId: phone.id,
    wabaId: phone.wabaId,
    to,
    waId,
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
  } else {
    throw invalidParam(`(#100) Param type must be one of {TEXT, TEMPLATE} in this simulator; got ${type}`);
  }
  state.messages.set(message.wamid, message);
  scheduleStatuses(ctx.sim, message, phone);
  return json({
    messaging_product: "whatsapp",
    contacts: [{ input: to, wa_id: waId }],
    // As Meta's Messages reference documents it (live Meta may add message_status for templates; the client tolerates it).
    messages: [{ id: message.wamid }],
  });
}

function scheduleStatuses(sim: SimRuntime, message: SimMessage, phone: SimPhoneNumber) {
  const { sent, delivered, read } = sim.state.config.statusDelaysMs;
  const failure = sim.state.failingRecipients.get(message.waId);
  const steps: Array<[number, SimStatusUpdate["status"]]> = failure
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
export function statusWebhook(message: SimMessage, phone: SimPhoneNumber, update: SimStatusUpdate, failure?: { code: number; title: string }) {
  const category = message.type === "template" ? "utility" : "service";
  const status: Record<string, unknown> = {
    id: message.wamid,
    status: update.status,
    timestamp: String(update.timestamp),
    recipient_id: message.waId,
  };
  if (update.status === "sent" || update.status === "delivered") {
    status.conversation = { id: `conv_${message.wamid.slice(-12)}`, origin: { type: category } };
    status.pricing = { billable: true, pricing_model: "PMP", category };
  }
  if (failure) {
    status.errors = [{ code: failure.code, title: failure.title, message: failure.title, error_data: { details: failure.title } }];
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
