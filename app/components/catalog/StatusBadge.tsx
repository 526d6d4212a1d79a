import { Badge } from "@shopify/polaris";
import type { SyncStatus } from "../../catalog/status.server";

/** A product's catalog sync status (catalog/store/products.server.ts statusOf) as a badge, in the merchant's words. */
export const STATUS_LABELS: Record<SyncStatus, { tone: "success" | "attention" | "critical" | undefined; label: string }> = {
  FAILED: { tone: "critical", label: "Failed" },
  PENDING: { tone: "attention", label: "Pending" },
  SYNCED: { tone: "success", label: "Synced" },
  EXCLUDED: { tone: undefined, label: "Excluded" },
};

export function StatusBadge({ status }: { status: SyncStatus }) {
  const { tone, label } = STATUS_LABELS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

export function formatTime(iso: string | null) {
  if (!iso) return "never";
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}
