import { Badge } from "@shopify/polaris";

/** A product's catalog sync status as a badge, in the merchant's words. */
const TONES = {
  SYNCED: { tone: "success", label: "Synced" },
  PENDING: { tone: "attention", label: "Pending" },
  FAILED: { tone: "critical", label: "Failed" },
  EXCLUDED: { tone: undefined, label: "Excluded" },
} as const;

export function StatusBadge({ status, dirty = false }: { status: string; dirty?: boolean }) {
  const known = TONES[status as keyof typeof TONES] ?? TONES.PENDING;
  const { tone, label } = dirty && status !== "EXCLUDED" ? TONES.PENDING : known;
  return <Badge tone={tone}>{label}</Badge>;
}

export function formatTime(iso: string | null) {
  if (!iso) return "never";
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}
