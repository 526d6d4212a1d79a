import { Badge } from "@shopify/polaris";
import { VERDICT_LABEL, type Verdict } from "../../catalog/verdict";

type Tone = "success" | "attention" | "critical" | "warning" | "info" | undefined;

/**
 * A product's status (app/catalog/verdict.ts verdictOf, the one every page shows and counts) as a badge:
 * critical for what Meta will not show (Failed, Rejected), warning for what the merchant can fix,
 * attention/info for what is on its way (Pending, Sent), success for Live.
 */
export const STATUS_LABELS: Record<Verdict, { tone: Tone; label: string }> = {
  FAILED: { tone: "critical", label: VERDICT_LABEL.FAILED },
  REJECTED: { tone: "critical", label: VERDICT_LABEL.REJECTED },
  NEEDS_FIXING: { tone: "warning", label: VERDICT_LABEL.NEEDS_FIXING },
  PENDING: { tone: "attention", label: VERDICT_LABEL.PENDING },
  SENT: { tone: "info", label: VERDICT_LABEL.SENT },
  LIVE: { tone: "success", label: VERDICT_LABEL.LIVE },
  EXCLUDED: { tone: undefined, label: VERDICT_LABEL.EXCLUDED },
};

export function StatusBadge({ status }: { status: Verdict }) {
  const { tone, label } = STATUS_LABELS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

export function formatTime(iso: string | null) {
  if (!iso) return "never";
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}
