import { Banner, BlockStack, Box, Button, InlineStack, Spinner, Text } from "@shopify/polaris";
import { useMetaLogin, type MetaLoginConfig, type MetaLoginResult, type MetaLoginStatus } from "./use-meta-login";

/**
 * A button that runs Meta login (Embedded Signup or Login for Business) and
 * the messages around it: waiting, cancelled, Meta's own error with its
 * session id for support, and the fallback window when the popup is blocked
 * or no code comes back. The parent receives the code and submits it.
 */

export interface MetaLoginButtonProps {
  config: MetaLoginConfig;
  label: string;
  onResult: (result: MetaLoginResult) => void;
  /** The parent is exchanging the code. */
  busy?: boolean;
  disabled?: boolean;
  variant?: "primary" | "secondary";
  tone?: "critical";
  /** What the flow is for, in messages ("WhatsApp", "your catalog"). */
  subject?: string;
}

const humanStep = (step: string | null) => (step ? step.toLowerCase().replace(/_/g, " ") : null);

function StatusNote({ status, subject, openDialog }: { status: MetaLoginStatus; subject: string; openDialog: () => void }) {
  const fallback = (
    <Box>
      <Button onClick={openDialog}>Continue in a new window</Button>
    </Box>
  );
  switch (status.kind) {
    case "waiting":
    case "finishing":
    case "dialog_open":
      return (
        <InlineStack gap="200" blockAlign="center">
          <Spinner size="small" accessibilityLabel="Waiting for Meta" />
          <Text as="span" tone="subdued">
            {status.kind === "dialog_open" ? "Complete the steps in the new Meta window…" : "Complete the steps in Meta's window…"}
          </Text>
        </InlineStack>
      );
    case "cancelled":
      return (
        <Banner tone="warning" title="Meta's window was closed before the end">
          <p>
            {humanStep(status.currentStep) ? `You stopped at the step “${humanStep(status.currentStep)}”. ` : ""}
            Nothing was changed. Click the button again to connect {subject}.
          </p>
        </Banner>
      );
    case "user_error":
      return (
        <Banner tone="critical" title="Meta reported a problem">
          <BlockStack gap="100">
            <p>
              {status.message}
              {status.errorCode ? ` (error ${status.errorCode})` : ""}
            </p>
            {status.sessionId && (
              <p>
                If it happens again, contact Meta support and give them this session ID:{" "}
                <Text as="span" fontWeight="semibold">
                  <span data-testid="meta-session-id">{status.sessionId}</span>
                </Text>
              </p>
            )}
          </BlockStack>
        </Banner>
      );
    case "no_code":
      // Closed before the end is, almost always, the merchant closing Meta's window: said as a cancel, with
      // the way out for the rarer blocked pop-up. Only a window that finished without the code is Meta's fault.
      return status.finished ? (
        <Banner tone="warning" title="Meta did not hand the sign-in back">
          <BlockStack gap="200">
            <p>Meta&apos;s window finished, but the sign-in code did not arrive. Continue in a new window to finish connecting {subject}.</p>
            {fallback}
          </BlockStack>
        </Banner>
      ) : (
        <Banner tone="info" title="Meta's window was closed">
          <BlockStack gap="200">
            <p>
              Nothing was changed. Click the button again when you want to connect {subject}. If Meta&apos;s window did not open at all, your
              browser blocked it: continue in a new window instead.
            </p>
            {fallback}
          </BlockStack>
        </Banner>
      );
    case "sdk_unavailable":
      return (
        <Banner tone="warning" title="Meta's sign-in did not load">
          <BlockStack gap="200">
            <p>A browser extension or the network may be blocking Meta. You can sign in in a new window instead.</p>
            {fallback}
          </BlockStack>
        </Banner>
      );
    case "dialog_blocked":
      return (
        <Banner tone="warning" title="The browser blocked the new window">
          <BlockStack gap="200">
            <p>Allow pop-ups for this app, then try again.</p>
            {fallback}
          </BlockStack>
        </Banner>
      );
    case "dialog_error":
      return (
        <Banner tone="warning" title="Meta's window did not finish">
          <p>{status.message}. Nothing was changed.</p>
        </Banner>
      );
    default:
      return null;
  }
}

export function MetaLoginButton(props: MetaLoginButtonProps) {
  const { status, sdkState, launch, openDialog } = useMetaLogin(props.config, props.onResult);
  const inFlight = status.kind === "waiting" || status.kind === "finishing" || status.kind === "dialog_open";
  return (
    <BlockStack gap="200">
      <Box>
        <Button
          variant={props.variant ?? "primary"}
          tone={props.tone}
          onClick={launch}
          // Until the SDK is ready a click could not open the popup synchronously; a failed load offers the fallback.
          loading={props.busy || sdkState === "loading"}
          disabled={props.disabled || inFlight}
        >
          {props.label}
        </Button>
      </Box>
      <div data-testid="meta-login-status" data-state={status.kind} data-sdk={sdkState}>
        <StatusNote status={status} subject={props.subject ?? "your account"} openDialog={openDialog} />
      </div>
    </BlockStack>
  );
}
