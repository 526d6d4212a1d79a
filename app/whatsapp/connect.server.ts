import type { Db, Prisma } from "../db.server";
import { probeTemplates } from "./access.server";
import { logger } from "../logger.server";
import type { MetaGraphClient, SecretLike } from "../meta/index.server";
import { sealSecret } from "../vault/secrets.server";
import { loadConnection, recordLastError } from "./connection.server";
import { discoverAccount, type Discovery } from "./discover.server";
import { exchangeSignupCode } from "./exchange-code.server";
import { WhatsAppStepFailed, type WhatsAppFailure } from "./failures";
import { emptySnapshot, readSnapshot, type HealthSnapshot } from "./health-snapshot";
import { numberColumns, numberHealth, portfolioLimit } from "./health.server";
import { step } from "./meta-failure.server";
import { checkReconnect } from "./reconnect.server";
import { registerNumber } from "./register-phone.server";
import { grantFrom, grantFromColumns, type Grant } from "./scopes";
import type { SignupEvent } from "./signup-event";

/**
 * Connect and reconnect, end to end: exchange the code at once, inspect the
 * token, discover the account, check the reconnect rules, make sure the token
 * can read the account's numbers and templates, subscribe the app
 * to the WABA's webhooks, and only then store everything (token sealed by
 * the vault) and show CONNECTED. Any failed step returns the merchant's
 * message and leaves the stored connection as it was: never half-connected
 * and shown as healthy.
 */

const log = logger.child({ module: "whatsapp-connect" });

export interface ConnectRequest {
  code: string;
  /** "dialog": the code came from the OAuth dialog fallback (exchanged with its redirect_uri). */
  via: "sdk" | "dialog";
  signup: SignupEvent | null;
  /** The merchant confirmed moving the shop to a different WhatsApp Business Account. */
  allowSwitch: boolean;
}

export type ConnectOutcome =
  | { ok: true; kind: "connected" | "reconnected" | "switched"; wabaId: string; warnings: string[] }
  | { ok: false; failure: WhatsAppFailure };

export async function connectWhatsApp(db: Db, client: MetaGraphClient, shop: string, request: ConnectRequest): Promise<ConnectOutcome> {
  const startedAt = new Date();
  const existing = await loadConnection(db, shop);
  const previous =
    existing && existing.state !== "DISCONNECTED" && existing.tokenCiphertext
      ? { wabaId: existing.wabaId, wabaName: readSnapshot(existing.health)?.wabaName ?? null, grant: grantFromColumns(existing.scopes, existing.grantedTargets) }
      : null;
  try {
    const { token, info } = await exchangeSignupCode(client, request.code, request.via);
    const grant = grantFrom(info.scopes, info.granularScopes);
    const found = await discoverAccount(client, token, grant, { event: request.signup, currentWabaId: previous?.wabaId ?? null, previousGrant: previous?.grant ?? null });
    const verdict = checkReconnect(previous, { wabaId: found.wabaId, wabaName: found.wabaName, grant }, request.allowSwitch);
    // What the token can do decides, not the names of its permissions (it read the numbers in discovery).
    const sameAccount = previous && previous.wabaId === found.wabaId ? previous.grant : null;
    await probeTemplates(client, token, found.wabaId, { grant, previous: sameAccount, subject: previous ? "The new Meta connection" : "Meta's connection" });
    // Before any callback override, and so status webhooks reach the app at all.
    await step("subscribing the app to your WhatsApp account's webhooks", "subscribe_failed", () => client.subscribeApp(token, found.wabaId));
    const warnings = [...verdict.warnings];
    await store(db, shop, { token, grant, found, warnings, switched: verdict.switched, signup: request.signup, checkedAt: startedAt, expiresAt: info.expiresAt });
    const kind = !previous ? "connected" : verdict.switched ? "switched" : "reconnected";
    log.info({ shop, kind, wabaId: found.wabaId, numbers: found.numbers.length, source: found.source }, "whatsapp connected");

    const registration = await registerChosenNumber(db, client, shop, found, request.signup);
    if (registration) warnings.push(registration);
    return { ok: true, kind, wabaId: found.wabaId, warnings };
  } catch (error) {
    if (!(error instanceof WhatsAppStepFailed)) throw error;
    log.warn({ shop, failure: error.failure.code, reconnect: Boolean(previous) }, "whatsapp connect failed");
    if (existing) await recordLastError(db, shop, error.failure.message, { alsoReasonIfNeedsReconnect: error.failure.code === "missing_permissions" });
    return { ok: false, failure: error.failure };
  }
}

interface StoreInput {
  token: SecretLike;
  grant: Grant;
  found: Discovery;
  warnings: string[];
  switched: boolean;
  signup: SignupEvent | null;
  checkedAt: Date;
  expiresAt: Date | null;
}

/** One transaction: the connection (new token sealed), its numbers, the first health snapshot. */
async function store(db: Db, shop: string, input: StoreInput) {
  const { found, grant } = input;
  const limit = portfolioLimit(found.numbers);
  const health: HealthSnapshot = {
    ...emptySnapshot(input.checkedAt),
    token: { valid: true, scopes: grant.scopes, expiresAt: input.expiresAt?.toISOString() ?? null, reason: null },
    wabaName: found.wabaName,
    numbers: found.numbers.map(numberHealth),
    grantWarnings: input.warnings,
    // The connect read everything from Meta: the first "last success".
    lastOkAt: input.checkedAt.toISOString(),
  };
  const fields = {
    wabaId: found.wabaId,
    businessId: found.businessId,
    tokenCiphertext: sealSecret(shop, "whatsapp.token", input.token.reveal()),
    scopes: grant.scopes,
    grantedTargets: grant.targets,
    state: "CONNECTED",
    stateReason: null,
    lastError: null,
    health: health as unknown as Prisma.InputJsonValue,
    // The connect's own start time: a health check begun before it can no longer write.
    healthCheckedAt: input.checkedAt,
    ...(limit ? { messagingLimit: limit, messagingLimitAt: input.checkedAt } : {}),
  };
  // Business app onboarding (coexistence): the number already works with Cloud API and must not be registered.
  const coexisting = input.signup?.event === "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING" ? found.chosenNumberId : null;
  await db.$transaction(async (tx) => {
    const connection = await tx.whatsAppConnection.upsert({ where: { shop }, create: { shop, ...fields }, update: fields });
    const ids = found.numbers.map((n) => n.id);
    await tx.phoneNumber.deleteMany({ where: input.switched ? { shop } : { shop, phoneNumberId: { notIn: ids } } });
    for (const n of found.numbers) {
      await tx.phoneNumber.upsert({
        where: { shop_phoneNumberId: { shop, phoneNumberId: n.id } },
        create: { shop, phoneNumberId: n.id, connectionId: connection.id, ...numberColumns(n), registered: n.id === coexisting },
        update: { connectionId: connection.id, ...numberColumns(n), ...(n.id === coexisting ? { registered: true } : {}) },
      });
    }
    const active = await tx.phoneNumber.findFirst({ where: { shop, active: true } });
    const pick = active ? null : (found.chosenNumberId ?? (ids.length === 1 ? ids[0] : null));
    if (pick) await tx.phoneNumber.updateMany({ where: { shop, phoneNumberId: pick }, data: { active: true } });
  });
}

/** Registers the number picked in Meta's window; a failure is a warning on a working connection. */
async function registerChosenNumber(db: Db, client: MetaGraphClient, shop: string, found: Discovery, signup: SignupEvent | null): Promise<string | null> {
  if (!found.chosenNumberId || signup?.event === "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING") return null;
  const row = await db.phoneNumber.findUnique({ where: { shop_phoneNumberId: { shop, phoneNumberId: found.chosenNumberId } } });
  if (!row || row.registered) return null;
  try {
    await registerNumber(db, client, shop, found.chosenNumberId);
    return null;
  } catch (error) {
    if (!(error instanceof WhatsAppStepFailed)) throw error;
    await recordLastError(db, shop, error.failure.message);
    return error.failure.message;
  }
}
