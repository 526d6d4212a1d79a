import { metaLoginSettings, type MetaLoginSettings } from "../meta/login-settings.server";
import { loadConnection } from "./connection.server";
import { readSnapshot } from "./health-snapshot";
import { healthVerdict, type HealthVerdict } from "./health-status";
import { messagingLimitText } from "./messaging-limit";
import { latestTestMessage, type TestMessageView } from "./test-message.server";

/**
 * Everything the WhatsApp page shows, as plain data. Built from columns
 * the page may see: never a ciphertext, token or PIN.
 */

export interface NumberView {
  phoneNumberId: string;
  displayPhoneNumber: string;
  verifiedName: string | null;
  qualityRating: string | null;
  status: string | null;
  nameStatus: string | null;
  registered: boolean;
  active: boolean;
}

export interface WhatsAppPageData {
  meta: MetaLoginSettings;
  connection: {
    state: string;
    wabaId: string;
    wabaName: string | null;
    businessId: string | null;
    scopes: string[];
    healthCheckedAt: string | null;
    webhookSeenAt: string | null;
    /** The business portfolio's messaging limit, in words; shared by all its numbers. */
    messagingLimit: string;
  } | null;
  verdict: HealthVerdict;
  numbers: NumberView[];
  lastTestMessage: TestMessageView | null;
}

export async function whatsAppPageData(shop: string): Promise<WhatsAppPageData> {
  const [row, lastTestMessage] = await Promise.all([loadConnection(shop), latestTestMessage(shop)]);
  const snapshot = row ? readSnapshot(row.health) : null;
  const numbers: NumberView[] = (row?.phoneNumbers ?? []).map((n) => ({
    phoneNumberId: n.phoneNumberId,
    displayPhoneNumber: n.displayPhoneNumber,
    verifiedName: n.verifiedName,
    qualityRating: n.qualityRating,
    status: n.status,
    nameStatus: n.nameStatus,
    registered: n.registered,
    active: n.active,
  }));
  const verdict = healthVerdict({
    state: row?.state ?? "DISCONNECTED",
    stateReason: row?.stateReason ?? null,
    lastError: row?.lastError ?? null,
    snapshot,
    numbers,
    webhookSeenAt: row?.webhookSeenAt ?? null,
    lastTestMessage: lastTestMessage
      ? { createdAt: new Date(lastTestMessage.createdAt), accepted: lastTestMessage.status !== "FAILED", status: lastTestMessage.status }
      : null,
    now: new Date(),
  });
  return {
    meta: metaLoginSettings(),
    connection: row
      ? {
          state: row.state,
          wabaId: row.wabaId,
          wabaName: snapshot?.wabaName ?? null,
          businessId: row.businessId,
          scopes: Array.isArray(row.scopes) ? row.scopes.filter((s): s is string => typeof s === "string") : [],
          healthCheckedAt: row.healthCheckedAt?.toISOString() ?? null,
          webhookSeenAt: row.webhookSeenAt?.toISOString() ?? null,
          messagingLimit: messagingLimitText(row.messagingLimit),
        }
      : null,
    verdict,
    numbers,
    lastTestMessage,
  };
}
