import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Divider, InlineStack, Text } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";
import type { LineAction, LineState, Readiness, ReadinessLine } from "../../whatsapp/readiness";

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
      <span data-testid={testId} style={{ flexShrink: 0, whiteSpace: "nowrap" }}>
        <Button url={action.url} variant={variant}>
          {action.label}
        </Button>
      </span>
    );
  }
  return (
    <span data-testid={testId} style={{ flexShrink: 0, whiteSpace: "nowrap" }}>
      <Button variant={variant} loading={busy} onClick={() => onRun(action)}>
        {action.label}
      </Button>
    </span>
  );
}

/**
 * One line, the same height in every state (issue 16: a line that gained or lost its action moved every
 * card below it): the action sits in the title row, which is always as tall as a button; the outcome of
 * the line's own action takes the detail's place.
 */
function Line({ line, first, busy, failure, onRun: run }: { line: ReadinessLine; first: boolean; busy: boolean; failure: string | null; onRun: (a: LineAction, lineId: string) => void }) {
  const badge = BADGE[line.state];
  const onRun = (a: LineAction) => run(a, line.id);
  return (
    <div data-testid={`readiness-line-${line.id}`} data-state={line.state}>
      <BlockStack gap="100">
        <Box minHeight="2rem">
          <InlineStack gap="200" blockAlign="center" wrap={false}>
            <Text as="span" tone={line.state === "done" ? "success" : "subdued"} fontWeight="bold">
              {MARK[line.state]}
            </Text>
            <Box width="100%">
              <Text as="h3" variant="bodyMd" fontWeight="semibold">
                {line.title}
              </Text>
            </Box>
            {line.secondary && <ActionButton action={line.secondary} variant="plain" busy={busy} onRun={onRun} testId={`readiness-secondary-${line.id}`} />}
            {line.action && <ActionButton action={line.action} variant={first ? "primary" : "secondary"} busy={busy} onRun={onRun} testId={`readiness-action-${line.id}`} />}
            <span style={{ flexShrink: 0, whiteSpace: "nowrap" }}>
              <Badge tone={badge.tone}>{badge.label}</Badge>
            </span>
          </InlineStack>
        </Box>
        <Box paddingInlineStart="500">
          {failure ? (
            <span data-testid={`readiness-failure-${line.id}`}>
              <Text as="p" tone="critical">
                {failure}
              </Text>
            </span>
          ) : (
            <Text as="p" tone={line.state === "unknown" ? "caution" : "subdued"}>
              {line.detail}
            </Text>
          )}
        </Box>
      </BlockStack>
    </div>
  );
}

export function ReadinessCard({ readiness }: { readiness: Readiness }) {
  const fetcher = useFetcher<ActionResult>({ key: "whatsapp-commerce" });
  const [confirming, setConfirming] = useState<{ action: Extract<LineAction, { kind: "intent" }>; line: string } | null>(null);
  // The line whose action ran last: its outcome shows on it (a failure in its detail's place, a success as
  // the line's new state), not as a banner that would push the page down.
  const [running, setRunning] = useState<{ line: string; label: string } | null>(null);
  const busy = fetcher.state !== "idle";
  // The first line with something to do gets the primary button: that is where to start.
  const firstToDo = readiness.lines.find((l) => l.action && l.state !== "done")?.id;

  const submit = (action: Extract<LineAction, { kind: "intent" }>, line: string) => {
    setConfirming(null);
    setRunning({ line, label: action.label });
    fetcher.submit(action.body as Record<string, string | boolean>, { method: "post", encType: "application/json" });
  };
  const run = (action: LineAction, line: string) => {
    if (action.kind === "scroll") document.getElementById(action.target)?.scrollIntoView({ behavior: "smooth", block: "start" });
    else if (action.kind === "intent") {
      if (action.confirm) setConfirming({ action, line });
      else submit(action, line);
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
                  <p>{confirming.action.confirm}</p>
                  <InlineStack gap="200">
                    <Button variant="primary" onClick={() => submit(confirming.action, confirming.line)}>
                      {confirming.action.label}
                    </Button>
                    <Button onClick={() => setConfirming(null)}>Cancel</Button>
                  </InlineStack>
                </BlockStack>
              </Banner>
            </div>
          )}
          <BlockStack gap="300">
            {readiness.lines.map((line, i) => (
              <BlockStack gap="300" key={line.id}>
                {i > 0 && <Divider />}
                <Line
                  line={line}
                  first={line.id === firstToDo}
                  busy={busy && running?.line === line.id}
                  failure={!busy && running?.line === line.id && fetcher.data && !fetcher.data.ok ? fetcher.data.failure.message : null}
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
