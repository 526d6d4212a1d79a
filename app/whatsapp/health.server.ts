import type { Db, Prisma } from "../db.server";
import { logger } from "../logger.server";
import { MetaGraphError, PermissionMissing, RateLimited, TokenInvalid, Transient, type MetaGraphClient, type PhoneNumberInfo, type TokenInfo } from "../meta/index.server";
import { openWhatsAppToken, reconnectReason, storeMessagingLimit } from "./connection.server";
import { WhatsAppStepFailed } from "./failures";
import { emptySnapshot, readSnapshot, withEvent, type HealthSnapshot, type NumberHealth } from "./health-snapshot";
import { describeMetaError } from "./meta-failure.server";
import { messagingLimitTier } from "./messaging-limit";
import { probe, probeTemplates, type AccessContext } from "./access.server";
import { describeLoss, grantFrom, grantFromColumns, isEmptyLoss, lostGrants } from "./scopes";

/**
 * The health check: token validity (debug_token), what the token can do
 * (it reads the account's numbers and templates: access.server.ts), every
 * number's status, quality and name status, and the business portfolio's
 * messaging limit. Permissions it lost since the connect are warnings. Each run
 * writes one snapshot with its start time, compare-and-set on
 * healthCheckedAt (and on the token it used), so a slow, stale check never
 * overwrites a newer one, nor judges a token that a reconnect replaced.
 * A token Meta no longer accepts, or one that can no longer read the
 * account, turns the connection into NEEDS_RECONNECT; Meta being unavailable only
 * records the error (reconnecting would not help).
 */

const log = logger.child({ module: "whatsapp-health" });

// debug_token reports why a token is invalid with the same subcodes as a 190.
const INVALID_REASONS: Record<number, string> = {
  458: "the app was removed from the Meta business account",
  460: "the password of the Meta account changed",
  463: "the access token expired",
  467: "the access token is no longer valid",
  492: "the Meta session is no longer valid",
};

function invalidReason(info: TokenInfo): string {
  const subcode = info.error?.subcode;
  return (subcode !== null && subcode !== undefined && INVALID_REASONS[subcode]) || "access was removed in Meta Business Settings";
}

export const numberHealth = (n: PhoneNumberInfo): NumberHealth => ({
  id: n.id,
  status: n.status,
  qualityRating: n.qualityRating,
  nameStatus: n.nameStatus,
});

/** The PhoneNumber columns a listing refreshes (never the PIN, registration or active flag). */
export const numberColumns = (n: PhoneNumberInfo) => ({
  displayPhoneNumber: n.displayPhoneNumber ?? n.id,
  verifiedName: n.verifiedName,
  qualityRating: n.qualityRating,
  status: n.status,
  nameStatus: n.nameStatus,
});

/** The portfolio's messaging limit as a listing reports it (every number of the portfolio reports the same). */
export const portfolioLimit = (numbers: PhoneNumberInfo[]) => numbers.map((n) => messagingLimitTier(n.messagingLimit)).find((t) => t !== null) ?? null;

export type HealthCheckResult = "checked" | "needs_reconnect" | "skipped" | "superseded";

export interface HealthDeps {
  db: Db;
  client: MetaGraphClient;
  now?: () => Date;
}

export async function checkHealth(deps: HealthDeps, shop: string): Promise<HealthCheckResult> {
  const { db } = deps;
  const conn = await db.whatsAppConnection.findUnique({ where: { shop } });
  if (!conn || conn.state !== "CONNECTED" || !conn.tokenCiphertext) return "skipped";
  const startedAt = (deps.now ?? (() => new Date()))();
  const ciphertext = conn.tokenCiphertext;
  const previous = readSnapshot(conn.health);
  const snapshot: HealthSnapshot = {
    ...emptySnapshot(startedAt),
    wabaName: previous?.wabaName ?? null,
    grantWarnings: previous?.grantWarnings ?? [],
    events: previous?.events ?? [],
  };
  let reconnect: string | null = null;
  let listed: PhoneNumberInfo[] | null = null;

  const stored = grantFromColumns(conn.scopes, conn.grantedTargets);
  let ctx: AccessContext = { grant: stored, previous: stored, subject: "This shop's Meta connection" };
  try {
    const token = openWhatsAppToken(shop, ciphertext);
    const info = await deps.client.debugToken(token);
    snapshot.token = { valid: info.isValid, scopes: info.scopes, expiresAt: info.expiresAt?.toISOString() ?? null, reason: null };
    if (!info.isValid) {
      reconnect = reconnectReason(invalidReason(info));
    } else {
      ctx = { ...ctx, grant: grantFrom(info.scopes, info.granularScopes) };
      // Lost since the connect but still working: a warning that names it.
      const loss = lostGrants(stored, ctx.grant);
      if (!isEmptyLoss(loss)) snapshot.grantWarnings = [...new Set([...snapshot.grantWarnings, describeLoss(loss, { subject: ctx.subject })])];
      listed = await probe("read the phone numbers", conn.wabaId, ctx, () => deps.client.listPhoneNumbers(token, conn.wabaId));
      await probeTemplates(deps.client, token, conn.wabaId, ctx);
      // The page names the account, never its raw id: a connect that could not read the name gets it here.
      // Only a name, so a failure here decides nothing (the steps above already judged the token).
      if (!snapshot.wabaName) snapshot.wabaName = await deps.client.getWaba(token, conn.wabaId).then((w) => w.name, () => null);
    }
  } catch (error) {
    // A probe Meta refused, or a token it no longer takes: the connection needs a reconnect.
    if (error instanceof WhatsAppStepFailed && (error.failure.code === "missing_permissions" || error.failure.code === "token_invalid")) reconnect = error.failure.message;
    // Anything else that stopped a step (Meta unavailable; a token the app cannot open, which is the app's
    // fault, not Meta's) needs attention, with what to do.
    else if (error instanceof WhatsAppStepFailed) {
      snapshot.checkError = error.failure.message;
      snapshot.metaUnavailable = error.failure.code === "meta_unavailable" || error.failure.code === "rate_limited";
    }
    else if (!(error instanceof MetaGraphError)) throw error;
    else if (error instanceof TokenInvalid) reconnect = reconnectReason(error.reason);
    else if (error instanceof PermissionMissing) reconnect = describeMetaError(error, "checking the account's health", "missing_permissions").message;
    else {
      snapshot.checkError = describeMetaError(error, "checking the account's health", "meta_unavailable").message;
      snapshot.metaUnavailable = error instanceof Transient || error instanceof RateLimited;
    }
  }
  // The last time Meta answered every step: shown as "last success" while Meta is not answering.
  snapshot.lastOkAt = !snapshot.checkError && !reconnect ? startedAt.toISOString() : (previous?.lastOkAt ?? null);
  if (reconnect) listed = null;
  if (reconnect) snapshot.token = { ...snapshot.token, valid: false, reason: reconnect };
  // Numbers that could not be read keep their last known values.
  snapshot.numbers = listed ? listed.map(numberHealth) : (previous?.numbers ?? []);

  const written = await db.$transaction(async (tx) => {
    // Webhook events that arrived while the check ran are kept.
    const current = await tx.whatsAppConnection.findUnique({ where: { shop }, select: { health: true } });
    for (const event of readSnapshot(current?.health)?.events ?? []) Object.assign(snapshot, withEvent(snapshot, event));
    const { count } = await tx.whatsAppConnection.updateMany({
      where: { shop, tokenCiphertext: ciphertext, OR: [{ healthCheckedAt: null }, { healthCheckedAt: { lt: startedAt } }] },
      data: {
        health: snapshot as unknown as Prisma.InputJsonValue,
        healthCheckedAt: startedAt,
        lastError: reconnect ?? snapshot.checkError,
        ...(reconnect ? { state: "NEEDS_RECONNECT", stateReason: reconnect } : {}),
      },
    });
    if (count === 0 || !listed) return count > 0;
    const limit = portfolioLimit(listed);
    if (limit) await storeMessagingLimit(tx, { shop }, limit, startedAt);
    await tx.phoneNumber.deleteMany({ where: { shop, phoneNumberId: { notIn: listed.map((n) => n.id) } } });
    for (const n of listed) {
      await tx.phoneNumber.upsert({
        where: { shop_phoneNumberId: { shop, phoneNumberId: n.id } },
        create: { shop, phoneNumberId: n.id, connectionId: conn.id, ...numberColumns(n) },
        update: numberColumns(n),
      });
    }
    return true;
  });
  if (!written) {
    log.debug({ shop }, "health check superseded by a newer one");
    return "superseded";
  }
  if (reconnect) log.warn({ shop }, "health check: connection needs reconnect");
  else log.debug({ shop, numbers: snapshot.numbers.length, checkError: Boolean(snapshot.checkError) }, "health checked");
  return reconnect ? "needs_reconnect" : "checked";
}

/** The page's refresh: only when the last snapshot is older than `ttlMs`. Never fails the page. */
export async function refreshHealthIfStale(deps: HealthDeps & { ttlMs: number }, shop: string) {
  const conn = await deps.db.whatsAppConnection.findUnique({ where: { shop }, select: { healthCheckedAt: true, state: true } });
  if (conn?.state !== "CONNECTED") return "skipped";
  if (conn.healthCheckedAt && Date.now() - conn.healthCheckedAt.getTime() < deps.ttlMs) return "fresh";
  try {
    return await checkHealth(deps, shop);
  } catch (error) {
    log.error({ shop, err: error }, "health refresh failed");
    return "failed";
  }
}
