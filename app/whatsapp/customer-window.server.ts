import { z } from "zod";
import type { Db } from "../db.server";
import { logger } from "../logger.server";
import type { Recipient } from "../meta/index.server";
import { VaultError } from "../vault/errors";
import { openSecret, sealSecret } from "../vault/secrets.server";

/**
 * The customer service window of each sending number (issue 18). Product
 * messages, like every message but a template, reach a customer only within
 * 24 hours of that customer's last message to the number (Meta's Send
 * messages guide, "customer service windows"; error 131047 otherwise).
 *
 * To offer "Send a product" to whoever just wrote (in practice the merchant's
 * own phone), the app keeps, per number, only the LAST customer who wrote and
 * when: the address sealed in the vault (purpose "whatsapp.customer"), plus
 * the last 4 digits so the page can say "•••0123". The row is deleted once
 * the window closes (on the next webhook, page view or worker round), never
 * logged, and goes with shop/redact and a WhatsApp disconnect. See README,
 * Decisions.
 */

export const WINDOW_MS = 24 * 60 * 60 * 1000;
const log = logger.child({ module: "whatsapp-window" });

/**
 * Who wrote: `from` is the sender's phone number (wa_id digits); `from_user_id`
 * their business-scoped user id, which users who adopt a username may come
 * with alone (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids:
 * a two-letter country code, a period, up to 128 alphanumeric characters;
 * parent BSUIDs add "ENT.").
 */
export const Sender = z
  .object({
    phone: z.string().regex(/^\d{6,15}$/).optional(),
    userId: z.string().regex(/^[A-Z]{2}(\.[A-Za-z0-9]{1,128}){1,2}$/).optional(),
  })
  .refine((s) => s.phone !== undefined || s.userId !== undefined);
export type Sender = z.infer<typeof Sender>;

/** What the page may show of the sender: the phone number's last 4 digits, or null for a username-only user. */
export const senderHint = (sender: Sender) => (sender.phone ? sender.phone.slice(-4) : "");

/**
 * Records that `sender` wrote to `phoneNumberId` at `at`, for each shop
 * holding the number. An older message (webhooks arrive out of order) never
 * replaces a newer one; one whose window has already closed changes nothing.
 */
export async function recordCustomerMessage(db: Db, shops: string[], phoneNumberId: string, sender: Sender, at: Date, now = new Date()) {
  const sent = new Date(Math.min(at.getTime(), now.getTime()));
  const closesAt = new Date(sent.getTime() + WINDOW_MS);
  if (closesAt <= now) return;
  for (const shop of shops) {
    const data = { senderCiphertext: sealSecret(shop, "whatsapp.customer", JSON.stringify(sender)), senderHint: senderHint(sender), lastInboundAt: sent, closesAt };
    const { count } = await db.customerWindow.updateMany({ where: { shop, phoneNumberId, lastInboundAt: { lte: sent } }, data });
    if (count > 0) continue;
    try {
      await db.customerWindow.create({ data: { shop, phoneNumberId, ...data } });
    } catch (error) {
      // A row exists: it is newer than this message (or a concurrent delivery just wrote it).
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
  }
  await purgeClosedWindows(db, now);
}

export interface OpenWindow {
  lastInboundAt: Date;
  closesAt: Date;
  /** The last 4 digits of the sender's phone number; "" for a sender known by username only. */
  senderHint: string;
}

/** The number's open window, if any. */
export async function openWindow(db: Db, shop: string, phoneNumberId: string, now = new Date()): Promise<(OpenWindow & { senderCiphertext: string }) | null> {
  return db.customerWindow.findFirst({
    where: { shop, phoneNumberId, closesAt: { gt: now } },
    select: { lastInboundAt: true, closesAt: true, senderHint: true, senderCiphertext: true },
  });
}

/** The address to send to: the phone number when known (Meta recommends it), else the business-scoped user id. */
export function windowRecipient(shop: string, senderCiphertext: string): Recipient | null {
  try {
    const sender = Sender.parse(JSON.parse(openSecret(shop, "whatsapp.customer", senderCiphertext).reveal()));
    return sender.phone ? { phone: `+${sender.phone}` } : { userId: sender.userId! };
  } catch (error) {
    if (!(error instanceof VaultError) && !(error instanceof SyntaxError) && !(error instanceof z.ZodError)) throw error;
    log.error({ shop, err: error instanceof VaultError ? error : undefined }, "the stored customer window cannot be opened");
    return null;
  }
}

/** Deletes every window that has closed: nothing of a customer stays once it cannot be used. */
export async function purgeClosedWindows(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.customerWindow.deleteMany({ where: { closesAt: { lte: now } } });
  return count;
}
