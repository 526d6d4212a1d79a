/**
 * A test message's delivery status as Meta reports it, and the rule that
 * keeps it from moving backwards: webhooks arrive out of order and are
 * replayed, so `read` is never undone by a late `delivered`, and a replay
 * adds nothing. `failed` carries Meta's reason and ends the story.
 */

export type MessageStatus = "PENDING" | "SENT" | "DELIVERED" | "READ" | "FAILED";

export interface TimelineEntry {
  status: Exclude<MessageStatus, "PENDING">;
  /** ISO time Meta stamped on the status. */
  at: string;
  error?: string | null;
}

const RANK: Record<MessageStatus, number> = { PENDING: 0, SENT: 1, DELIVERED: 2, READ: 3, FAILED: 4 };

export const isFinal = (status: MessageStatus) => status === "READ" || status === "FAILED";

export function fromMeta(status: string): Exclude<MessageStatus, "PENDING"> | null {
  const upper = status.toUpperCase();
  return upper === "SENT" || upper === "DELIVERED" || upper === "READ" || upper === "FAILED" ? upper : null;
}

export function readTimeline(value: unknown): TimelineEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (e): e is TimelineEntry => typeof e === "object" && e !== null && typeof (e as TimelineEntry).status === "string" && typeof (e as TimelineEntry).at === "string",
  );
}

/**
 * Applies one reported status. Returns null when nothing changes (a replay,
 * or an older status after a newer one that is already on the timeline).
 */
export function applyStatus(
  current: { status: MessageStatus; timeline: TimelineEntry[] },
  update: TimelineEntry,
): { status: MessageStatus; timeline: TimelineEntry[]; error: string | null } | null {
  if (current.timeline.some((e) => e.status === update.status)) return null;
  // Once read, a failure report is stale; once failed, nothing follows.
  if (current.status === "FAILED" || (update.status === "FAILED" && current.status === "READ")) return null;
  const timeline = [...current.timeline, update].sort((a, b) => RANK[a.status] - RANK[b.status]);
  const status = RANK[update.status] > RANK[current.status] ? update.status : current.status;
  return { status, timeline, error: update.status === "FAILED" ? (update.error ?? "Meta reported the message as failed") : null };
}
