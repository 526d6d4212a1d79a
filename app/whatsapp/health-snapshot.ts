/**
 * The health snapshot stored on WhatsAppConnection.health (JSON). Written
 * by connect and by health checks (compare-and-set on healthCheckedAt),
 * extended by Meta's account webhooks (events). Pure data, no secrets.
 */

export interface NumberHealth {
  id: string;
  status: string | null;
  qualityRating: string | null;
  nameStatus: string | null;
}

/** A Meta webhook that changes health between two checks (account_update, phone_number_quality_update, business_capability_update). */
export interface HealthEvent {
  field: "account_update" | "phone_number_quality_update" | "business_capability_update";
  event: string;
  /** ISO time Meta stamped (entry.time) or when it arrived. */
  at: string;
  phoneNumber?: string | null;
  detail?: string | null;
}

export interface HealthSnapshot {
  checkedAt: string;
  token: { valid: boolean; scopes: string[]; expiresAt: string | null; reason: string | null };
  wabaName: string | null;
  numbers: NumberHealth[];
  /** Permissions or accounts the last (re)connect lost that the app can live without. */
  grantWarnings: string[];
  /** A step of the last check that failed without deciding anything (Meta unavailable...). */
  checkError: string | null;
  /** The check failed because Meta did not answer (5xx, a timeout, codes 1 and 2, a throttle): an outage, not the merchant's to fix. */
  metaUnavailable: boolean;
  /** When a check last reached Meta and decided everything (ISO), kept across failed checks: "last success" during an outage. */
  lastOkAt: string | null;
  events: HealthEvent[];
}

const MAX_EVENTS = 20;

export function emptySnapshot(checkedAt: Date): HealthSnapshot {
  return {
    checkedAt: checkedAt.toISOString(),
    token: { valid: true, scopes: [], expiresAt: null, reason: null },
    wabaName: null,
    numbers: [],
    grantWarnings: [],
    checkError: null,
    metaUnavailable: false,
    lastOkAt: null,
    events: [],
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the stored JSON leniently: a snapshot from an older version still renders. */
export function readSnapshot(value: unknown): HealthSnapshot | null {
  if (!isRecord(value) || typeof value.checkedAt !== "string") return null;
  const base = emptySnapshot(new Date(value.checkedAt));
  const token = isRecord(value.token) ? value.token : {};
  return {
    ...base,
    token: {
      valid: token.valid !== false,
      scopes: Array.isArray(token.scopes) ? token.scopes.filter((s): s is string => typeof s === "string") : [],
      expiresAt: typeof token.expiresAt === "string" ? token.expiresAt : null,
      reason: typeof token.reason === "string" ? token.reason : null,
    },
    wabaName: typeof value.wabaName === "string" ? value.wabaName : null,
    numbers: Array.isArray(value.numbers) ? (value.numbers.filter(isRecord) as unknown as NumberHealth[]) : [],
    grantWarnings: Array.isArray(value.grantWarnings) ? value.grantWarnings.filter((s): s is string => typeof s === "string") : [],
    checkError: typeof value.checkError === "string" ? value.checkError : null,
    metaUnavailable: value.metaUnavailable === true,
    lastOkAt: typeof value.lastOkAt === "string" ? value.lastOkAt : null,
    events: Array.isArray(value.events) ? (value.events.filter(isRecord) as unknown as HealthEvent[]) : [],
  };
}

/** Adds an event unless the same one (a replayed delivery) is already there; keeps the newest few. */
export function withEvent(snapshot: HealthSnapshot, event: HealthEvent): HealthSnapshot {
  const same = (e: HealthEvent) => e.field === event.field && e.event === event.event && e.at === event.at && e.phoneNumber === event.phoneNumber;
  if (snapshot.events.some(same)) return snapshot;
  const events = [...snapshot.events, event].sort((a, b) => a.at.localeCompare(b.at)).slice(-MAX_EVENTS);
  return { ...snapshot, events };
}
