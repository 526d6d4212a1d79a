import { MetaGraphError, PermissionMissing, RateLimited, TokenInvalid, Transient } from "../meta/index.server";
import { permissionName } from "./scopes";
import { WhatsAppStepFailed, type FailureCode, type WhatsAppFailure } from "./failures";

/** Turns a Graph error from one WhatsApp step into the merchant's words and the next action. */
export function describeMetaError(error: MetaGraphError, step: string, fallbackCode: FailureCode): WhatsAppFailure {
  if (error instanceof TokenInvalid) {
    return {
      code: "token_invalid",
      message: `Meta no longer accepts this shop's WhatsApp connection (${error.reason}) while ${step}. Reconnect WhatsApp to fix it.`,
    };
  }
  if (error instanceof PermissionMissing) {
    const permission = error.permission ? `“${permissionName(error.permission)}”` : "a permission the app needs";
    return {
      code: "missing_permissions",
      message: `Meta refused ${step}: the connection lacks ${permission}. An admin of the Meta business portfolio must reconnect and grant it.`,
    };
  }
  if (error instanceof RateLimited) {
    return {
      code: "rate_limited",
      message: `Meta is limiting requests right now (${step}). Try again in about ${Math.max(1, Math.ceil(error.retryAfterMs / 60_000))} min.`,
    };
  }
  if (error instanceof Transient) {
    return { code: "meta_unavailable", message: `Meta did not answer while ${step}. Nothing was changed; try again in a minute.` };
  }
  // Rejected: Meta's own words help here (they are scrubbed of tokens by the client).
  const said = error.userMessage ?? error.metaMessage;
  return { code: fallbackCode, message: `Meta refused ${step}: ${said}` };
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
