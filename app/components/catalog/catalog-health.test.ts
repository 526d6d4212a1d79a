import { describe, expect, it } from "vitest";
import { catalogHealth } from "./catalog-health";

const base = { state: "CONNECTED", reason: null, catalogId: "1", catalogName: "Spring", lastError: null, lastSuccessAt: null, pausedUntil: null, unreachableSince: null };
const now = new Date("2026-12-01T10:00:00Z");

describe("catalogHealth", () => {
  it("says Connected only while Meta answers", () => {
    expect(catalogHealth(base, now)).toBe("CONNECTED");
    expect(catalogHealth({ ...base, unreachableSince: "2026-12-01T09:59:00Z", lastError: "HTTP 503" }, now)).toBe("UNREACHABLE");
  });
  it("keeps Needs reconnect for a token Meta refused, whatever else happened", () => {
    expect(catalogHealth({ ...base, state: "NEEDS_RECONNECT", unreachableSince: "2026-12-01T09:59:00Z" }, now)).toBe("NEEDS_RECONNECT");
  });
  it("says throttled while Meta's pause lasts, and no longer after it", () => {
    expect(catalogHealth({ ...base, pausedUntil: "2026-12-01T10:05:00Z" }, now)).toBe("THROTTLED");
    expect(catalogHealth({ ...base, pausedUntil: "2026-12-01T09:55:00Z" }, now)).toBe("CONNECTED");
  });
  it("says Not connected without a connection", () => {
    expect(catalogHealth(null, now)).toBe("DISCONNECTED");
    expect(catalogHealth({ ...base, state: "DISCONNECTED" }, now)).toBe("DISCONNECTED");
  });
});
