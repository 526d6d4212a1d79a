import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Db, Prisma } from "../db.server";
import { logger } from "../logger.server";
import { installedShops } from "../shop.server";
import { safeEqual } from "../webhooks/verify.server";
import { env } from "../env.server";
import { reconnectReason, storeMessagingLimit } from "./connection.server";
import { emptySnapshot, readSnapshot, withEvent, type HealthEvent } from "./health-snapshot";
import { messagingLimitTier } from "./messaging-limit";
import { recordCustomerMessage, Sender } from "./customer-window.server";
import { describeDeliveryFailure } from "./meta-failure.server";
import { applyStatus, fromMeta, readTimeline, type MessageStatus, type TimelineEntry } from "./message-status";

/**
 * Meta's WhatsApp webhooks: the verify handshake, the X-Hub-Signature-256
 * check on the raw body, and the effects. Every change is routed by the
 * entry's WABA id (and the phone number id inside it) to the shops
 * connected to that WABA; anything else is acknowledged and ignored, since
 * Meta retries a non-200 for days. Every effect is idempotent: a replayed
 * delivery changes nothing.
 */

const log = logger.child({ module: "meta-webhooks" });

/** Meta batches up to 1,000 updates per delivery; a few MB is far above that. */
export const MAX_META_WEBHOOK_BYTES = 3 * 1024 * 1024;

/** The handshake's answer: the challenge when the verify token matches, else null (403). */
export function verifyHandshake(params: URLSearchParams, verifyToken: string): string | null {
  const token = params.get("hub.verify_token") ?? "";
  const challenge = params.get("hub.challenge");
  if (params.get("hub.mode") !== "subscribe" || !verifyToken || challenge === null) return null;
  return safeEqual(token, verifyToken) ? challenge : null;
}

/** X-Hub-Signature-256 against each accepted app secret (current, and the previous one during a rotation). */
export function validSignature(raw: Buffer, header: string | null, secrets: string[]): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1].toLowerCase(), "hex");
  let ok = false;
  // Every secret is tried (no early exit), so timing says nothing about which one matched.
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac("sha256", secret).update(raw).digest();
    if (timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

// Graph ids are digits (letters, "_" and "-" tolerated); anything else cannot be ours, and
// text a database refuses (NUL, lone surrogates) never reaches a query.
const id = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/));
const printable = (s: string) => !/[\p{Cc}\p{Cs}]/u.test(s); // no control characters, no lone surrogates
const wamid = z.string().min(1).max(512).refine(printable);
const StatusUpdate = z.object({
  id: wamid,
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).partial().optional() })).optional(),
});
const MessagesValue = z.object({
  metadata: z.object({ phone_number_id: id }),
  statuses: z.array(z.unknown()).optional(),
  messages: z.array(z.object({ id: wamid }).passthrough()).optional(),
});
/**
 * Who sent an inbound message and when, for the customer service window
 * (issue 18): `from` (the sender's phone number), `from_user_id` (their
 * business-scoped user id), `timestamp` (seconds) and `type`
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages;
 * test/fixtures/meta/webhooks/messages-text.json). Read and handed to the
 * window; never stored in MessageLog or logged.
 */
const InboundSender = z.object({
  from: z.union([z.string(), z.number()]).transform(String).optional(),
  from_user_id: z.string().optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  type: z.string().optional(),
});
const text = z.string().max(256).refine(printable);
// phone_number_quality_update: the portfolio's limit is max_daily_conversations_per_business since
// current_limit was removed in February 2026
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update).
const limitValue = z.union([text, z.number()]).optional();
const QualityValue = z.object({
  display_phone_number: z.union([text, z.number()]).transform(String).optional(),
  event: text,
  max_daily_conversations_per_business: limitValue,
  current_limit: limitValue,
});
// business_capability_update carries the new limit as max_daily_conversations_per_business when Meta raises it
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits, "Approvals").
const CapabilityValue = z.object({ max_daily_conversations_per_business: limitValue }).passthrough();
const AccountValue = z.object({ event: text, phone_number: z.union([text, z.number()]).transform(String).optional() }).passthrough();
/**
 * account_update's PARTNER_* events (a WABA shared with or unshared from the
 * app, the app installed or uninstalled by the business customer): Meta sends
 * them under the partner's own business id as entry.id, the customer's WABA in
 * value.waba_info.waba_id, and partner_app_id on the PARTNER_APP_* events
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update,
 * examples "Partner added", "Partner app installed", "Partner app uninstalled").
 * Embedded Signup v4 requires the app to subscribe to account_update.
 */
const PartnerValue = z.object({
  event: z.string().regex(/^PARTNER_/),
  waba_info: z.object({ waba_id: id, partner_app_id: z.union([text, z.number()]).transform(String).optional() }),
});

export const MetaWebhookPayload = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id,
      time: z.number().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});
export type MetaWebhookPayload = z.infer<typeof MetaWebhookPayload>;

export interface WebhookSummary {
  entries: number;
  ignoredEntries: number;
  statuses: number;
  inbound: number;
  healthEvents: number;
}

const isoFromSeconds = (value: string | number | undefined, fallback: Date) => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toISOString() : fallback.toISOString();
};

export async function processMetaWebhook(db: Db, payload: MetaWebhookPayload, now = new Date()): Promise<WebhookSummary> {
  const summary: WebhookSummary = { entries: payload.entry.length, ignoredEntries: 0, statuses: 0, inbound: 0, healthEvents: 0 };
  if (payload.object !== "whatsapp_business_account") {
    summary.ignoredEntries = payload.entry.length;
    return summary;
  }
  for (const entry of payload.entry) {
    const at = entry.time ? new Date(entry.time * 1000) : now;
    let partnerEvents = 0;
    for (const change of entry.changes) {
      const partner = change.field === "account_update" ? PartnerValue.safeParse(change.value) : null;
      if (partner?.success && (await recordPartnerEvent(db, partner.data, at, now))) partnerEvents++;
    }
    summary.healthEvents += partnerEvents;
    const shops = await shopsOf(db, entry.id);
    if (shops.length === 0) {
      if (partnerEvents === 0) summary.ignoredEntries++;
      log.debug({ wabaId: entry.id }, "meta webhook for an unknown WABA ignored");
      continue;
    }
    await db.whatsAppConnection.updateMany({ where: { shop: { in: shops } }, data: { webhookSeenAt: now } });
    for (const change of entry.changes) {
      if (change.field === "messages") {
        const value = MessagesValue.safeParse(change.value);
        if (!value.success) continue;
        const phoneNumberId = value.data.metadata.phone_number_id;
        // Only shops that hold this number on this WABA: another shop's message is never touched.
        const owners = (await db.phoneNumber.findMany({ where: { phoneNumberId, shop: { in: shops } }, select: { shop: true } })).map((p) => p.shop);
        if (owners.length === 0) continue;
        for (const raw of value.data.statuses ?? []) {
          const status = StatusUpdate.safeParse(raw);
          if (status.success && (await recordStatus(db, owners, phoneNumberId, status.data, now))) summary.statuses++;
        }
        for (const message of value.data.messages ?? []) {
          if (!(await recordInbound(db, owners, phoneNumberId, message.id))) continue;
          summary.inbound++;
          await openCustomerWindow(db, owners, phoneNumberId, message, now);
        }
      } else if (change.field === "phone_number_quality_update") {
        const value = QualityValue.safeParse(change.value);
        if (!value.success) continue;
        const tier = messagingLimitTier(value.data.max_daily_conversations_per_business) ?? messagingLimitTier(value.data.current_limit);
        if (tier) await storeMessagingLimit(db, { shop: { in: shops } }, tier, at);
        const event: HealthEvent = { field: change.field, event: value.data.event, at: at.toISOString(), phoneNumber: value.data.display_phone_number ?? null, detail: tier };
        for (const shop of shops) await recordHealthEvent(db, shop, event);
        summary.healthEvents++;
      } else if (change.field === "business_capability_update") {
        const value = CapabilityValue.safeParse(change.value);
        const tier = value.success ? messagingLimitTier(value.data.max_daily_conversations_per_business) : null;
        if (!tier) continue;
        await storeMessagingLimit(db, { shop: { in: shops } }, tier, at);
        summary.healthEvents++;
      } else if (change.field === "account_update") {
        const value = AccountValue.safeParse(change.value);
        if (!value.success || PartnerValue.safeParse(change.value).success) continue;
        const event: HealthEvent = { field: change.field, event: value.data.event, at: at.toISOString(), phoneNumber: value.data.phone_number ?? null, detail: null };
        for (const shop of shops) await recordHealthEvent(db, shop, event);
        summary.healthEvents++;
      }
    }
  }
  return summary;
}

// Shops that uninstalled the app are left alone (issue 14): their data waits for shop/redact or a reinstall.
const shopsOf = async (db: Db, wabaId: string) =>
  installedShops(
    db,
    (await db.whatsAppConnection.findMany({ where: { wabaId, state: { not: "DISCONNECTED" } }, select: { shop: true } })).map((c) => c.shop),
  );

// The business customer took the app's access back: the token stops working, so the connection needs a reconnect.
const ACCESS_REMOVED: Record<string, string> = {
  PARTNER_APP_UNINSTALLED: "the app was uninstalled from the WhatsApp Business Account, or its permissions were taken back, in Meta Business Settings",
  PARTNER_REMOVED: "the WhatsApp Business Account is no longer shared with the app (Meta Business Settings › Accounts › WhatsApp accounts)",
};

/** A PARTNER_* account_update for a connected WABA: recorded, and a removed access turns the connection into NEEDS_RECONNECT. */
async function recordPartnerEvent(db: Db, value: z.infer<typeof PartnerValue>, at: Date, now: Date): Promise<boolean> {
  const { waba_id: wabaId, partner_app_id: appId } = value.waba_info;
  // Another app of the same partner business: not about this app's access.
  if (appId && env().META_APP_ID && appId !== env().META_APP_ID) return false;
  const shops = await shopsOf(db, wabaId);
  if (shops.length === 0) return false;
  await db.whatsAppConnection.updateMany({ where: { shop: { in: shops } }, data: { webhookSeenAt: now } });
  const cause = ACCESS_REMOVED[value.event];
  if (cause) {
    const reason = reconnectReason(cause);
    // Only while no check or connect after the event has judged the connection.
    const { count } = await db.whatsAppConnection.updateMany({
      where: { shop: { in: shops }, state: "CONNECTED", OR: [{ healthCheckedAt: null }, { healthCheckedAt: { lt: at } }] },
      data: { state: "NEEDS_RECONNECT", stateReason: reason, lastError: reason },
    });
    if (count) log.warn({ wabaId, event: value.event }, "whatsapp access removed in Meta: connection needs reconnect");
  }
  const event: HealthEvent = { field: "account_update", event: value.event, at: at.toISOString(), phoneNumber: null, detail: null };
  for (const shop of shops) await recordHealthEvent(db, shop, event);
  return true;
}

type StatusInput = z.infer<typeof StatusUpdate>;

function metaReason(status: StatusInput, kind: string): string | null {
  const e = status.errors?.[0];
  if (!e) return null;
  const step = kind === "PRODUCT" ? "delivering the product message" : "delivering the test message";
  const known = describeDeliveryFailure({ code: e.code, title: e.title ?? e.message, details: e.error_data?.details }, step);
  if (known) return known;
  const text = e.error_data?.details || e.message || e.title || "no reason given";
  return `${text}${e.code ? ` (Meta error ${e.code})` : ""}`;
}

// A status can beat the send's own write of the wamid by a few milliseconds.
const IN_FLIGHT_WAIT_MS = 3_000;
const IN_FLIGHT_WINDOW_MS = 30_000;

async function findMessage(db: Db, shops: string[], phoneNumberId: string, wamid: string) {
  const where = { wamid, shop: { in: shops }, phoneNumberId, direction: "OUT" };
  let row = await db.messageLog.findFirst({ where });
  const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
  while (!row && Date.now() < deadline) {
    const inFlight = await db.messageLog.count({
      where: { shop: { in: shops }, phoneNumberId, wamid: null, status: "PENDING", createdAt: { gt: new Date(Date.now() - IN_FLIGHT_WINDOW_MS) } },
    });
    if (inFlight === 0) return null;
    await new Promise((r) => setTimeout(r, 50));
    row = await db.messageLog.findFirst({ where });
  }
  return row;
}

/** Applies one status; compare-and-set on the status it read, so two concurrent deliveries cannot both win. */
async function recordStatus(db: Db, shops: string[], phoneNumberId: string, status: StatusInput, now: Date): Promise<boolean> {
  const reported = fromMeta(status.status);
  if (!reported) return false;
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await findMessage(db, shops, phoneNumberId, status.id);
    if (!row) return false;
    const update: TimelineEntry = { status: reported, at: isoFromSeconds(status.timestamp, now), ...(reported === "FAILED" ? { error: metaReason(status, row.kind) } : {}) };
    const next = applyStatus({ status: row.status as MessageStatus, timeline: readTimeline(row.timeline) }, update);
    if (!next) return false;
    const { count } = await db.messageLog.updateMany({
      where: { id: row.id, status: row.status, statusAt: row.statusAt },
      data: {
        status: next.status,
        statusAt: new Date(),
        timeline: next.timeline as unknown as Prisma.InputJsonValue,
        ...(next.error ? { error: next.error } : {}),
      },
    });
    if (count === 1) return true;
  }
  return false;
}

/** Inbound messages are only counted (one row each, no content, no sender); the wamid makes replays no-ops. */
async function recordInbound(db: Db, shops: string[], phoneNumberId: string, wamid: string): Promise<boolean> {
  try {
    await db.messageLog.create({ data: { shop: shops[0], phoneNumberId, to: "", wamid, status: "RECEIVED", direction: "IN" } });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return false;
    throw error;
  }
}

/**
 * A customer's message opens (or refreshes) the number's customer service window.
 * System messages (e.g. "user changed number") are Meta's, not the customer's.
 */
async function openCustomerWindow(db: Db, shops: string[], phoneNumberId: string, message: Record<string, unknown>, now: Date) {
  const parsed = InboundSender.safeParse(message);
  if (!parsed.success || parsed.data.type === "system") return;
  const sender = Sender.safeParse({ phone: parsed.data.from, userId: parsed.data.from_user_id });
  if (!sender.success) return;
  await recordCustomerMessage(db, shops, phoneNumberId, sender.data, new Date(isoFromSeconds(parsed.data.timestamp, now)), now);
}

/** Adds the event to the health snapshot (read-modify-write in a transaction; a replay is a no-op). */
async function recordHealthEvent(db: Db, shop: string, event: HealthEvent) {
  await db.$transaction(async (tx) => {
    const conn = await tx.whatsAppConnection.findUnique({ where: { shop }, select: { health: true, healthCheckedAt: true } });
    if (!conn) return;
    const snapshot = readSnapshot(conn.health) ?? emptySnapshot(conn.healthCheckedAt ?? new Date(0));
    const next = withEvent(snapshot, event);
    if (next === snapshot) return;
    await tx.whatsAppConnection.update({ where: { shop }, data: { health: next as unknown as Prisma.InputJsonValue } });
  });
}
