import { Banner, BlockStack, List } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";

/** The outcome of the last action of a card: what happened, or what went wrong and what to do. */
export function ActionResultBanner({ result, onDismiss }: { result: ActionResult | undefined; onDismiss?: () => void }) {
  if (!result) return null;
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
