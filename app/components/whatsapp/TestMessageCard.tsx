import { useEffect, useState } from "react";
import { useFetcher, useRevalidator } from "@remix-run/react";
import { BlockStack, Box, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";
import { isFinal } from "../../whatsapp/message-status";
import type { TestMessageView } from "../../whatsapp/test-message.server";
import { ActionResultBanner } from "./ActionResultBanner";
import { MessageTimeline } from "./MessageTimeline";

/**
 * "Send test message" and its live timeline. While the message is in flight
 * the page revalidates every 1.5 s; Meta's status webhooks move it along
 * sent -> delivered -> read (or failed, with Meta's reason).
 */

const POLL_MS = 1500;
/** Stop following after this long: the webhooks are not coming (the health card says why). */
const FOLLOW_FOR_MS = 3 * 60_000;

/** `blockedBy`: why the box is disabled, with what to do (null: it can send). */
export function TestMessageCard({ lastMessage, blockedBy, sendingFrom }: { lastMessage: TestMessageView | null; blockedBy: string | null; sendingFrom: string | null }) {
  const canSend = blockedBy === null;
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
        {blockedBy && (
          <span data-testid="test-message-blocked">
            <Text as="p" tone="caution">
              {blockedBy}
            </Text>
          </span>
        )}
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
        <div data-testid={message ? "test-message" : "test-message-none"}>
          <MessageTimeline
            message={message}
            emptyText="No test message sent yet"
            testIds={{ status: "test-message-status", step: "timeline", failed: "timeline-failed" }}
          />
        </div>
      </BlockStack>
    </Card>
  );
}
