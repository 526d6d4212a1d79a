import { Badge } from "@shopify/polaris";
import type { HealthLevel } from "../../whatsapp/health-status";

const BADGES: Record<HealthLevel, { tone: "success" | "warning" | "critical" | undefined; label: string }> = {
  connected: { tone: "success", label: "Connected" },
  attention: { tone: "warning", label: "Needs attention" },
  reconnect: { tone: "critical", label: "Needs reconnect" },
  disconnected: { tone: undefined, label: "Not connected" },
};

/** `outage`: Meta did not answer and nothing else is wrong: not the merchant's problem, said as such. */
export function HealthBadge({ level, outage = false }: { level: HealthLevel; outage?: boolean }) {
  const { tone, label } = outage ? { tone: "warning" as const, label: "Meta not answering" } : BADGES[level];
  return (
    <span data-testid="whatsapp-health" data-level={level}>
      <Badge tone={tone}>{label}</Badge>
    </span>
  );
}
