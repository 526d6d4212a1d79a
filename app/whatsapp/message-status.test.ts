import { describe, expect, it } from "vitest";
import { applyStatus, type MessageStatus, type TimelineEntry } from "./message-status";

const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, s)).toISOString();

function run(updates: TimelineEntry[]) {
  let current: { status: MessageStatus; timeline: TimelineEntry[] } = { status: "PENDING", timeline: [] };
  for (const u of updates) {
    const next = applyStatus(current, u);
    if (next) current = { status: next.status, timeline: next.timeline };
  }
  return current;
}

describe("a message's status", () => {
  it("moves forward in Meta's order whatever order the webhooks arrive in", () => {
    const result = run([
      { status: "READ", at: at(3) },
      { status: "SENT", at: at(1) },
      { status: "DELIVERED", at: at(2) },
    ]);
    expect(result.status).toBe("READ");
    expect(result.timeline.map((e) => e.status)).toEqual(["SENT", "DELIVERED", "READ"]);
  });

  it("ignores replays", () => {
    const once = applyStatus({ status: "PENDING", timeline: [] }, { status: "SENT", at: at(1) })!;
    expect(applyStatus({ status: once.status, timeline: once.timeline }, { status: "SENT", at: at(1) })).toBeNull();
  });

  it("records failed with Meta's reason, and nothing after it; a failure after read is stale", () => {
    const failed = run([
      { status: "SENT", at: at(1) },
      { status: "FAILED", at: at(2), error: "Message undeliverable (Meta error 131026)" },
      { status: "DELIVERED", at: at(3) },
    ]);
    expect(failed.status).toBe("FAILED");
    expect(failed.timeline.at(-1)).toMatchObject({ status: "FAILED", error: "Message undeliverable (Meta error 131026)" });
    expect(applyStatus({ status: "READ", timeline: [{ status: "READ", at: at(3) }] }, { status: "FAILED", at: at(4) })).toBeNull();
  });
});
