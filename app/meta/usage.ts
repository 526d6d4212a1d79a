/**
 * Meta's usage headers: how close the app is to a rate limit. Recorded on
 * every response so callers can slow down before Meta starts refusing calls.
 *
 * X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}
 * X-Business-Use-Case-Usage: {"<business id>":[{"type":"...","call_count":1,
 *   "total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}
 * Values are percentages of the limit; the regain time is in minutes.
 */

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export function headerGetter(headers: HeaderSource | undefined): (name: string) => string | null {
  if (!headers) return () => null;
  if (headers instanceof Headers) return (name) => headers.get(name);
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => {
    const value = lower.get(name.toLowerCase());
    return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  };
}

export interface UsageEntry {
  source: "app" | "business";
  /** The app id for X-App-Usage, the business id for the business use case header. */
  id: string;
  /** The business use case type (e.g. "whatsapp_business_management"); null for the app. */
  type: string | null;
  callCount: number;
  totalTime: number;
  totalCputime: number;
  regainMinutes: number;
  /** When it was recorded (ms since epoch). */
  at: number;
}

const num = (value: unknown) => {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : 0;
};

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null; // A malformed header must never fail the call it came with.
  }
}

function entry(source: UsageEntry["source"], id: string, type: string | null, raw: Record<string, unknown>, at: number): UsageEntry {
  return {
    source,
    id,
    type,
    callCount: num(raw.call_count),
    totalTime: num(raw.total_time),
    totalCputime: num(raw.total_cputime),
    regainMinutes: num(raw.estimated_time_to_regain_access),
    at,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads both usage headers of one response. */
export function parseUsageHeaders(headers: HeaderSource | undefined, appId: string, at = Date.now()): UsageEntry[] {
  const get = headerGetter(headers);
  const out: UsageEntry[] = [];
  const app = parseJson(get("x-app-usage"));
  if (isRecord(app)) out.push(entry("app", appId || "app", null, app, at));
  const buc = parseJson(get("x-business-use-case-usage"));
  if (isRecord(buc)) {
    for (const [businessId, list] of Object.entries(buc)) {
      for (const raw of Array.isArray(list) ? list : [list]) {
        if (isRecord(raw)) out.push(entry("business", businessId, typeof raw.type === "string" ? raw.type : null, raw, at));
      }
    }
  }
  return out;
}

/** The longest regain time the headers announce, in ms; null when none is announced. */
export function regainMsFromHeaders(headers: HeaderSource | undefined): number | null {
  const minutes = parseUsageHeaders(headers, "app").map((e) => e.regainMinutes);
  const max = Math.max(0, ...minutes);
  return max > 0 ? max * 60_000 : null;
}

/** Retry-After as seconds or an HTTP date, in ms; null when absent or unreadable. */
export function retryAfterMs(headers: HeaderSource | undefined, now = Date.now()): number | null {
  const value = headerGetter(headers)("retry-after");
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Keeps the latest usage per app / business / use case type. */
export class UsageTracker {
  readonly #latest = new Map<string, UsageEntry>();

  record(entries: UsageEntry[]) {
    for (const e of entries) this.#latest.set(`${e.source}:${e.id}:${e.type ?? ""}`, e);
  }

  entries(): UsageEntry[] {
    return [...this.#latest.values()];
  }

  /**
   * True when a recent reading is at or above `threshold` percent, or Meta
   * still asks us to wait. Readings older than `maxAgeMs` are ignored: usage
   * is a rolling window, an old high reading says nothing about now.
   */
  shouldSlowDown(opts: { threshold?: number; id?: string; business?: string; now?: number; maxAgeMs?: number } = {}): boolean {
    const { threshold = 80, now = Date.now(), maxAgeMs = 5 * 60_000 } = opts;
    return this.entries().some((e) => {
      if (opts.id !== undefined && e.id !== opts.id) return false;
      // `business`: the app's own budget and that business's use cases, not other businesses'.
      if (opts.business !== undefined && e.source === "business" && e.id !== opts.business) return false;
      const stillThrottled = e.regainMinutes > 0 && now < e.at + e.regainMinutes * 60_000;
      if (stillThrottled) return true;
      if (now - e.at > maxAgeMs) return false;
      return Math.max(e.callCount, e.totalTime, e.totalCputime) >= threshold;
    });
  }
}
