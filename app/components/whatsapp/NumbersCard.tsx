import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";
import type { NumberView } from "../../whatsapp/page-data.server";
import { ActionResultBanner } from "./ActionResultBanner";

/** Every number of the WABA with its health, and the choice of the sending number. */

const QUALITY: Record<string, { tone: "success" | "warning" | "critical" | undefined; label: string }> = {
  GREEN: { tone: "success", label: "High" },
  YELLOW: { tone: "warning", label: "Medium" },
  RED: { tone: "critical", label: "Low" },
};

function Quality({ rating }: { rating: string | null }) {
  const q = QUALITY[rating?.toUpperCase() ?? ""] ?? { tone: undefined, label: "Unknown" };
  return <Badge tone={q.tone}>{q.label}</Badge>;
}

const title = (s: string | null) => (s ? s.charAt(0) + s.slice(1).toLowerCase().replace(/_/g, " ") : "Unknown");

export function NumbersCard({ numbers, messagingLimit }: { numbers: NumberView[]; messagingLimit: string | null }) {
  const fetcher = useFetcher<ActionResult>({ key: "whatsapp-numbers" });
  const pending = fetcher.state !== "idle" ? (fetcher.json as { phoneNumberId?: string } | undefined)?.phoneNumberId : undefined;
  const submit = (intent: "choose-number" | "register-number", phoneNumberId: string) =>
    fetcher.submit({ intent, phoneNumberId }, { method: "post", encType: "application/json" });

  const rows = numbers.map((n) => [
    <BlockStack gap="050" key="number">
      <Text as="span" fontWeight="semibold">
        <span data-testid={`number-${n.phoneNumberId}`}>{n.displayPhoneNumber}</span>
      </Text>
      <Text as="span" tone="subdued">
        {n.verifiedName ?? "No display name"}
        {n.nameStatus ? ` · name ${title(n.nameStatus).toLowerCase()}` : ""}
      </Text>
    </BlockStack>,
    <Quality rating={n.qualityRating} key="quality" />,
    title(n.status),
    <InlineStack gap="200" key="actions" blockAlign="center">
      {n.registered ? <Badge tone="success">Registered</Badge> : (
        <Button size="slim" onClick={() => submit("register-number", n.phoneNumberId)} loading={pending === n.phoneNumberId}>
          Register
        </Button>
      )}
      {n.active ? (
        <span data-testid="active-number">
          <Badge tone="info">Sending number</Badge>
        </span>
      ) : (
        <Button size="slim" variant="plain" onClick={() => submit("choose-number", n.phoneNumberId)} disabled={pending !== undefined}>
          Use for sending
        </Button>
      )}
    </InlineStack>,
  ]);

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Phone numbers
        </Text>
        {messagingLimit ? (
          <Text as="p">
            Messaging limit: <span data-testid="messaging-limit">{messagingLimit}</span>{" "}
            <Text as="span" tone="subdued">
              (new conversations you can start with different customers, shared by every number of your Meta business portfolio)
            </Text>
          </Text>
        ) : null}
        {numbers.length === 0 ? (
          <Text as="p" tone="subdued">
            This account has no phone number yet. Add one in WhatsApp Manager, then click Refresh.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "text"]}
            headings={["Number", "Quality", "Status", ""]}
            rows={rows}
          />
        )}
        <ActionResultBanner result={fetcher.data} />
      </BlockStack>
    </Card>
  );
}
