import { MetaGraphError, PermissionMissing, Rejected, type MetaGraphClient, type SecretLike } from "../meta/index.server";
import { fail, WhatsAppStepFailed } from "./failures";
import { describeMetaError } from "./meta-failure.server";
import { describeLoss, isEmptyLoss, lostGrants, reaches, WHO_GRANTS, type Grant } from "./scopes";

/**
 * Whether a token can do the app's job for a WhatsApp Business Account is
 * decided by asking Meta, not by reading permission names: Meta renamed them
 * in June 2026 (whatsapp_business_manage_events where
 * whatsapp_business_management used to be) and an app that required the old
 * name refused every new connection (chatwoot/chatwoot#14690). Chatwoot's fix
 * relies on reading the account's phone numbers (#14697); the app reads the
 * phone numbers and the message templates it sends with. The names a token
 * lists only explain a refusal: what it lost compared with the last connection.
 */

export interface AccessContext {
  /** What debug_token lists for the token being probed. */
  grant: Grant;
  /** The grant of the connection this token replaces or was stored with; null on a first connect. */
  previous: Grant | null;
  /** How the message names the token: "Meta's connection", "The new Meta connection"... */
  subject: string;
}

/**
 * Meta's answers to a token that cannot use the object: a permission error
 * (#10, #200-299), or "(#100) ... does not exist, cannot be loaded due to
 * missing permissions" (subcode 33).
 */
export function cannotReach(error: unknown): boolean {
  return error instanceof PermissionMissing || (error instanceof Rejected && error.code === 100 && error.subcode === 33);
}

/** The merchant's words for a refused probe: what the app could not do, what the token lost, who can fix it. */
export function refusal(what: string, wabaId: string, ctx: AccessContext): string {
  const head = `${ctx.subject} cannot ${what} of WhatsApp Business Account ${wabaId}: Meta refused.`;
  const loss = ctx.previous ? lostGrants(ctx.previous, ctx.grant) : null;
  if (loss && !isEmptyLoss(loss)) return `${head} ${describeLoss(loss, { subject: "Compared with the last connection, it" })}`;
  const names = reaches(ctx.grant, wabaId) ? "" : " Meta lists no WhatsApp permission for that account on it.";
  return `${head}${names} ${WHO_GRANTS}`;
}

/** Runs one probe; a refusal becomes "missing_permissions" in the merchant's words, other Graph errors the step's. */
export async function probe<T>(what: string, wabaId: string, ctx: AccessContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof MetaGraphError)) throw error;
    if (cannotReach(error)) fail("missing_permissions", refusal(what, wabaId, ctx), { wabaId });
    throw new WhatsAppStepFailed(describeMetaError(error, `trying to ${what}`, "meta_unavailable"));
  }
}

/** The second probe (discovery reads the phone numbers): the templates messages are sent with. */
export function probeTemplates(client: MetaGraphClient, token: SecretLike, wabaId: string, ctx: AccessContext) {
  return probe("read the message templates", wabaId, ctx, () => client.listMessageTemplates(token, wabaId, { limit: 1 }));
}
