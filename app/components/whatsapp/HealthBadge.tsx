import { Badge } from "@shopify/polaris";
import type { HealthLevel } from "../../whatsapp/health-status";

const BADGES: Record<HealthLevel, { tone: "success" | "warning" | "critical" | undefined; label: string }> = {
  connected: { tone: "success", label: "Connected" },
  attention: { tone: "warning", label: "Needs attention" },
  reconnect: { tone: "critical", label: "Needs reconnect" },
  disconnected: { tone: undefined, label: "Not connected" },
};

export function HealthBadge({ level }: { level: HealthLevel }) {
  const { tone, label } = BADGES[level];
  return (
    <span data-testid="whatsapp-health" data-level={level}>
      <Badge tone={tone}>{label}</Badge>
    </span>
  );
}
