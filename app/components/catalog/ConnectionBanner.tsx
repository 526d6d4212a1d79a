import { Banner } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { catalogHealth } from "./catalog-health";
import { formatTime } from "./StatusBadge";

/**
 * What is wrong with the connection, once, in the colour of the outcome: a Meta outage (the app
 * retries, nothing to do), Meta's throttling (the app waits), or a token Meta refused (Reconnect).
 */
export function ConnectionBanner({ connection, pending }: { connection: CatalogPageData["connection"]; pending: number }) {
  const health = catalogHealth(connection);
  if (health === "UNREACHABLE" && connection) {
    return (
      <Banner tone="warning" title="Meta is not answering">
        <p>
          Meta is not answering; the app retries by itself, nothing is lost.
          {pending > 0 ? ` ${pending} product change${pending === 1 ? " waits" : "s wait"} and go${pending === 1 ? "es" : ""} out as soon as Meta answers.` : ""}
        </p>
        <p>
          Last successful sync: {formatTime(connection.lastSuccessAt)}. No answer since {formatTime(connection.unreachableSince)}.
        </p>
      </Banner>
    );
  }
  if (health === "THROTTLED" && connection) {
    return (
      <Banner tone="warning" title="Meta asked the app to slow down">
        <p>{connection.lastError ?? "Meta is throttling catalog updates; syncing resumes by itself."} Nothing is lost meanwhile.</p>
      </Banner>
    );
  }
  if (health === "NEEDS_RECONNECT" && connection) {
    return (
      <Banner tone="critical" title="Catalog sync is paused">
        <p>{connection.reason}</p>
      </Banner>
    );
  }
  return null;
}
