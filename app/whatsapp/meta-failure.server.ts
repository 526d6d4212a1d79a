import { explainGraphError } from "../meta/explain";
import { MetaGraphError, PermissionMissing, RateLimited, Rejected, TokenInvalid, Transient } from "../meta/index.server";
import { permissionName } from "./scopes";
import { WhatsAppStepFailed, type FailureCode, type WhatsAppFailure } from "./failures";

/**
 * Cloud API message errors the merchant can act on, by `code` and `details`
 * as Meta recommends (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).
 * They arrive either as the send's answer or later in a `failed` status webhook.
 */
const MESSAGE_ERRORS: { code: number; details?: RegExp; failure: FailureCode; text: string }[] = [
  {
    // "More than 24 hours have passed since the recipient last replied to the sender number."
    code: 131047,
    failure: "window_closed",
    text:
      "the customer last wrote to your WhatsApp number more than 24 hours ago, and outside that window WhatsApp only delivers approved templates. " +
      "Ask them to send any message to your number, then send again",
  },
  {
    // 131009 "Parameter value is not valid", details "Products not found in FB Catalog": an item the linked
    // catalog does not have, or a catalog that is not the one linked to the WhatsApp account.
    code: 131009,
    details: /products? not found/i,
    failure: "product_not_in_catalog",
    text:
      "WhatsApp could not find the product in the catalog linked to your WhatsApp account. Check that the catalog linked here is the one on the Catalog page " +
      "and that the product shows as Synced there; if you added it only just now, Meta may still be processing it, so try again later",
  },
  {
    // "Sender and recipient phone number is the same."
    code: 131021,
    failure: "send_failed",
    text: "the message went to the business number itself. Write from another phone (your own WhatsApp), then send again",
  },
];

function messageError(error: MetaGraphError) {
  return MESSAGE_ERRORS.find((e) => e.code === error.code && (!e.details || e.details.test(error.details ?? "")));
}

/**
 * A message's `failed` status from the messages webhook, in the merchant's
 * words when its code is one of the above (null otherwise: the caller keeps
 * Meta's own words). Same translation as a refused send.
 */
export function describeDeliveryFailure(error: { code?: number; title?: string; details?: string }, step: string): string | null {
  const graphError = new Rejected(error.title ?? "", {
    endpoint: "messages webhook",
    httpStatus: null,
    code: error.code ?? null,
    subcode: null,
    fbtraceId: null,
    details: error.details ?? null,
  });
  return messageError(graphError) ? describeMetaError(graphError, step, "send_failed").message : null;
}

/** Turns a Graph error from one WhatsApp step into the merchant's words (app/meta/explain.ts) and the next action. */
export function describeMetaError(error: MetaGraphError, step: string, fallbackCode: FailureCode): WhatsAppFailure {
  // Message errors the merchant can act on get their own advice; everything else the shared wording.
  const known = error instanceof Rejected ? messageError(error) : undefined;
  if (known) return { code: known.failure, message: `Meta refused ${step}: ${known.text}.` };
  const message = explainGraphError(error, { doing: step, access: "this shop's WhatsApp connection", reconnect: "Reconnect WhatsApp", permissionName });
  if (error instanceof TokenInvalid) return { code: "token_invalid", message };
  if (error instanceof PermissionMissing) return { code: "missing_permissions", message };
  if (error instanceof RateLimited) return { code: "rate_limited", message };
  if (error instanceof Transient) return { code: "meta_unavailable", message };
  return { code: fallbackCode, message };
}

/**
 * Runs one Graph step; a Graph error leaves as WhatsAppStepFailed in the
 * merchant's words (`label` says what the app was doing, e.g. "subscribing
 * the app to your WhatsApp account").
 */
export async function step<T>(label: string, fallbackCode: FailureCode, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MetaGraphError) throw new WhatsAppStepFailed(describeMetaError(error, label, fallbackCode));
    throw error;
  }
}
