import { useEffect, useState } from "react";
import { Banner } from "@shopify/polaris";
import type { ActionResult } from "../../catalog/actions.server";

/**
 * What the last action did, as a banner that stays until the merchant closes it or acts again
 * (a toast vanished before it could be read, issue 16), in the colour of the outcome.
 */
export function ActionResultBanner({ result }: { result: ActionResult | undefined }) {
  const [dismissed, setDismissed] = useState<ActionResult | undefined>(undefined);
  useEffect(() => setDismissed(undefined), [result]);
  if (!result || dismissed === result) return null;
  const dismiss = () => setDismissed(result);
  return (
    <div data-testid="action-result">
      {result.ok ? (
        <Banner tone="success" onDismiss={dismiss}>
          <p>{result.message}</p>
        </Banner>
      ) : (
        <Banner tone="critical" onDismiss={dismiss}>
          <p>{result.error}</p>
        </Banner>
      )}
    </div>
  );
}
