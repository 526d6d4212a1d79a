/**
 * A WhatsApp step that did not work, in the merchant's words: what happened
 * and what to do. Returned to the page as data (never thrown to it), so it
 * must hold nothing secret.
 */

export type FailureCode =
  | "not_configured"
  | "code_invalid"
  | "token_invalid"
  | "token_unreadable"
  | "wrong_app"
  | "missing_permissions"
  | "no_waba"
  | "different_waba"
  | "subscribe_failed"
  | "not_connected"
  | "number_unknown"
  | "pin_mismatch"
  | "register_failed"
  | "no_active_number"
  | "number_not_registered"
  | "send_failed"
  | "meta_unavailable"
  | "rate_limited"
  | "invalid_input"
  // WhatsApp commerce (issue 18)
  | "catalog_not_connected"
  | "catalog_not_linked"
  | "catalog_link_taken"
  | "link_failed"
  | "commerce_settings_failed"
  | "window_closed"
  | "product_not_in_catalog";

export interface WhatsAppFailure {
  code: FailureCode;
  message: string;
  /** Extra facts the page can show (ids, names); never secrets. */
  details?: Record<string, string | string[] | null>;
}

export class WhatsAppStepFailed extends Error {
  constructor(readonly failure: WhatsAppFailure) {
    super(failure.message);
    this.name = "WhatsAppStepFailed";
  }
}

export function fail(code: FailureCode, message: string, details?: WhatsAppFailure["details"]): never {
  throw new WhatsAppStepFailed({ code, message, details });
}
