import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, E2E_TEST_TIMEOUT, launchBrowser, newPage, openApp, UI_TIMEOUT } from "../helpers/browser";
import { adminPath } from "../sandbox/admin-standin";
import type { Sandbox } from "../sandbox/sandbox";
import { startTestSandbox } from "../helpers/test-sandbox";
import { createDb, type Db } from "../../app/db.server";

/**
 * `npm run sandbox` as a person uses it, with no interception: the page
 * loads the Meta SDK stand-in from the admin stand-in (META_SDK_URL), whose
 * sign-in window hands back a code from the sandbox's Meta simulator. Its
 * messages are not from facebook.com, so the app gets the code only and
 * finds the seeded account from the token. Also the OAuth dialog fallback.
 */
describe("WhatsApp in the sandbox, with the sandbox's own Meta stand-ins", { timeout: E2E_TEST_TIMEOUT }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: Db;

  beforeAll(async () => {
    sandbox = await startTestSandbox("whatsapp-sandbox");
    db = createDb(sandbox.databaseUrl);
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await sandbox?.stop();
  });

  const level = () => appFrame(page).getByTestId("whatsapp-health").getAttribute("data-level");

  async function open() {
    await openApp(page, new URL(adminPath(sandbox.shop, "/app/whatsapp"), sandbox.adminUrl).toString());
    await expect.poll(() => appFrame(page).getByTestId("meta-login-status").first().getAttribute("data-sdk"), { timeout: UI_TIMEOUT }).toBe("ready");
  }

  it("shows the seeded connection with its two numbers", async () => {
    await open();
    expect(await level()).toBe("connected");
    await expect.poll(() => appFrame(page).getByText("+1 555-010-0002").count(), { timeout: UI_TIMEOUT }).toBe(1);
  });

  it("reconnects through the stand-in's sign-in window", async () => {
    const before = (await db.whatsAppConnection.findUniqueOrThrow({ where: { shop: sandbox.shop } })).tokenCiphertext;
    const popup = page.waitForEvent("popup");
    await appFrame(page).getByRole("button", { name: "Reconnect" }).click();
    const signin = await popup;
    await signin.getByRole("button", { name: "Finish" }).click();
    // A plain success is the admin's toast (App Bridge's, shown by the sandbox's admin in #toast).
    await expect.poll(async () => (await page.locator("#toast").textContent()) ?? "", { timeout: UI_TIMEOUT }).toMatch(/^WhatsApp is (connected|reconnected)/);
    const after = await db.whatsAppConnection.findUniqueOrThrow({ where: { shop: sandbox.shop } });
    expect(after.state).toBe("CONNECTED");
    expect(after.tokenCiphertext).not.toBe(before); // sealed again from the exchanged token
  });

  it("connects through the OAuth dialog fallback when Meta's window is closed without finishing", async () => {
    await db.whatsAppConnection.deleteMany({ where: { shop: sandbox.shop } });
    await open();
    const popup = page.waitForEvent("popup");
    await appFrame(page).getByRole("button", { name: "Connect WhatsApp" }).click();
    // The stand-in window closes itself on the click; Playwright may see it close mid-click.
    const signIn = await popup;
    await signIn.getByRole("button", { name: "Cancel" }).click().catch((error: unknown) => {
      if (!signIn.isClosed()) throw error;
    });
    await expect.poll(() => appFrame(page).getByTestId("meta-login-status").first().getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("no_code");
    const dialog = page.waitForEvent("popup");
    await appFrame(page).getByRole("button", { name: "Continue in a new window" }).click();
    const fallback = await dialog;
    await fallback.getByRole("button", { name: "Finish" }).click().catch((error: unknown) => {
      if (!fallback.isClosed()) throw error;
    });
    // Connected; with two numbers and no signup event, the merchant picks the sending number next.
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("attention");
    await expect.poll(() => appFrame(page).getByText("No number is chosen to send from.").count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect((await db.whatsAppConnection.findUniqueOrThrow({ where: { shop: sandbox.shop } })).wabaId).toBe(sandbox.meta.wabaId);
  });
});
