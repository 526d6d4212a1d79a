import { explainGraphError } from "../meta/explain";
import { MetaGraphError, PermissionMissing, RateLimited, TokenInvalid, Transient } from "../meta/index.server";
import { permissionName } from "./scopes";
import { WhatsAppStepFailed, type FailureCode, type WhatsAppFailure } from "./failures";

/** Turns a Graph error from one WhatsApp step into the merchant's words (app/meta/explain.ts) and the next action. */
export function describeMetaError(error: MetaGraphError, step: string, fallbackCode: FailureCode): WhatsAppFailure {
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
