import { useEffect, useState } from "react";
import { useFetcher, useRevalidator } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";
import { isFinal, type MessageStatus } from "../../whatsapp/message-status";
import type { TestMessageView } from "../../whatsapp/test-message.server";
import { ActionResultBanner } from "./ActionResultBanner";

/**
 * "Send test message" and its live timeline. While the message is in flight
 * the page revalidates every 1.5 s; Meta's status webhooks move it along
 * sent -> delivered -> read (or failed, with Meta's reason).
 */

const POLL_MS = 1500;
/** Stop following after this long: the webhooks are not coming (the health card says why). */
const FOLLOW_FOR_MS = 3 * 60_000;

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

function Timeline({ message }: { message: TestMessageView }) {
  const at = (status: MessageStatus) => message.timeline.find((e) => e.status === status);
  const failed = at("FAILED");
  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span">To {message.to}</Text>
        <span data-testid="test-message-status" data-status={message.status}>
          <Badge tone={BADGE[message.status].tone}>{BADGE[message.status].label}</Badge>
        </span>
      </InlineStack>
      <InlineStack gap="400">
        {STEPS.map((step) => {
          const entry = at(step.status);
          return (
            <span key={step.status} data-testid={`timeline-${step.status.toLowerCase()}`} data-done={entry ? "yes" : "no"}>
              <Text as="span" tone={entry ? undefined : "subdued"} fontWeight={entry ? "semibold" : undefined}>
                {entry ? "✓" : "○"} {step.label}
                {entry ? ` ${time(entry.at)}` : ""}
              </Text>
            </span>
          );
        })}
      </InlineStack>
      {failed && (
        <span data-testid="timeline-failed">
          <Text as="p" tone="critical">
            Failed {time(failed.at)}: {failed.error ?? message.error}
          </Text>
        </span>
      )}
    </BlockStack>
  );
}

export function TestMessageCard({ lastMessage, canSend, sendingFrom }: { lastMessage: TestMessageView | null; canSend: boolean; sendingFrom: string | null }) {
  const fetcher = useFetcher<ActionResult>({ key: "whatsapp-test-message" });
  const revalidator = useRevalidator();
  const [to, setTo] = useState("");
  const message = lastMessage;
  const following = message && !isFinal(message.status) && Date.now() - Date.parse(message.createdAt) < FOLLOW_FOR_MS;

  useEffect(() => {
    if (!following) return;
    const timer = window.setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [following, revalidator]);

  const error = fetcher.data && !fetcher.data.ok && fetcher.data.failure.code === "invalid_input" ? fetcher.data.failure.message : undefined;

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Send a test message
        </Text>
        <Text as="p" tone="subdued">
          Sends Meta&apos;s approved “hello_world” template (English, US){sendingFrom ? ` from ${sendingFrom}` : ""}. Use a number that has
          WhatsApp.
        </Text>
        <InlineStack gap="200" blockAlign="end">
          <Box minWidth="280px">
            <TextField
              label="Recipient (international format)"
              placeholder="+14155550123"
              value={to}
              onChange={setTo}
              autoComplete="tel"
              type="tel"
              error={error}
              disabled={!canSend}
            />
          </Box>
          <Button
            variant="primary"
            disabled={!canSend || to.trim() === ""}
            loading={fetcher.state !== "idle"}
            onClick={() => fetcher.submit({ intent: "send-test", to }, { method: "post", encType: "application/json" })}
          >
            Send test message
          </Button>
        </InlineStack>
        {fetcher.data && !fetcher.data.ok && !error && <ActionResultBanner result={fetcher.data} />}
        {message && (
          <div data-testid="test-message">
            <Timeline message={message} />
          </div>
        )}
      </BlockStack>
    </Card>
  );
}
