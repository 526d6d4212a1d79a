import { useEffect } from "react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Banner, BlockStack, List } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";

/**
 * The outcome of the last action of a card: what went wrong and what to do, or a success with warnings,
 * as a banner that stays until closed; a plain success as the admin's toast (5 s): the card's own new
 * state already shows it, and a banner arriving with the answer would push the page down (CLS, issue 16).
 */
export function ActionResultBanner({ result, onDismiss }: { result: ActionResult | undefined; onDismiss?: () => void }) {
  const shopify = useAppBridge();
  const toast = result?.ok === true && !result.warnings?.length;
  useEffect(() => {
    if (result?.ok && !result.warnings?.length) shopify.toast.show(result.message, { duration: 5000 });
  }, [result, shopify]);
  if (!result || toast) return null;
  if (!result.ok) {
    return (
      <div data-testid="action-error" data-code={result.failure.code}>
        <Banner tone="critical" onDismiss={onDismiss}>
          <p>{result.failure.message}</p>
        </Banner>
      </div>
    );
  }
  return (
    <div data-testid="action-success">
      <Banner tone={result.warnings?.length ? "warning" : "success"} onDismiss={onDismiss}>
        <BlockStack gap="100">
          <p>{result.message}</p>
          {result.warnings?.length ? (
            <List>
              {result.warnings.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          ) : null}
        </BlockStack>
      </Banner>
    </div>
  );
}
