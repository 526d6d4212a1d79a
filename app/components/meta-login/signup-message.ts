/**
 * Meta's WA_EMBEDDED_SIGNUP window messages, parsed. They come from a page
 * on an origin ending in facebook.com; anything else (other origins, other
 * message types, malformed JSON) is ignored by the caller. Pure, so it is
 * unit-tested without a browser.
 */

export type FinishEvent = "FINISH" | "FINISH_ONLY_WABA" | "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING";

export interface SignupFinish {
  kind: "finish";
  event: FinishEvent;
  wabaId: string | null;
  phoneNumberId: string | null;
  businessId: string | null;
}

export type SignupMessage =
  | SignupFinish
  | { kind: "cancel"; currentStep: string | null }
  | { kind: "error"; message: string; errorCode: string | null; sessionId: string | null };

/** https and a host that is facebook.com or one of its subdomains (not "evilfacebook.com"). */
export function isMetaOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === "https:" && (url.hostname === "facebook.com" || url.hostname.endsWith(".facebook.com"));
  } catch {
    return false;
  }
}

const FINISH: readonly string[] = ["FINISH", "FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null);

export function parseSignupMessage(raw: unknown): SignupMessage | null {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!isRecord(value) || value.type !== "WA_EMBEDDED_SIGNUP" || typeof value.event !== "string") return null;
  const data = isRecord(value.data) ? value.data : {};
  if (FINISH.includes(value.event)) {
    return {
      kind: "finish",
      event: value.event as FinishEvent,
      wabaId: text(data.waba_id),
      phoneNumberId: text(data.phone_number_id),
      businessId: text(data.business_id),
    };
  }
  if (value.event === "CANCEL" || value.event === "ERROR") {
    // A user-reported error arrives as CANCEL with error fields (older versions: error_id).
    const message = text(data.error_message);
    if (message) return { kind: "error", message, errorCode: text(data.error_code) ?? text(data.error_id), sessionId: text(data.session_id) };
    return { kind: "cancel", currentStep: text(data.current_step) };
  }
  return null;
}
