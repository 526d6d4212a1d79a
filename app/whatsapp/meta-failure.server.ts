import { explainGraphError } from "../meta/explain";
import { MetaGraphError, PermissionMissing, RateLimited, Rejected, TokenInvalid, Transient } from "../meta/index.server";
import { permissionName } from "./scopes";
import { WhatsAppStepFailed, type FailureCode, type WhatsAppFailure } from "./failures";

/**
 * Cloud API message errors the merchant can act on, by `code` (and `details` where one code means
 * several things), as Meta recommends: "build your app's error handling logic around code values and
 * details payload properties", not titles. Each is Meta's description and possible solution from
 * "WhatsApp error codes" (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes),
 * said as what happened and what to do. They arrive either as the send's answer or later in a `failed`
 * status webhook; one list for both. The single home of this advice: add a code here, nowhere else.
 */
interface MessageError {
  code: number;
  details?: RegExp;
  failure: FailureCode;
  /** What happened and what to do, after "Meta refused <step>: ". Meta's details (no secrets: the client scrubs them) may be quoted. */
  text: string | ((details: string | null) => string);
}

const APP_FAULT = "This is a fault in the app, not in your settings: try again, and contact the app's support if it keeps happening";

export const MESSAGE_ERRORS: MessageError[] = [
  {
    // 131000 "Something went wrong": "Message failed to send due to an unknown error." Try again; if it persists, open a support ticket.
    code: 131000,
    failure: "send_failed",
    text: "WhatsApp could not send it and Meta gave no reason. Nothing was sent; try again in a few minutes, and if it keeps failing, contact Meta's support from Meta Business Suite",
  },
  {
    // 131005 "Access denied": "Permission is either not granted or has been removed."
    code: 131005,
    failure: "missing_permissions",
    text: "this shop's WhatsApp connection is not allowed to send from this number. Click Reconnect and keep every permission Meta's window asks for, signed in as an admin of the Meta business portfolio",
  },
  {
    // 131008 "Required parameter is missing": "The request is missing a required parameter."
    code: 131008,
    failure: "send_failed",
    text: (details) => `the message the app built was incomplete${details ? ` (Meta says: ${details})` : ""}. ${APP_FAULT}`,
  },
  {
    // 131009 "Parameter value is not valid", details "Products not found in FB Catalog": an item the linked
    // catalog does not have, or a catalog that is not the one linked to the WhatsApp account.
    code: 131009,
    details: /products? not found/i,
    failure: "product_not_in_catalog",
    text:
      "WhatsApp could not find the product in the catalog linked to your WhatsApp account. Check that the catalog linked here is the one on the Catalog page " +
      "and that the product shows as Live there; if you added it only just now, Meta may still be processing it, so try again later",
  },
  {
    // 131016 "Service unavailable": "A service is temporarily unavailable." Check the status page before trying again.
    code: 131016,
    failure: "meta_unavailable",
    text: "WhatsApp's service is unavailable for a moment. Nothing was sent; try again in a few minutes",
  },
  {
    // 131021 "Recipient cannot be sender": "Sender and recipient phone number is the same."
    code: 131021,
    failure: "send_failed",
    text: "the message went to the business number itself. Write from another phone (your own WhatsApp), then send again",
  },
  {
    // 131026 "Message Undeliverable": not a WhatsApp number, the recipient has not accepted the latest terms of
    // service, or uses an old WhatsApp version. Ask them (not over WhatsApp) to confirm they can message your
    // number, accept the terms and update WhatsApp.
    code: 131026,
    failure: "send_failed",
    text:
      "WhatsApp could not deliver it to this number: it may not have WhatsApp, or the customer has not accepted WhatsApp's latest terms, or uses an old version of WhatsApp. " +
      "Ask them by another channel to update WhatsApp, accept its terms and send a message to your number, then send again",
  },
  {
    // 131031 "Business Account locked": the account is restricted or disabled for a policy violation, or data
    // Meta could not verify (e.g. a two-step PIN mismatch).
    code: 131031,
    failure: "send_failed",
    text: "Meta has locked your WhatsApp Business Account (a policy violation, or details Meta could not verify). Open Account quality in WhatsApp Manager and follow Meta's instructions there",
  },
  {
    // 131042 "Business eligibility payment issue": no payment method, a credit line over its limit, currency or
    // time zone not set, or a messaging-on-behalf-of request not approved.
    code: 131042,
    failure: "send_failed",
    text: "your WhatsApp Business Account has a payment problem (no valid payment method, a credit line over its limit, or no currency or time zone set). Fix the payment settings of the account in WhatsApp Manager, then send again",
  },
  {
    // 131045 "Incorrect certificate": "Message failed to send due to a phone number registration error." Register the number first.
    code: 131045,
    failure: "number_not_registered",
    text: "the sending number is not fully registered with WhatsApp. Click Register next to it under Phone numbers, then send again",
  },
  {
    // 131047 "Re-engagement message": "More than 24 hours have passed since the recipient last replied to the sender number."
    code: 131047,
    failure: "window_closed",
    text:
      "the customer last wrote to your WhatsApp number more than 24 hours ago, and outside that window WhatsApp only delivers approved templates. " +
      "Ask them to send any message to your number, then send again",
  },
  {
    // 131048 "Spam rate limit hit": too many earlier messages from this number were blocked or flagged as spam. Check quality in WhatsApp Manager.
    code: 131048,
    failure: "rate_limited",
    text: "WhatsApp is limiting how many messages this number may send, because customers blocked or reported earlier ones. Check the number's quality in WhatsApp Manager, send fewer and more relevant messages, and try again later",
  },
  {
    // 131049 "Meta chose not to deliver": "to maintain healthy ecosystem engagement" (a per-customer limit on marketing messages). Do not retry at once.
    code: 131049,
    failure: "send_failed",
    text: "WhatsApp held it back because this customer has recently received many marketing messages. Don't send it again right away; try again in a day or two",
  },
  {
    // 131050 "User stopped marketing messages": the recipient chose to stop receiving marketing messages from your business.
    code: 131050,
    failure: "send_failed",
    text: "this customer chose to stop receiving marketing messages from your business on WhatsApp. Don't send them marketing; when they write to you, you can still reply",
  },
  {
    // 131051 "Unsupported message type".
    code: 131051,
    failure: "send_failed",
    text: `WhatsApp does not support this kind of message. ${APP_FAULT}`,
  },
  {
    // 131053 "Media upload error": "Unable to upload the media used in the message."
    code: 131053,
    failure: "send_failed",
    text: "WhatsApp could not load the image or file in the message. Check that the product's image opens in a browser from a public https address and is a JPEG or PNG, then send again",
  },
  {
    // 131056 "(Business Account, Consumer Account) pair rate limit hit": too many messages from this number to
    // the same recipient in a short time. Wait, then retry; other recipients are not affected.
    code: 131056,
    failure: "rate_limited",
    text: "too many messages went to this customer in a short time. Wait a minute before sending them another; messages to other customers are not affected",
  },
  {
    // 130472 "User's number is part of an experiment": a marketing-message experiment holds it back.
    code: 130472,
    failure: "send_failed",
    text: "this customer's number is part of a WhatsApp experiment that holds back some marketing messages. Nothing is wrong on your side; reach them another way or later",
  },
  {
    // 132000 "Template Param Count Mismatch": the number of variables does not match the template's.
    code: 132000,
    failure: "send_failed",
    text: `the message template's variables did not match what the app sent. ${APP_FAULT}`,
  },
  {
    // 132001 "Template does not exist": not in that language, or not approved.
    code: 132001,
    failure: "send_failed",
    text: "the message template does not exist in that language on your WhatsApp Business Account, or is not approved. In WhatsApp Manager, check Message templates for Meta's “hello_world” in English (US), then send again",
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
  // Message errors the merchant can act on get their own advice (a throttle or an outage among them);
  // a token or permission Meta refuses, and everything else, the shared wording.
  const known = error instanceof TokenInvalid || error instanceof PermissionMissing ? undefined : messageError(error);
  if (known) return { code: known.failure, message: `Meta refused ${step}: ${typeof known.text === "string" ? known.text : known.text(error.details)}.` };
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
