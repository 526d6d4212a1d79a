import { z } from "zod";
import type { Db } from "../db.server";
import { logger } from "../logger.server";
import type { MetaGraphClient } from "../meta/index.server";
import { withToken } from "./connection.server";
import { fail, type WhatsAppFailure } from "./failures";
import { recordAccepted, recordFailed, sendFailure } from "./message-log.server";
import { readTimeline, type MessageStatus, type TimelineEntry } from "./message-status";

/**
 * "Send test message": the approved hello_world template (en_US) by
 * default, from the active number to a number the merchant types. The
 * message is logged before Meta sees it, so its status webhooks always
 * find it; the page then follows sent -> delivered -> read (or failed).
 */

const log = logger.child({ module: "whatsapp-test-message" });

/** E.164: "+", country code, up to 15 digits in all. Spaces, dashes, dots and brackets are tolerated. */
export const E164 = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s().-]/g, ""))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, { message: "Enter the number in international format, e.g. +14155550123" }));

export const DEFAULT_TEMPLATE = { name: "hello_world", languageCode: "en_US" } as const;

export interface TestMessageView {
  id: string;
  to: string;
  template: string | null;
  status: MessageStatus;
  timeline: TimelineEntry[];
  error: string | null;
  createdAt: string;
}

export type SendOutcome = { ok: true; message: TestMessageView } | { ok: false; failure: WhatsAppFailure; message?: TestMessageView };

type LogRow = Awaited<ReturnType<Db["messageLog"]["findFirstOrThrow"]>>;

export function messageView(row: LogRow): TestMessageView {
  return {
    id: row.id,
    to: row.to,
    template: row.template,
    status: row.status as MessageStatus,
    timeline: readTimeline(row.timeline),
    error: row.error,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function sendTestMessage(
  db: Db,
  client: MetaGraphClient,
  shop: string,
  input: { to: string; template?: { name: string; languageCode: string } },
): Promise<SendOutcome> {
  const template = input.template ?? DEFAULT_TEMPLATE;
  let row: LogRow | null = null;
  try {
    const connection = await db.whatsAppConnection.findUnique({ where: { shop }, select: { state: true } });
    if (connection?.state === "NEEDS_RECONNECT") fail("not_connected", "Reconnect WhatsApp before sending: Meta no longer accepts the current connection.");
    if (connection?.state !== "CONNECTED") fail("not_connected", "Connect WhatsApp before sending a test message.");
    const number = await db.phoneNumber.findFirst({ where: { shop, active: true } });
    if (!number) fail("no_active_number", "Choose the number to send from first (Phone numbers › Use for sending).");
    if (!number.registered) fail("number_not_registered", `Register ${number.displayPhoneNumber} for Cloud API first (Phone numbers › Register).`);

    row = await db.messageLog.create({
      data: { shop, phoneNumberId: number.phoneNumberId, to: input.to, template: template.name, status: "PENDING", timeline: [] },
    });
    const sent = await withToken(db, shop, (token) => client.sendTemplateMessage(token, number.phoneNumberId, input.to, template));
    const accepted = await recordAccepted(db, row.id, sent.wamid);
    log.info({ shop, messageId: row.id, phoneNumberId: number.phoneNumberId }, "test message accepted by Meta");
    return { ok: true, message: messageView(accepted) };
  } catch (error) {
    const failure = sendFailure(error, "sending the test message");
    if (!row) return { ok: false, failure };
    const failed = await recordFailed(db, row.id, failure);
    log.warn({ shop, messageId: row.id, failure: failure.code }, "test message refused");
    return { ok: false, failure, message: messageView(failed) };
  }
}

export async function latestTestMessage(db: Db, shop: string): Promise<TestMessageView | null> {
  const row = await db.messageLog.findFirst({ where: { shop, direction: "OUT", kind: "TEST" }, orderBy: { createdAt: "desc" } });
  return row && messageView(row);
}
