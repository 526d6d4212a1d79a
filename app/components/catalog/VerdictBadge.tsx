import { Badge } from "@shopify/polaris";
import { VERDICT_LABEL, type Verdict } from "../../catalog/verdict";

/** What Meta shows for a product or variant (app/catalog/verdict.ts) as a badge. */
const TONES: Record<Verdict, "success" | "attention" | "critical" | "warning" | "info" | undefined> = {
  PENDING: "attention",
  SENT: "info",
  LIVE: "success",
  REJECTED: "critical",
  NEEDS_FIXING: "warning",
  FAILED: "critical",
  EXCLUDED: undefined,
};

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <Badge tone={TONES[verdict]}>{VERDICT_LABEL[verdict]}</Badge>;
}
