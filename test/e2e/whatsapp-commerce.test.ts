import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { appFrame, capture, launchBrowser, newPage } from "../helpers/browser";
import { adminPath } from "../sandbox/admin-standin";
import type { Sandbox } from "../sandbox/sandbox";
import { startTestSandbox } from "../helpers/test-sandbox";
import { seedMetaConnections } from "../sandbox/seed";
import { createDb, type Db } from "../../app/db.server";

/**
 * WhatsApp commerce (issue 18) as a person meets it in `npm run sandbox`,
 * with no Meta or Shopify account: the readiness checklist with each line in
 * each of its states, the product picker, and a product message followed to
 * delivered; the customer service window opened with the admin stand-in's
 * "Send “Hi” on WhatsApp" button, which plays the merchant's phone writing
 * to the shop through the Meta simulator. Screenshots at 1280 and 390 px
 * (test/output/screenshots/whatsapp-commerce-*).
 */
describe("WhatsApp commerce in the sandbox", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: Db;
  const app = () => appFrame(page);
  const sim = () => sandbox.simulator!;
  const wabaToken = () => sandbox.meta.wabaToken;
  const activeNumber = () => sandbox.meta.phoneNumbers[0].id;

  beforeAll(async () => {
    sandbox = await startTestSandbox("whatsapp-commerce");
    db = createDb(sandbox.databaseUrl);
    browser = await launchBrowser();
    page = await newPage(browser);
    // The first full sync runs at boot: wait for the demo products to reach the catalog and Meta to approve them (Live).
    const deadline = Date.now() + 60_000;
    while ((await db.productSync.count({ where: { shop: sandbox.shop, status: "SYNCED", review: "LIVE" } })) < 6) {
      if (Date.now() > deadline) throw new Error("the sandbox's first full sync did not finish in time");
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await sandbox?.stop();
  });

  /** Opens the WhatsApp page, asking Meta again (the stored link and settings are made stale first). */
  async function open() {
    await db.whatsAppCommerce.updateMany({ where: { shop: sandbox.shop }, data: { checkedAt: null } });
    await page.goto(new URL(adminPath(sandbox.shop, "/app/whatsapp"), sandbox.adminUrl).toString());
    await expect.poll(() => app().getByTestId("readiness").count(), { timeout: 20_000 }).toBe(1);
  }

  const states = async () => {
    const out: Record<string, string | null> = {};
    for (const id of ["whatsapp", "number", "catalog", "link", "settings", "products"]) out[id] = await app().getByTestId(`readiness-line-${id}`).getAttribute("data-state");
    return out;
  };

  /** Both widths, accessibility and Web Vitals of the state (test/helpers/browser.ts capture). */
  const shots = (name: string) => capture(page, `whatsapp-commerce-${name}`);

  const restoreToken = (extraCatalogs: string[] = []) =>
    sim().control.seedToken({
      value: wabaToken(),
      scopes: ["whatsapp_business_management", "whatsapp_business_messaging", "business_management", "catalog_management"],
      granular: {
        whatsapp_business_management: [sandbox.meta.wabaId],
        whatsapp_business_messaging: [sandbox.meta.wabaId],
        business_management: [sandbox.meta.businessId],
        catalog_management: [sandbox.meta.catalogId, ...extraCatalogs],
      },
    });

  it("shows the checklist with every line in each of its states", async () => {
    // 1. Nothing connected: the first lines to do, the rest waiting.
    const catalogRow = await db.catalogConnection.findUniqueOrThrow({ where: { shop: sandbox.shop } });
    await db.whatsAppConnection.deleteMany({ where: { shop: sandbox.shop } });
    await db.catalogConnection.update({ where: { shop: sandbox.shop }, data: { state: "DISCONNECTED", catalogId: null } });
    await open();
    expect(await states()).toEqual({ whatsapp: "todo", number: "blocked", catalog: "todo", link: "blocked", settings: "blocked", products: "blocked" });
    await shots("checklist-nothing-connected");

    // 2. Connected, but the number is not registered and no product has synced yet.
    await seedMetaConnections(db, sandbox.shop, { ...sandbox.meta });
    await db.catalogConnection.update({ where: { shop: sandbox.shop }, data: { state: "CONNECTED", catalogId: catalogRow.catalogId } });
    await db.phoneNumber.updateMany({ where: { shop: sandbox.shop, phoneNumberId: activeNumber() }, data: { registered: false } });
    const synced = await db.productSync.findMany({ where: { shop: sandbox.shop, status: "SYNCED" }, select: { id: true } });
    await db.productSync.updateMany({ where: { id: { in: synced.map((p) => p.id) } }, data: { status: "PENDING" } });
    await open();
    expect(await states()).toEqual({ whatsapp: "todo", number: "todo", catalog: "done", link: "todo", settings: "blocked", products: "todo" });
    await shots("checklist-to-do");

    // 3. Meta cannot be asked: the WhatsApp token lost catalog_management, and the settings do not answer.
    await db.phoneNumber.updateMany({ where: { shop: sandbox.shop, phoneNumberId: activeNumber() }, data: { registered: true } });
    await db.productSync.updateMany({ where: { id: { in: synced.map((p) => p.id) } }, data: { status: "SYNCED" } });
    sim().faults.revokeScope(wabaToken(), "catalog_management");
    sim().faults.add({ kind: "error", endpoint: "GET /{phone-number-id}/whatsapp_commerce_settings", times: 2 });
    await open();
    expect(await states()).toMatchObject({ number: "done", catalog: "done", link: "unknown", settings: "unknown", products: "done" });
    expect(await app().getByTestId("readiness-line-link").innerText()).toContain("Manage your catalogs (catalog_management)");
    await shots("checklist-not-checked");

    // 4. Another catalog is linked (replace, after confirming), and the catalog is hidden in chats.
    const agency = sim().control.seedCatalog({ businessId: sandbox.meta.businessId, name: "Agency catalog" });
    restoreToken([agency.id]); // the merchant may manage both catalogs, so the old one can be unlinked
    sim().faults.clear();
    sim().control.setLinkedCatalog(sandbox.meta.wabaId, agency.id);
    await app().getByTestId("readiness-action-link").getByRole("button").click();
    await expect.poll(() => app().getByTestId("readiness-line-link").getAttribute("data-state"), { timeout: 15_000 }).toBe("todo");
    expect(await states()).toMatchObject({ link: "todo", settings: "todo" });
    await app().getByTestId("readiness-action-link").getByRole("button").click();
    await expect.poll(() => app().getByTestId("readiness-confirm").count()).toBe(1);
    await shots("checklist-replace-confirm");
    await app().getByTestId("readiness-confirm").getByRole("button", { name: /^Replace with/ }).click();
    await expect.poll(() => app().getByTestId("readiness-line-link").getAttribute("data-state"), { timeout: 15_000 }).toBe("done");
    expect(sim().control.linkedCatalog(sandbox.meta.wabaId)).toBe(sandbox.meta.catalogId);

    // 5. "Turn on": everything done.
    await app().getByTestId("readiness-action-settings").getByRole("button", { name: "Turn on" }).click();
    await expect.poll(() => app().getByTestId("readiness-line-settings").getAttribute("data-state"), { timeout: 15_000 }).toBe("done");
    expect(sim().control.commerceSettings(activeNumber())).toMatchObject({ cartEnabled: true, catalogVisible: true });
    await expect.poll(() => app().getByTestId("readiness").getAttribute("data-done")).toBe("6");
    await shots("checklist-ready");

    // The Overview sums it up.
    await page.goto(sandbox.adminUrl);
    await expect.poll(() => app().getByTestId("commerce-summary").getAttribute("data-done"), { timeout: 15_000 }).toBe("6");
  }, 120_000);

  it("opens the window with the sandbox's button, picks products and follows a product message to delivered", async () => {
    await open();
    expect(await app().getByTestId("product-window").getAttribute("data-open")).toBe("no");
    // The admin stand-in's header plays the merchant's phone writing "Hi" to the shop's number.
    await page.getByRole("button", { name: "Send “Hi” on WhatsApp" }).click();
    await expect.poll(() => app().getByTestId("product-window").getAttribute("data-open"), { timeout: 15_000 }).toBe("yes");
    await expect.poll(() => app().getByText("Message received from •••0100").count()).toBe(1);

    const options = app().getByTestId("product-picker").locator("[data-testid^=product-option-]");
    expect(await options.count()).toBeGreaterThan(5);
    await app().getByLabel("Find a product").fill("Shirt");
    await expect.poll(() => options.count()).toBe(2);
    await options.nth(0).getByRole("checkbox").check();
    await shots("product-picker");
    await app().getByLabel("Find a product").fill("");
    await expect.poll(() => options.count()).toBeGreaterThan(5);

    sim().control.configure({ statusDelaysMs: { sent: 200, delivered: 600, read: 120_000 } });
    await app().getByTestId("product-send").getByRole("button", { name: "Send product" }).click();
    const status = () => app().getByTestId("product-message-status").getAttribute("data-status");
    await expect.poll(status, { timeout: 15_000 }).toBe("DELIVERED");
    expect(await app().getByTestId("product-timeline-delivered").getAttribute("data-done")).toBe("yes");
    const sent = sim().control.messages().at(-1)!;
    expect(sent).toMatchObject({ to: "+14155550100", type: "interactive", interactive: { type: "product", catalogId: sandbox.meta.catalogId } });
    await shots("product-delivered");

    // Several products: one multi-product message.
    sim().control.configure({ statusDelaysMs: { sent: 50, delivered: 100, read: 100 } });
    await expect.poll(() => app().getByText("Choose 1 to 30 products").count()).toBe(1); // the sent choice was cleared
    for (const i of [0, 1, 2]) await options.nth(i).getByRole("checkbox").check();
    await app().getByTestId("product-send").getByRole("button", { name: "Send 3 products" }).click();
    await expect.poll(() => sim().control.messages().at(-1)?.interactive?.type, { timeout: 15_000 }).toBe("product_list");
    await expect.poll(status, { timeout: 15_000 }).toBe("READ");
  }, 90_000);
});
