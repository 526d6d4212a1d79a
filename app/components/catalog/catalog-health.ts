import type { CatalogPageData } from "../../catalog/page-data.server";

/**
 * How the catalog connection is doing, in one word for the badge and the banner (issue 16, point 3):
 * a Meta outage is not a broken token (no Reconnect) and not "Connected" either.
 */
export type CatalogHealth = "CONNECTED" | "UNREACHABLE" | "THROTTLED" | "NEEDS_RECONNECT" | "DISCONNECTED";

export function catalogHealth(connection: CatalogPageData["connection"], now = new Date()): CatalogHealth {
  if (!connection || connection.state === "DISCONNECTED") return "DISCONNECTED";
  if (connection.state === "NEEDS_RECONNECT") return "NEEDS_RECONNECT";
  if (connection.state !== "CONNECTED") return "DISCONNECTED";
  if (connection.pausedUntil && new Date(connection.pausedUntil) > now) return "THROTTLED";
  if (connection.unreachableSince) return "UNREACHABLE";
  return "CONNECTED";
}

export const HEALTH_BADGE: Record<CatalogHealth, { tone: "success" | "warning" | "critical" | undefined; label: string }> = {
  CONNECTED: { tone: "success", label: "Connected" },
  UNREACHABLE: { tone: "warning", label: "Meta not answering" },
  THROTTLED: { tone: "warning", label: "Paused by Meta" },
  NEEDS_RECONNECT: { tone: "critical", label: "Needs reconnect" },
  DISCONNECTED: { tone: undefined, label: "Not connected" },
};
