import { Badge, BlockStack, InlineStack, Text } from "@shopify/polaris";
import type { MessageStatus, TimelineEntry } from "../../whatsapp/message-status";

/**
 * A sent message's way through Meta, as its status webhooks report it:
 * sent -> delivered -> read, or failed with the reason in the merchant's
 * words. Shared by the test message and the product message.
 */

const STEPS: { status: Exclude<MessageStatus, "PENDING" | "FAILED">; label: string }[] = [
  { status: "SENT", label: "Sent" },
  { status: "DELIVERED", label: "Delivered" },
  { status: "READ", label: "Read" },
];

const BADGE: Record<MessageStatus, { tone: "success" | "critical" | "info" | undefined; label: string }> = {
  PENDING: { tone: undefined, label: "Waiting for Meta" },
  SENT: { tone: "info", label: "Sent" },
  DELIVERED: { tone: "success", label: "Delivered" },
  READ: { tone: "success", label: "Read" },
  FAILED: { tone: "critical", label: "Failed" },
};

const time = (iso: string) => new Date(iso).toLocaleTimeString();

export interface TimelineTestIds {
  /** The status badge's wrapper. */
  status: string;
  /** Prefix of each step's wrapper: `${step}-sent`, `${step}-delivered`... */
  step: string;
  failed: string;
}

/**
 * With no message yet it shows the same rows, empty: the card keeps its height when the first
 * message appears a moment after the click, so the cards below do not jump (CLS).
 */
export function MessageTimeline({
  message,
  testIds,
  emptyText = "Nothing sent yet",
}: {
  message: { to: string; status: MessageStatus; timeline: TimelineEntry[]; error: string | null } | null;
  testIds: TimelineTestIds;
  emptyText?: string;
}) {
  const at = (status: MessageStatus) => message?.timeline.find((e) => e.status === status);
  const failed = at("FAILED");
  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        {message ? (
          <>
            <Text as="span">To {message.to}</Text>
            <span data-testid={testIds.status} data-status={message.status}>
              <Badge tone={BADGE[message.status].tone}>{BADGE[message.status].label}</Badge>
            </span>
          </>
        ) : (
          <>
            <Text as="span" tone="subdued">
              {emptyText}
            </Text>
            {/* Holds the badge's line height. */}
            <span style={{ visibility: "hidden" }} aria-hidden="true">
              <Badge>{BADGE.PENDING.label}</Badge>
            </span>
          </>
        )}
      </InlineStack>
      <InlineStack gap="400">
        {STEPS.map((step) => {
          const entry = at(step.status);
          return (
            <span key={step.status} data-testid={message ? `${testIds.step}-${step.status.toLowerCase()}` : undefined} data-done={entry ? "yes" : "no"}>
              <Text as="span" tone={entry ? undefined : "subdued"} fontWeight={entry ? "semibold" : undefined}>
                {entry ? "✓" : "○"} {step.label}
                {entry ? ` ${time(entry.at)}` : ""}
              </Text>
            </span>
          );
        })}
      </InlineStack>
      {failed && (
        <span data-testid={testIds.failed}>
          <Text as="p" tone="critical">
            Failed {time(failed.at)}: {failed.error ?? message?.error}
          </Text>
        </span>
      )}
    </BlockStack>
  );
}
