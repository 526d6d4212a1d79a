import { MetaGraphError, PermissionMissing, RateLimited, TokenInvalid, Transient } from "./errors";

/**
 * The one translation of a Graph failure into the merchant's words: what
 * happened while the app was doing something, and what to do next. The
 * WhatsApp steps, the catalog page's actions and the catalog worker's
 * connection state all word Meta's failures through it.
 */

export interface GraphErrorContext {
  /** What the app was doing, e.g. "sending the test message". */
  doing: string;
  /** Whose access Meta refused, e.g. "this shop's WhatsApp connection". */
  access: string;
  /** How the merchant restores it, e.g. "Reconnect WhatsApp". */
  reconnect: string;
  /** A permission as the merchant knows it (default: Meta's name). */
  permissionName?: (permission: string) => string;
}

export function explainGraphError(error: MetaGraphError, ctx: GraphErrorContext): string {
  if (error instanceof TokenInvalid) return `Meta no longer accepts ${ctx.access} (${error.reason}) while ${ctx.doing}. ${ctx.reconnect} to fix it.`;
  if (error instanceof PermissionMissing) {
    const permission = error.permission ? `“${ctx.permissionName?.(error.permission) ?? error.permission}”` : "a permission the app needs";
    const then = ctx.reconnect.charAt(0).toLowerCase() + ctx.reconnect.slice(1);
    return `Meta refused ${ctx.doing}: ${ctx.access} lacks ${permission}. An admin of the Meta business portfolio must grant it; then ${then}.`;
  }
  if (error instanceof RateLimited) {
    return `Meta is limiting requests right now (${ctx.doing}). Try again in about ${Math.max(1, Math.ceil(error.retryAfterMs / 60_000))} min.`;
  }
  if (error instanceof Transient) return `Meta did not answer while ${ctx.doing}. Nothing was changed; try again in a minute.`;
  // Rejected: Meta's own words help here (the client scrubs tokens from them).
  return `Meta refused ${ctx.doing}: ${error.userMessage ?? error.metaMessage}`;
}
