import { randomInt } from "node:crypto";
import type { Db } from "../db.server";
import { logger } from "../logger.server";
import { MetaGraphError, type MetaGraphClient } from "../meta/index.server";
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
 * with a PIN nobody knows.
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

export async function registerNumber(db: Db, client: MetaGraphClient, shop: string, phoneNumberId: string): Promise<void> {
  const pin = await pinFor(db, shop, phoneNumberId);
  try {
    await withToken(db, shop, (token) => client.registerPhoneNumber(token, phoneNumberId, pin));
  } catch (error) {
    if (!(error instanceof MetaGraphError)) throw error;
    const failure =
      error.code === PIN_MISMATCH
        ? {
            code: "pin_mismatch" as const,
            message:
              "This number already has a two-step verification PIN that the app does not know. In WhatsApp Manager, turn off two-step verification for the number, then click Register again.",
          }
        : describeMetaError(error, "registering the number for Cloud API", "register_failed");
    await db.phoneNumber.updateMany({ where: { shop, phoneNumberId }, data: { registered: false } });
    log.warn({ shop, phoneNumberId, metaCode: error.code, kind: error.kind }, "phone number registration failed");
    throw new WhatsAppStepFailed(failure);
  }
  await db.phoneNumber.updateMany({ where: { shop, phoneNumberId }, data: { registered: true } });
  log.info({ shop, phoneNumberId }, "phone number registered for Cloud API");
}

/** Makes a number the one test messages are sent from, registering it first when needed. */
export async function chooseSendingNumber(db: Db, client: MetaGraphClient, shop: string, phoneNumberId: string): Promise<void> {
  const number = await db.phoneNumber.findUnique({ where: { shop_phoneNumberId: { shop, phoneNumberId } } });
  if (!number) return fail("number_unknown", "This phone number is not part of the connected WhatsApp account. Refresh the page.");
  if (!number.registered) await registerNumber(db, client, shop, phoneNumberId);
  await db.$transaction([
    db.phoneNumber.updateMany({ where: { shop, active: true, NOT: { phoneNumberId } }, data: { active: false } }),
    db.phoneNumber.updateMany({ where: { shop, phoneNumberId }, data: { active: true } }),
  ]);
}
