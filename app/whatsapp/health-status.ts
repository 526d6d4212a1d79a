import type { HealthSnapshot } from "./health-snapshot";

/**
 * The page's at-a-glance verdict: Connected / Needs attention / Needs
 * reconnect, each problem in the merchant's words with the action to take.
 * Pure, computed on the server from stored data (no Graph call).
 */

export type HealthLevel = "connected" | "attention" | "reconnect" | "disconnected";

export interface HealthIssue {
  message: string;
  action: string;
}

export interface HealthVerdict {
  level: HealthLevel;
  issues: HealthIssue[];
  /**
   * Meta did not answer the last check (an outage, not the merchant's to fix): the page says so with the
   * time of the last check that worked, and keeps Reconnect for a token Meta really refuses.
   */
  outage: { lastOkAt: string | null } | null;
}

/** What the page says during a Meta outage (issue 16). */
export const OUTAGE_MESSAGE = "Meta is not answering; the app retries by itself, nothing is lost.";

export interface NumberFacts {
  phoneNumberId: string;
  displayPhoneNumber: string;
  qualityRating: string | null;
  status: string | null;
  nameStatus: string | null;
  registered: boolean;
  active: boolean;
}

export interface HealthFacts {
  state: string;
  stateReason: string | null;
  lastError: string | null;
  snapshot: HealthSnapshot | null;
  numbers: NumberFacts[];
  webhookSeenAt: Date | null;
  /** The last test message Meta accepted, to notice silent webhooks. */
  lastTestMessage: { createdAt: Date; accepted: boolean; status: string } | null;
  now: Date;
}

const RISKY_STATUS: Record<string, string> = {
  BANNED: "is banned by Meta and cannot send",
  RESTRICTED: "is restricted by Meta: it can only reply to customers",
  RATE_LIMITED: "is rate limited by Meta",
  FLAGGED: "is flagged for low quality: Meta may lower your business portfolio's messaging limit",
  DISCONNECTED: "is disconnected from the Cloud API",
  DELETED: "was deleted from the WhatsApp account",
  PENDING: "is still being set up by Meta",
};

const NAME_PROBLEMS: Record<string, string> = {
  DECLINED: "Meta declined the number's display name",
  EXPIRED: "the number's display name approval expired",
  PENDING_REVIEW: "Meta is still reviewing the number's display name",
};

const ACCOUNT_EVENTS: Record<string, string> = {
  DISABLED_UPDATE: "Meta disabled the WhatsApp Business Account",
  ACCOUNT_VIOLATION: "Meta reported a policy violation on the WhatsApp Business Account",
  ACCOUNT_RESTRICTION: "Meta restricted the WhatsApp Business Account",
  ACCOUNT_DELETED: "the WhatsApp Business Account was deleted",
  BANNED: "Meta banned the WhatsApp Business Account",
  PARTNER_REMOVED: "the WhatsApp Business Account is no longer shared with the app",
  PARTNER_APP_UNINSTALLED: "the app was uninstalled from the WhatsApp Business Account in Meta",
};

// Messaging limits belong to the business portfolio since October 2025, not to a number.
const QUALITY_EVENTS: Record<string, string> = {
  FLAGGED: "Meta flagged the number for low quality",
  DOWNGRADE: "Meta lowered your business portfolio's messaging limit (it is shared by all your numbers)",
};

const WEBHOOK_SILENCE_MS = 2 * 60_000;

export function healthVerdict(f: HealthFacts): HealthVerdict {
  if (f.state === "DISCONNECTED") return { level: "disconnected", issues: [], outage: null };
  if (f.state === "NEEDS_RECONNECT") {
    return {
      level: "reconnect",
      issues: [{ message: f.stateReason ?? "Meta no longer accepts this shop's WhatsApp connection.", action: "Click Reconnect and complete Meta's window, signed in as an admin of the Meta business portfolio." }],
      outage: null,
    };
  }
  const issues: HealthIssue[] = [];
  const s = f.snapshot;
  const outage = s?.checkError && s.metaUnavailable ? { lastOkAt: s.lastOkAt } : null;
  // An outage is said once, in the outage's words (the page adds the time of the last success); other failed checks as they are.
  if (s?.checkError && !outage) issues.push({ message: s.checkError, action: "Click Refresh in a minute. The figures below are from the last successful check." });
  if (f.numbers.length === 0) {
    issues.push({ message: "The WhatsApp Business Account has no phone number yet.", action: "Add a number in WhatsApp Manager, then click Refresh." });
  }
  const active = f.numbers.find((n) => n.active);
  if (f.numbers.length > 0 && !active) issues.push({ message: "No number is chosen to send from.", action: "Choose one under Phone numbers (Use for sending)." });
  if (active && !active.registered) {
    issues.push({ message: `${active.displayPhoneNumber} is not registered for Cloud API, so it cannot send.`, action: "Click Register next to it." });
  }
  for (const n of f.numbers) {
    const status = n.status?.toUpperCase() ?? "";
    if (RISKY_STATUS[status]) issues.push({ message: `${n.displayPhoneNumber} ${RISKY_STATUS[status]}.`, action: "Check the number in WhatsApp Manager." });
    const quality = n.qualityRating?.toUpperCase();
    if (quality === "RED" || quality === "YELLOW") {
      issues.push({
        message: `${n.displayPhoneNumber} has ${quality === "RED" ? "low" : "medium"} quality: customers are blocking or reporting its messages.`,
        action: "Send fewer, more relevant messages; Meta may lower your business portfolio's messaging limit otherwise.",
      });
    }
    const name = NAME_PROBLEMS[n.nameStatus?.toUpperCase() ?? ""];
    if (name && n.active) issues.push({ message: `${name} (${n.displayPhoneNumber}).`, action: "Check the display name in WhatsApp Manager." });
  }
  for (const warning of s?.grantWarnings ?? []) issues.push({ message: warning, action: "Reconnect with the missing permission when you can." });
  const checkedAt = s ? Date.parse(s.checkedAt) : 0;
  for (const e of s?.events ?? []) {
    if (Date.parse(e.at) <= checkedAt) continue; // the check after it already shows its effect
    const text = e.field === "account_update" ? ACCOUNT_EVENTS[e.event] : QUALITY_EVENTS[e.event];
    if (text) issues.push({ message: `${text}${e.phoneNumber ? ` (${e.phoneNumber})` : ""}.`, action: "Check the account in WhatsApp Manager; then click Refresh." });
  }
  const m = f.lastTestMessage;
  if (m?.accepted && m.status === "PENDING" && f.now.getTime() - m.createdAt.getTime() > WEBHOOK_SILENCE_MS && (!f.webhookSeenAt || f.webhookSeenAt < m.createdAt)) {
    issues.push({
      message: "Meta's webhooks are not reaching the app: message statuses will not update.",
      action: "Check the callback URL and verify token in the Meta app's WhatsApp configuration, then reconnect.",
    });
  }
  if (f.lastError && f.lastError !== s?.checkError && !issues.some((i) => i.message === f.lastError)) {
    issues.push({ message: f.lastError, action: "Fix it as described, then try the step again." });
  }
  return { level: issues.length || outage ? "attention" : "connected", issues, outage };
}
