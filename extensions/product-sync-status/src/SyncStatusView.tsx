/** @jsxImportSource preact */
import {
  ACTION_LABELS,
  absoluteTime,
  badgeOf,
  explainError,
  relativeTime,
  statusSummary,
  variantIdOf,
  variantOutcome,
  variantsDiffer,
  type ProductSync,
  type SyncAction,
  type SyncStatus,
  type VariantSync,
} from "./model";
import type { LoadState, Notice } from "./useSyncStatus";

/**
 * The block as the merchant sees it, from plain props: what the endpoint
 * answered (or that it is loading / failed) and callbacks for the buttons.
 * Polaris web components (`s-*`) of the admin UI extension runtime.
 */

export interface SyncStatusViewProps {
  state: LoadState;
  /** The action whose request is in flight, if any. */
  busy: SyncAction | null;
  notice: Notice | null;
  variantTitles?: Record<string, string>;
  onAction(action: SyncAction): void;
  onRetry(): void;
  now?: Date;
  locale?: string;
  timeZone?: string;
}

const HEADING = "Meta Catalog";
const CATALOG_PAGE = "app:app/catalog";

export function SyncStatusView(props: SyncStatusViewProps) {
  const { state } = props;
  if (state.kind === "loading") {
    return (
      <s-admin-block heading={HEADING}>
        <s-stack direction="inline" gap="small" alignItems="center">
          <s-spinner accessibilityLabel="Loading the catalog status" />
          <s-text color="subdued">Loading the catalog status…</s-text>
        </s-stack>
      </s-admin-block>
    );
  }
  if (state.kind === "error") {
    return (
      <s-admin-block heading={HEADING}>
        <s-banner tone="critical" heading="Could not load the catalog status">
          <s-paragraph>{state.message}</s-paragraph>
          <s-button slot="secondary-actions" onClick={() => props.onRetry()}>
            Try again
          </s-button>
        </s-banner>
      </s-admin-block>
    );
  }
  return (
    <s-admin-block heading={HEADING} collapsedSummary={summaryOf(state.data)}>
      <Ready {...props} data={state.data} />
    </s-admin-block>
  );
}

function summaryOf(data: SyncStatus): string {
  if (data.connection === "NOT_CONNECTED") return "Not connected";
  if (!data.product) return "Not synced yet";
  return badgeOf(data.product).label;
}

function Ready(props: SyncStatusViewProps & { data: SyncStatus }) {
  const { data, notice } = props;
  if (data.connection === "NOT_CONNECTED") {
    return (
      <s-stack gap="base">
        <s-stack direction="inline" gap="small">
          <s-badge tone="neutral">Not connected</s-badge>
        </s-stack>
        <s-paragraph>No Meta catalog is connected, so this product is not synced anywhere. Connect a catalog in the app to start syncing your products.</s-paragraph>
        <s-link href={CATALOG_PAGE}>Connect a Meta catalog</s-link>
      </s-stack>
    );
  }
  return (
    <s-stack gap="base">
      {data.connection === "NEEDS_RECONNECT" && (
        <s-banner tone="warning" heading="Catalog sync is paused">
          <s-paragraph>
            Meta no longer accepts the app's access to your catalog. Reconnect the catalog in the app: changes made meanwhile are kept and sent once you
            reconnect.
          </s-paragraph>
          <s-link href={CATALOG_PAGE}>Reconnect the catalog</s-link>
        </s-banner>
      )}
      {data.product ? (
        <Product {...props} product={data.product} />
      ) : (
        <s-stack gap="small">
          <s-stack direction="inline" gap="small">
            <s-badge tone="neutral">Not synced yet</s-badge>
          </s-stack>
          <s-paragraph>The app has not received this product yet. Save the product in Shopify to send it, or wait for the next full sync.</s-paragraph>
        </s-stack>
      )}
      {notice && (
        <s-banner tone={notice.tone}>
          <s-paragraph>{notice.message}</s-paragraph>
        </s-banner>
      )}
    </s-stack>
  );
}

function Product(props: SyncStatusViewProps & { product: ProductSync }) {
  const { product, busy, now = new Date(), locale = "en", timeZone } = props;
  const { label, tone } = badgeOf(product);
  const variants = product.variants.map(variantOutcome);
  const held = product.status === "REJECTED" || product.status === "NEEDS_FIXING" ? variants.find((v) => v.verdict === "REJECTED" || v.verdict === "NEEDS_FIXING") : undefined;
  const differ = variantsDiffer(variants);
  const toggle: SyncAction = product.excluded ? "include" : "exclude";
  return (
    <s-stack gap="base">
      <s-stack direction="inline" gap="small" alignItems="center">
        <s-badge tone={tone}>{label}</s-badge>
        <s-text color="subdued">
          {product.lastSyncedAt
            ? `Last synced ${relativeTime(product.lastSyncedAt, now, locale)} (${absoluteTime(product.lastSyncedAt, locale, timeZone)})`
            : "Never synced to Meta"}
        </s-text>
      </s-stack>
      <s-paragraph>{statusSummary(product)}</s-paragraph>
      {product.status === "FAILED" && !differ && <FailureBanner message={product.lastError ?? product.variants.find((v) => v.error)?.error ?? null} />}
      {product.status === "FAILED" && differ && (
        <s-banner tone="critical" heading={`${variants.filter((v) => v.status === "FAILED").length} of ${variants.length} variants were not accepted`}>
          <s-paragraph>Each variant below says what Meta objected to and what to change in Shopify.</s-paragraph>
        </s-banner>
      )}
      {held && <ReviewBanner variant={held} />}
      {product.status === "EXCLUDED" && product.lastError && <s-paragraph>Why: {product.lastError}</s-paragraph>}
      {differ && <Variants variants={variants} titles={props.variantTitles ?? {}} />}
      <s-stack direction="inline" gap="small">
        {!product.excluded && (
          <s-button variant="primary" onClick={() => props.onAction("sync")} loading={busy === "sync"} disabled={busy !== null && busy !== "sync"}>
            {ACTION_LABELS.sync.label}
          </s-button>
        )}
        <s-button onClick={() => props.onAction(toggle)} loading={busy === toggle} disabled={busy !== null && busy !== toggle}>
          {ACTION_LABELS[toggle].label}
        </s-button>
      </s-stack>
      <s-link href={`${CATALOG_PAGE}/${product.productId}`}>Open in the app</s-link>
    </s-stack>
  );
}

function FailureBanner({ message }: { message: string | null }) {
  if (!message) {
    return (
      <s-banner tone="critical" heading="Meta did not accept this product">
        <s-paragraph>Meta gave no reason. Try "Sync now"; if it fails again, open the product in the app for details.</s-paragraph>
      </s-banner>
    );
  }
  const e = explainError(message);
  return (
    <s-banner tone="critical" heading={e.kind === "Other" ? "Meta did not accept this product" : e.kind}>
      <s-paragraph>Meta says: {e.message}</s-paragraph>
      <s-paragraph>What to do: {e.action}</s-paragraph>
    </s-banner>
  );
}

/** Meta's review holds the product back: Meta's reason, the image it could not download, and the fix. */
function ReviewBanner({ variant }: { variant: VariantSync }) {
  const rejected = variant.verdict === "REJECTED";
  return (
    <s-banner tone={rejected ? "critical" : "warning"} heading={rejected ? "Meta rejected this product" : "Meta needs a fix before it shows this product"}>
      {variant.reason && <s-paragraph>Meta says: {variant.reason}</s-paragraph>}
      {variant.image && <s-paragraph>Image: {variant.image}</s-paragraph>}
      {variant.fix && <s-paragraph>What to do: {variant.fix}</s-paragraph>}
    </s-banner>
  );
}

function variantName(v: VariantSync, titles: Record<string, string>) {
  const id = variantIdOf(v.retailerId);
  if (id && titles[id]) return titles[id];
  return id ? `Variant ${id}` : v.retailerId;
}

/** The admin shows a block 300px high before "Show more": failed variants first, and at most this many. */
export const MAX_VARIANTS_SHOWN = 8;

function Variants({ variants, titles }: { variants: VariantSync[]; titles: Record<string, string> }) {
  const rank = (v: VariantSync) => (v.status === "FAILED" || v.verdict === "REJECTED" ? 2 : v.verdict === "NEEDS_FIXING" ? 1 : 0);
  const ordered = [...variants].sort((a, b) => rank(b) - rank(a));
  const shown = ordered.slice(0, MAX_VARIANTS_SHOWN);
  const hidden = ordered.length - shown.length;
  return (
    <s-section heading="Variants">
      <s-stack gap="small">
        {shown.map((v) => {
          const { label, tone } = badgeOf(v);
          const e = v.error ? explainError(v.error) : null;
          const review = !e && (v.verdict === "REJECTED" || v.verdict === "NEEDS_FIXING") ? v : null;
          return (
            <s-stack key={v.retailerId} gap="small-300">
              <s-stack direction="inline" gap="small" alignItems="center">
                <s-text type="strong">{variantName(v, titles)}</s-text>
                <s-badge tone={tone}>{label}</s-badge>
              </s-stack>
              {e && (
                <s-text color="subdued">
                  {e.message} What to do: {e.action}
                </s-text>
              )}
              {review && (
                <s-text color="subdued">
                  {review.reason ?? ""} What to do: {review.fix ?? "open the product in the app."}
                </s-text>
              )}
            </s-stack>
          );
        })}
        {hidden > 0 && (
          <s-text color="subdued">
            And {hidden} more variant{hidden === 1 ? "" : "s"}: open the product in the app to see them all.
          </s-text>
        )}
      </s-stack>
    </s-section>
  );
}
