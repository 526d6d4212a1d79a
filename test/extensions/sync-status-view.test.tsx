/** @jsxImportSource preact */
// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { SyncStatusView, type SyncStatusViewProps } from "../../extensions/product-sync-status/src/SyncStatusView";
import type { ProductSync, SyncStatus } from "../../extensions/product-sync-status/src/model";
import { classifyError } from "../../app/catalog/failure-kinds";
import { mount, type Mounted } from "./render";

/** The pure view, one state at a time: props in, text and button callbacks out. */

const NOW = new Date("2026-11-01T10:05:00Z");

function product(overrides: Partial<ProductSync> = {}): ProductSync {
  return {
    productId: "123",
    status: "LIVE",
    excluded: false,
    lastError: null,
    lastSyncedAt: "2026-11-01T10:00:00Z",
    verdict: "LIVE",
    variants: [
      { retailerId: "shopify_123_1001", status: "SYNCED", error: null, verdict: "LIVE" },
      { retailerId: "shopify_123_1002", status: "SYNCED", error: null, verdict: "LIVE" },
    ],
    ...overrides,
  };
}

let view: Mounted | undefined;
afterEach(() => view?.unmount());

async function show(data: SyncStatus | SyncStatusViewProps["state"], extra: Partial<SyncStatusViewProps> = {}) {
  const onAction = vi.fn();
  const onRetry = vi.fn();
  const state = "kind" in data ? data : ({ kind: "ready", data } as const);
  view = await mount(
    <SyncStatusView state={state} busy={null} notice={null} onAction={onAction} onRetry={onRetry} now={NOW} locale="en" timeZone="UTC" {...extra} />,
  );
  return { view, onAction, onRetry };
}

describe("product sync status block (view)", () => {
  it("loading: a spinner and no buttons", async () => {
    const { view } = await show({ kind: "loading" });
    expect(view.root.querySelector("s-spinner")).not.toBeNull();
    expect(view.text()).toContain("Loading the catalog status");
    expect(view.buttonLabels()).toEqual([]);
    expect(view.root.querySelector("s-admin-block")!.getAttribute("heading")).toBe("Meta Catalog");
  });

  it("Meta's review (issue 17): Live, Sent, and a rejected variant with Meta's reason and the fix", async () => {
    const live = await show({ connection: "CONNECTED", product: product({ status: "LIVE", verdict: "LIVE" }) });
    expect(live.view.root.querySelector("s-badge")!.textContent).toBe("Live");
    expect(live.view.root.querySelector("s-badge")!.getAttribute("tone")).toBe("success");
    expect(live.view.text()).toContain("Meta approved it");
    live.view.unmount();

    const sent = await show({ connection: "CONNECTED", product: product({ status: "SENT", verdict: "SENT" }) });
    expect(sent.view.root.querySelector("s-badge")!.textContent).toBe("Sent");
    expect(sent.view.text()).toContain("Meta accepted the latest change and is reviewing it");
    sent.view.unmount();

    const reason = "Item rejected for counterfeit goods.";
    const fix = "Remove the words that suggest a replica from the title.";
    const { view } = await show({
      connection: "CONNECTED",
      product: product({
        status: "REJECTED",
        verdict: "REJECTED",
        variants: [
          { retailerId: "shopify_123_1001", status: "SYNCED", error: null, verdict: "LIVE", reason: null, fix: null, image: null },
          { retailerId: "shopify_123_1002", status: "SYNCED", error: null, verdict: "REJECTED", reason, fix, image: null },
        ],
      }),
    });
    expect(view.root.querySelector("s-badge")!.textContent).toBe("Rejected");
    const banner = view.root.querySelector("s-banner")!;
    expect(banner.getAttribute("heading")).toBe("Meta rejected this product");
    expect(banner.textContent).toContain(`Meta says: ${reason}`);
    expect(banner.textContent).toContain(`What to do: ${fix}`);
    // The variants differ: each with its verdict, the rejected one first.
    const badges = [...view.root.querySelectorAll("s-section s-badge")].map((b) => b.textContent);
    expect(badges).toEqual(["Rejected", "Live"]);
  });

  it("Live: the badge, when it last synced, Sync now and Exclude from catalog", async () => {
    const { view, onAction } = await show({ connection: "CONNECTED", product: product() });
    expect(view.root.querySelector("s-badge")!.textContent).toBe("Live");
    expect(view.root.querySelector("s-badge")!.getAttribute("tone")).toBe("success");
    expect(view.text()).toContain("Last synced 5 minutes ago (Nov 1, 2026, 10:00 AM)");
    expect(view.text()).toContain("Live: Meta approved it, and shoppers can see it");
    expect(view.buttonLabels()).toEqual(["Sync now", "Exclude from catalog"]);
    // Variants that agree are not listed one by one.
    expect(view.root.querySelector("s-section")).toBeNull();

    await view.click("Sync now");
    await view.click("Exclude from catalog");
    expect(onAction.mock.calls).toEqual([["sync"], ["exclude"]]);
  });

  it("Pending: never synced yet, waiting for the worker", async () => {
    const { view } = await show({ connection: "CONNECTED", product: product({ status: "PENDING", lastSyncedAt: null }) });
    expect(view.root.querySelector("s-badge")!.textContent).toBe("Pending");
    expect(view.text()).toContain("Never synced to Meta");
    expect(view.text()).toContain("Waiting to be sent to your Meta catalog");
    expect(view.buttonLabels()).toEqual(["Sync now", "Exclude from catalog"]);
  });

  it("Failed with one error for every variant: Meta's message, its kind and what to do", async () => {
    const message = "The product has no image. Add an image in Shopify; Meta requires one.";
    const { view } = await show({
      connection: "CONNECTED",
      product: product({
        status: "FAILED",
        lastError: message,
        variants: [
          { retailerId: "shopify_123_1001", status: "FAILED", error: message },
          { retailerId: "shopify_123_1002", status: "FAILED", error: message },
        ],
      }),
    });
    const banner = view.root.querySelector("s-banner")!;
    expect(banner.getAttribute("tone")).toBe("critical");
    expect(banner.getAttribute("heading")).toBe(classifyError(message).kind);
    expect(banner.textContent).toContain(`Meta says: ${message}`);
    expect(banner.textContent).toContain(`What to do: ${classifyError(message).action}`);
    expect(view.root.querySelector("s-section")).toBeNull();
    expect(view.buttonLabels()).toEqual(["Sync now", "Exclude from catalog"]);
  });

  it("Failed with per-variant errors: lists each variant with its status, error and action", async () => {
    const noPrice = "The variant has no price. Set a price in Shopify.";
    const metaSays = "Missing required field: color";
    const { view } = await show(
      {
        connection: "CONNECTED",
        product: product({
          status: "FAILED",
          lastError: `${noPrice} ${metaSays}`,
          variants: [
            { retailerId: "shopify_123_1001", status: "SYNCED", error: null },
            { retailerId: "shopify_123_1002", status: "FAILED", error: noPrice },
            { retailerId: "shopify_123_1003", status: "FAILED", error: metaSays },
          ],
        }),
      },
      { variantTitles: { "1001": "S / Red", "1002": "M / Red" } },
    );
    expect(view.root.querySelector("s-banner")!.getAttribute("heading")).toBe("2 of 3 variants were not accepted");
    const section = view.root.querySelector("s-section")!;
    expect(section.getAttribute("heading")).toBe("Variants");
    const rows = [...section.querySelectorAll(":scope > s-stack > s-stack")].map((r) => r.textContent!.replace(/\s+/g, " ").trim());
    // Failed variants first.
    expect(rows).toEqual([
      `M / RedFailed${noPrice} What to do: ${classifyError(noPrice).action}`,
      // No title known: the Shopify variant id from the catalog item id.
      `Variant 1003Failed${metaSays} What to do: ${classifyError(metaSays).action}`,
      "S / RedSent",
    ]);
    expect(classifyError(noPrice).action).not.toBe(classifyError(metaSays).action);
  });

  it("a failed product's variants without an error went through: shown as Sent, not counted as refused", async () => {
    const noImage = "Image could not be downloaded from the link";
    const { view } = await show({
      connection: "CONNECTED",
      product: product({
        status: "FAILED",
        lastError: noImage,
        variants: [
          { retailerId: "shopify_123_1001", status: "FAILED", error: null },
          { retailerId: "shopify_123_1002", status: "FAILED", error: noImage },
        ],
      }),
    });
    expect(view.root.querySelector("s-banner")!.getAttribute("heading")).toBe("1 of 2 variants were not accepted");
    const rows = [...view.root.querySelectorAll("s-section > s-stack > s-stack")].map((r) => r.textContent);
    expect(rows).toEqual([`Variant 1002Failed${noImage} What to do: ${classifyError(noImage).action}`, "Variant 1001Sent"]);
  });

  it("lists at most a few variants, failed ones first, and says how many more there are", async () => {
    const variants = Array.from({ length: 12 }, (_, i) => ({
      retailerId: `shopify_123_${2000 + i}`,
      status: i % 3 === 0 ? ("FAILED" as const) : ("SYNCED" as const),
      error: i % 3 === 0 ? "Invalid price" : null,
    }));
    const { view } = await show({ connection: "CONNECTED", product: product({ status: "FAILED", variants }) });
    const rows = [...view.root.querySelectorAll("s-section > s-stack > s-stack")].map((r) => r.querySelector("s-text")!.textContent);
    expect(rows).toEqual(["Variant 2000", "Variant 2003", "Variant 2006", "Variant 2009", "Variant 2001", "Variant 2002", "Variant 2004", "Variant 2005"]);
    expect(view.text()).toContain("And 4 more variants: open the product in the app to see them all.");
    expect(view.root.querySelector("s-banner")!.getAttribute("heading")).toBe("4 of 12 variants were not accepted");
  });

  it("Excluded by the merchant: only Include again", async () => {
    const { view, onAction } = await show({
      connection: "CONNECTED",
      product: product({ status: "EXCLUDED", excluded: true, variants: [] }),
    });
    expect(view.root.querySelector("s-badge")!.textContent).toBe("Excluded");
    expect(view.text()).toContain("You excluded this product");
    expect(view.buttonLabels()).toEqual(["Include again"]);
    await view.click("Include again");
    expect(onAction).toHaveBeenCalledWith("include");
  });

  it("Excluded by its Shopify status: says why, and can still be excluded for good", async () => {
    const { view } = await show({
      connection: "CONNECTED",
      product: product({ status: "EXCLUDED", lastError: "The product is a draft in Shopify.", variants: [] }),
    });
    expect(view.text()).toContain("Why: The product is a draft in Shopify.");
    expect(view.buttonLabels()).toEqual(["Sync now", "Exclude from catalog"]);
  });

  it("Not connected: says so, links to connecting a catalog, offers no buttons", async () => {
    const { view } = await show({ connection: "NOT_CONNECTED", product: null });
    expect(view.root.querySelector("s-badge")!.textContent).toBe("Not connected");
    expect(view.text()).toContain("No Meta catalog is connected");
    expect(view.root.querySelector("s-link")!.getAttribute("href")).toBe("app:app/catalog");
    expect(view.buttonLabels()).toEqual([]);
  });

  it("a catalog that needs reconnecting: a warning above the product's status", async () => {
    const { view } = await show({ connection: "NEEDS_RECONNECT", product: product({ status: "PENDING" }) });
    const banner = view.root.querySelector("s-banner")!;
    expect(banner.getAttribute("tone")).toBe("warning");
    expect(banner.getAttribute("heading")).toBe("Catalog sync is paused");
    expect(view.root.querySelector("s-badge")!.textContent).toBe("Pending");
  });

  it("a product the app has not received yet: no buttons (there is nothing to act on)", async () => {
    const { view } = await show({ connection: "CONNECTED", product: null });
    expect(view.text()).toContain("Not synced yet");
    expect(view.text()).toContain("The app has not received this product yet");
    expect(view.buttonLabels()).toEqual([]);
  });

  it("endpoint error: the message and Try again", async () => {
    const { view, onRetry, onAction } = await show({ kind: "error", message: "Could not reach the app. Check your connection and try again." });
    const banner = view.root.querySelector("s-banner")!;
    expect(banner.getAttribute("tone")).toBe("critical");
    expect(banner.getAttribute("heading")).toBe("Could not load the catalog status");
    expect(banner.textContent).toContain("Could not reach the app.");
    await view.click("Try again");
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(onAction).not.toHaveBeenCalled();
  });

  it("while an action runs: its button shows loading and the other is disabled", async () => {
    const { view } = await show({ connection: "CONNECTED", product: product() }, { busy: "exclude" });
    expect(view.button("Exclude from catalog").hasAttribute("loading")).toBe(true);
    expect(view.button("Sync now").hasAttribute("disabled")).toBe(true);
    expect(view.button("Exclude from catalog").hasAttribute("disabled")).toBe(false);
  });

  it("shows the outcome of the last action", async () => {
    const { view } = await show(
      { connection: "CONNECTED", product: product({ status: "PENDING" }) },
      { notice: { tone: "critical", message: "Could not queue the sync: This product has not reached the app yet" } },
    );
    const banners = [...view.root.querySelectorAll("s-banner")];
    expect(banners.map((b) => [b.getAttribute("tone"), b.textContent])).toEqual([
      ["critical", "Could not queue the sync: This product has not reached the app yet"],
    ]);
  });
});
