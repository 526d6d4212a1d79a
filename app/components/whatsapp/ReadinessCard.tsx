import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Divider, InlineStack, Text } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";
import type { LineAction, LineState, Readiness, ReadinessLine } from "../../whatsapp/readiness";
import { ActionResultBanner } from "./ActionResultBanner";

/**
 * "Ready to sell on WhatsApp": the readiness checklist (issue 18). Each line
 * is done or shows its one action; an action that changes what Meta holds for
 * another catalog (replace, unlink) asks first, in words.
 */

const BADGE: Record<LineState, { tone: "success" | "attention" | "warning" | undefined; label: string }> = {
  done: { tone: "success", label: "Done" },
  todo: { tone: "attention", label: "To do" },
  blocked: { tone: undefined, label: "Waiting" },
  unknown: { tone: "warning", label: "Not checked" },
};

const MARK: Record<LineState, string> = { done: "✓", todo: "○", blocked: "–", unknown: "?" };

function ActionButton({
  action,
  variant,
  busy,
  onRun,
  testId,
}: {
  action: LineAction;
  variant: "primary" | "secondary" | "plain";
  busy: boolean;
  onRun: (a: LineAction) => void;
  testId: string;
}) {
  if (action.kind === "link") {
    return (
      <span data-testid={testId}>
        <Button url={action.url} variant={variant}>
          {action.label}
        </Button>
      </span>
    );
  }
  return (
    <span data-testid={testId}>
      <Button variant={variant} loading={busy} onClick={() => onRun(action)}>
        {action.label}
      </Button>
    </span>
  );
}

function Line({ line, first, busy, onRun }: { line: ReadinessLine; first: boolean; busy: boolean; onRun: (a: LineAction) => void }) {
  const badge = BADGE[line.state];
  return (
    <div data-testid={`readiness-line-${line.id}`} data-state={line.state}>
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center" wrap={false}>
          <Text as="span" tone={line.state === "done" ? "success" : "subdued"} fontWeight="bold">
            {MARK[line.state]}
          </Text>
          <Box width="100%">
            <Text as="h3" variant="bodyMd" fontWeight="semibold">
              {line.title}
            </Text>
          </Box>
          <span style={{ flexShrink: 0, whiteSpace: "nowrap" }}>
            <Badge tone={badge.tone}>{badge.label}</Badge>
          </span>
        </InlineStack>
        <Box paddingInlineStart="500">
          <BlockStack gap="200">
            <Text as="p" tone={line.state === "unknown" ? "caution" : "subdued"}>
              {line.detail}
            </Text>
            {(line.action || line.secondary) && (
              <InlineStack gap="300" blockAlign="center">
                {line.action && <ActionButton action={line.action} variant={first ? "primary" : "secondary"} busy={busy} onRun={onRun} testId={`readiness-action-${line.id}`} />}
                {line.secondary && <ActionButton action={line.secondary} variant="plain" busy={busy} onRun={onRun} testId={`readiness-secondary-${line.id}`} />}
              </InlineStack>
            )}
          </BlockStack>
        </Box>
      </BlockStack>
    </div>
  );
}

export function ReadinessCard({ readiness }: { readiness: Readiness }) {
  const fetcher = useFetcher<ActionResult>({ key: "whatsapp-commerce" });
  const [confirming, setConfirming] = useState<Extract<LineAction, { kind: "intent" }> | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const busy = fetcher.state !== "idle";
  // The first line with something to do gets the primary button: that is where to start.
  const firstToDo = readiness.lines.find((l) => l.action && l.state !== "done")?.id;

  const submit = (action: Extract<LineAction, { kind: "intent" }>) => {
    setConfirming(null);
    setRunning(action.label);
    fetcher.submit(action.body as Record<string, string | boolean>, { method: "post", encType: "application/json" });
  };
  const run = (action: LineAction) => {
    if (action.kind === "scroll") document.getElementById(action.target)?.scrollIntoView({ behavior: "smooth", block: "start" });
    else if (action.kind === "intent") {
      if (action.confirm) setConfirming(action);
      else submit(action);
    }
  };

  return (
    <Card>
      <div data-testid="readiness" data-done={readiness.done} data-total={readiness.total}>
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <Text as="h2" variant="headingMd">
              Ready to sell on WhatsApp
            </Text>
            <Badge tone={readiness.ready ? "success" : "attention"}>{`${readiness.done} of ${readiness.total} done`}</Badge>
          </InlineStack>
          <Text as="p" tone="subdued">
            Products can be sent in chats once your catalog is linked to this WhatsApp account and switched on for the sending number.
          </Text>
          {confirming && (
            <div data-testid="readiness-confirm">
              <Banner tone="warning" onDismiss={() => setConfirming(null)}>
                <BlockStack gap="200">
                  <p>{confirming.confirm}</p>
                  <InlineStack gap="200">
                    <Button variant="primary" onClick={() => submit(confirming)}>
                      {confirming.label}
                    </Button>
                    <Button onClick={() => setConfirming(null)}>Cancel</Button>
                  </InlineStack>
                </BlockStack>
              </Banner>
            </div>
          )}
          {!confirming && fetcher.data && fetcher.state === "idle" && <ActionResultBanner result={fetcher.data} />}
          <BlockStack gap="300">
            {readiness.lines.map((line, i) => (
              <BlockStack gap="300" key={line.id}>
                {i > 0 && <Divider />}
                <Line
                  line={line}
                  first={line.id === firstToDo}
                  busy={busy && (running === line.action?.label || running === line.secondary?.label)}
                  onRun={run}
                />
              </BlockStack>
            ))}
          </BlockStack>
        </BlockStack>
      </div>
    </Card>
  );
}
