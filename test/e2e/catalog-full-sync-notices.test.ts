import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, capture, E2E_TEST_TIMEOUT, launchBrowser, newPage, openApp, UI_TIMEOUT } from "../helpers/browser";
import type { Sandbox } from "../sandbox/sandbox";
import { startTestSandbox } from "../helpers/test-sandbox";
import { createDb, type Db } from "../../app/db.server";

/**
 * What the catalog page says about the full sync (issue 14): a step that
 * keeps failing, a run that failed, a catalog shared with items from
 * elsewhere, and when the whole catalog is checked next. The states are set
 * in the database as the worker leaves them (the worker's side is tested in
 * test/integration/catalog-full-sync-hardening.test.ts).
 */
describe("full sync notices on the catalog page", { timeout: E2E_TEST_TIMEOUT }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: Db;

  beforeAll(async () => {
    sandbox = await startTestSandbox("catalog-notices", { SANDBOX_PRODUCTS: "0" });
    db = createDb(sandbox.databaseUrl);
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await sandbox?.stop();
  });

  it("says the full sync is having trouble, when it tries again, and that the catalog is shared", async () => {
    const now = Date.now();
    await db.catalogConnection.update({
      where: { shop: sandbox.shop },
      data: {
        fullSyncState: "RUNNING",
        fullSyncRunId: "e2e-run",
        fullSyncCursor: "END",
        fullSyncProcessed: 12,
        fullSyncTotal: 12,
        fullSyncStartedAt: new Date(now - 10 * 60_000),
        // Minutes away: the sandbox's worker leaves the step alone meanwhile.
        fullSyncRetryAt: new Date(now + 4 * 60_000),
        fullSyncFailures: 4,
        fullSyncFailingSince: new Date(now - 5 * 60_000),
        fullSyncError: "Meta did not answer while listing the items in your Meta catalog.",
        foreignItemCount: 3,
        foreignItemExample: "shopify_9001_900101",
      },
    });
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await expect.poll(() => app.getByTestId("full-sync-trouble").textContent(), { timeout: UI_TIMEOUT }).toMatch(
      /Meta did not answer while listing the items in your Meta catalog\. The app tries again at .*; if it still fails at .*, the full sync stops/,
    );
    expect(await app.getByTestId("foreign-items").textContent()).toMatch(/This catalog also holds 3 items that this store did not add \(for example “shopify_9001_900101”\)/);
    expect(await app.getByTestId("daily-check").textContent()).toMatch(/Next daily check: after the running full sync/);
    await capture(page, "catalog-full-sync-trouble");
  });

  it("says the last full sync did not finish, and when the daily check runs next", async () => {
    await db.catalogConnection.update({
      where: { shop: sandbox.shop },
      data: { fullSyncState: "FAILED", fullSyncEndedAt: new Date(), fullSyncRetryAt: null, foreignItemCount: null, foreignItemExample: null },
    });
    await openApp(page, `${sandbox.adminUrl}/catalog`);
    const app = appFrame(page);
    await expect.poll(() => app.getByTestId("full-sync-failed").textContent(), { timeout: UI_TIMEOUT }).toMatch(
      /Meta did not answer while listing the items in your Meta catalog\. Use Resync all to try again, or the daily check will at [A-Z][a-z]{2} \d+, 20\d\d/,
    );
    expect(await app.getByTestId("foreign-items").count()).toBe(0);
    expect(await app.getByTestId("daily-check").textContent()).toMatch(/Whole catalog last checked: never · Next daily check: [A-Z][a-z]{2} \d+/);
    await capture(page, "catalog-full-sync-failed");
  });
});
