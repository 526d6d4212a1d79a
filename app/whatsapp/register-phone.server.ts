import { randomInt } from "node:crypto";
import type { Db } from "../db.server";
import { logger } from "../logger.server";
import { MetaGraphError, Rejected, type MetaGraphClient } from "../meta/index.server";
import { SecretValue } from "../vault/secret-value";
import { openSecret, sealSecret } from "../vault/secrets.server";
import { withToken } from "./connection.server";
import { fail, WhatsAppStepFailed } from "./failures";
import { describeMetaError } from "./meta-failure.server";

/**
 * Registering a number for Cloud API and choosing the sending number.
 * Registration sets the number's two-step PIN to one the app generates;
 * the PIN is sealed in the vault before Meta sees it and reused on every
 * retry, so a registration that failed half-way never leaves the number
 * with a PIN nobody knows; a PIN the app does not know is replaced by its own.
 */

const log = logger.child({ module: "whatsapp" });
const PIN_MISMATCH = 133005;

/** The number's stored PIN, or a new one stored first (compare-and-set, so two clicks agree on one PIN). */
async function pinFor(db: Db, shop: string, phoneNumberId: string): Promise<SecretValue> {
  const row = await db.phoneNumber.findUnique({ where: { shop_phoneNumberId: { shop, phoneNumberId } }, select: { pinCiphertext: true } });
  if (!row) return fail("number_unknown", "This phone number is not part of the connected WhatsApp account. Refresh the page.");
  if (row.pinCiphertext) return openSecret(shop, "whatsapp.pin", row.pinCiphertext);
  const pin = new SecretValue(String(randomInt(0, 1_000_000)).padStart(6, "0"));
  const { count } = await db.phoneNumber.updateMany({
    where: { shop, phoneNumberId, pinCiphertext: null },
    data: { pinCiphertext: sealSecret(shop, "whatsapp.pin", pin) },
  });
  return count === 1 ? pin : pinFor(db, shop, phoneNumberId);
}

export interface Registered {
  /** The number as the merchant sees it (+1 555…). */
  number: string;
  /** The number had a PIN the app did not know, and the app replaced it with its own. */
  pinReplaced: boolean;
}

/** The number's display form, for every message about it. */
async function displayOf(db: Db, shop: string, phoneNumberId: string): Promise<string> {
  const row = await db.phoneNumber.findUnique({ where: { shop_phoneNumberId: { shop, phoneNumberId } }, select: { displayPhoneNumber: true } });
  if (!row) return fail("number_unknown", "This phone number is not part of the connected WhatsApp account. Refresh the page.");
  return row.displayPhoneNumber;
}

/**
 * Registers the number with the app's PIN. A number that already has another
 * two-step PIN (set in WhatsApp Manager, by another app, or by this app before a
 * disconnect deleted it) fails with 133005: the app then sets the number's PIN
 * to its own (POST /{phone-number-id}, which does not ask for the old one) and
 * registers again, so a reconnect never leaves the shop unable to send.
 */
export async function registerNumber(db: Db, client: MetaGraphClient, shop: string, phoneNumberId: string): Promise<Registered> {
  const number = await displayOf(db, shop, phoneNumberId);
  const pin = await pinFor(db, shop, phoneNumberId);
  const register = () => withToken(db, shop, (token) => client.registerPhoneNumber(token, phoneNumberId, pin));
  let pinReplaced = false;
  try {
    try {
      await register();
    } catch (error) {
      if (!(error instanceof MetaGraphError) || error.code !== PIN_MISMATCH) throw error;
      await replacePin(db, client, shop, phoneNumberId, number, pin);
      pinReplaced = true;
      await register();
    }
  } catch (error) {
    if (!(error instanceof MetaGraphError)) throw error;
    const failure =
      error.code === PIN_MISMATCH
        ? {
            code: "pin_mismatch" as const,
            message:
              `${number} still refuses the app's two-step verification PIN. In WhatsApp Manager, open ${number}, ` +
              "turn off two-step verification, then click Register again: the app then sets its own PIN.",
          }
        : describeMetaError(error, `registering ${number} for Cloud API`, "register_failed");
    await db.phoneNumber.updateMany({ where: { shop, phoneNumberId }, data: { registered: false } });
    log.warn({ shop, phoneNumberId, metaCode: error.code, kind: error.kind }, "phone number registration failed");
    throw new WhatsAppStepFailed(failure);
  }
  await db.phoneNumber.updateMany({ where: { shop, phoneNumberId }, data: { registered: true } });
  log.info({ shop, phoneNumberId, pinReplaced }, "phone number registered for Cloud API");
  return { number, pinReplaced };
}

/** Sets the number's two-step PIN to the app's (the stored one); a refusal is explained with the number's name. */
async function replacePin(db: Db, client: MetaGraphClient, shop: string, phoneNumberId: string, number: string, pin: SecretValue) {
  try {
    await withToken(db, shop, (token) => client.setTwoStepPin(token, phoneNumberId, pin));
    log.info({ shop, phoneNumberId }, "two-step PIN unknown to the app: replaced with the app's own");
  } catch (error) {
    if (!(error instanceof MetaGraphError)) throw error;
    log.warn({ shop, phoneNumberId, metaCode: error.code, kind: error.kind }, "could not replace the number's two-step PIN");
    await db.phoneNumber.updateMany({ where: { shop, phoneNumberId }, data: { registered: false } });
    if (error instanceof Rejected) {
      fail(
        "pin_mismatch",
        `${number} has a two-step verification PIN the app does not know, and Meta did not let the app replace it. ` +
          `In WhatsApp Manager, open ${number}, turn off two-step verification, then click Register again: the app then sets its own PIN.`,
      );
    }
    throw new WhatsAppStepFailed(describeMetaError(error, `setting ${number}'s two-step verification PIN`, "register_failed"));
  }
}

/** Makes a number the one test messages are sent from, registering it first when needed. */
export async function chooseSendingNumber(db: Db, client: MetaGraphClient, shop: string, phoneNumberId: string): Promise<Registered> {
  const number = await db.phoneNumber.findUnique({ where: { shop_phoneNumberId: { shop, phoneNumberId } } });
  if (!number) return fail("number_unknown", "This phone number is not part of the connected WhatsApp account. Refresh the page.");
  const registered = number.registered ? { number: number.displayPhoneNumber, pinReplaced: false } : await registerNumber(db, client, shop, phoneNumberId);
  await db.$transaction([
    db.phoneNumber.updateMany({ where: { shop, active: true, NOT: { phoneNumberId } }, data: { active: false } }),
    db.phoneNumber.updateMany({ where: { shop, phoneNumberId }, data: { active: true } }),
  ]);
  return registered;
}
