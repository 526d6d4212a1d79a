import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Frame, Page, Route } from "playwright-core";
import { appFrame, capture, E2E_TEST_TIMEOUT, launchBrowser, newPage, openApp, UI_TIMEOUT } from "../helpers/browser";
import { freePort } from "../helpers/app-process";
import { OUTPUT } from "../helpers/global-setup";
import { seedSignupAccount, type SignupAccount } from "../helpers/whatsapp";
import { adminPath } from "../sandbox/admin-standin";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { createDb, type Db } from "../../app/db.server";

/**
 * The WhatsApp page in headless Chromium through the sandbox's admin
 * stand-in, with Meta's side played by stand-ins at Meta's real URLs:
 * Playwright fulfils https://connect.facebook.net/en_US/sdk.js with
 * test/sandbox/public/facebook-sdk.js and https://www.facebook.com/... with
 * each scenario's sign-in window, so the WA_EMBEDDED_SIGNUP messages really
 * come from a facebook.com origin (context-level routes also cover popups).
 * Codes come from the sandbox's Meta simulator, so every connect goes
 * through the real exchange, discovery and subscription.
 */

const SDK = fs.readFileSync(path.resolve(import.meta.dirname, "../sandbox/public/facebook-sdk.js"), "utf8");

type Step = { kind: "event"; payload: Record<string, unknown> } | { kind: "code"; code: string } | { kind: "wait"; ms: number };

/** What the stand-in popup does, in order, before it closes. */
function popupPage(steps: Step[]) {
  return `<!doctype html><html><head><title>Meta (test stand-in)</title></head><body><p>Embedded Signup stand-in</p><script>
  var steps = ${JSON.stringify(steps)};
  (async function () {
    for (var i = 0; i < steps.length; i++) {
      var s = steps[i];
      if (s.kind === "wait") await new Promise(function (r) { setTimeout(r, s.ms); });
      if (s.kind === "event") window.opener.postMessage(JSON.stringify(s.payload), "*");
      if (s.kind === "code") window.opener.postMessage({ source: "fb-standin-login", code: s.code }, "*");
    }
    await new Promise(function (r) { setTimeout(r, 150); });
    window.close();
  })();
</script></body></html>`;
}

const signupEvent = (event: string, data: Record<string, unknown>) => ({ kind: "event" as const, payload: { type: "WA_EMBEDDED_SIGNUP", event, data, version: 3 } });

describe("the WhatsApp page with Meta's Embedded Signup", { timeout: E2E_TEST_TIMEOUT }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: Db;
  let sdkOptions: Record<string, unknown> = {};
  let popupSteps: Step[] = [];
  /** The code the OAuth dialog fallback hands back (issued for its redirect_uri). */
  let dialogToken: string | null = null;
  const app = () => appFrame(page);
  const sim = () => sandbox.simulator!;

  beforeAll(async () => {
    const port = await freePort();
    sandbox = await startSandbox({
      env: {
        PORT: String(port),
        SANDBOX_ADMIN_PORT: String(await freePort()),
        SANDBOX_GRAPH_PORT: String(await freePort()),
        DATABASE_URL: `file:${OUTPUT}/e2e-whatsapp-${inject("runId")}.sqlite`,
        // Meta's real URLs, intercepted below.
        META_SDK_URL: "https://connect.facebook.net/en_US/sdk.js",
        META_OAUTH_DIALOG_URL: "https://www.facebook.com",
      },
      output: () => undefined,
      build: false,
    });
    db = createDb(sandbox.databaseUrl);
    browser = await launchBrowser();
    page = await newPage(browser);
    const context = page.context();
    await context.route("https://connect.facebook.net/**", (route: Route) =>
      route.fulfill({ status: 200, contentType: "text/javascript", body: `window.__FB_STANDIN = ${JSON.stringify(sdkOptions)};\n${SDK}` }),
    );
    await context.route("https://www.facebook.com/**", (route: Route) => {
      const url = new URL(route.request().url());
      if (url.searchParams.get("display") === "popup") return route.fulfill({ status: 200, contentType: "text/html", body: popupPage(popupSteps) });
      // The OAuth dialog fallback: Meta redirects to redirect_uri with a code and the page's state.
      const back = new URL(url.searchParams.get("redirect_uri")!);
      const code = sim().control.issueAuthCode({ token: dialogToken!, redirectUri: back.toString() });
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      return route.fulfill({ status: 302, headers: { location: back.toString() } });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await db?.$disconnect();
    await sandbox?.stop();
  });

  async function openPage() {
    await openApp(page, new URL(adminPath(sandbox.shop, "/app/whatsapp"), sandbox.adminUrl).toString());
    await expect.poll(() => app().getByTestId("meta-login-status").first().getAttribute("data-sdk"), { timeout: UI_TIMEOUT }).toBe("ready");
  }

  /** A fresh, unconnected shop, Meta's popup set to `steps`, then Connect clicked. */
  async function connectWith(steps: (account: SignupAccount) => Step[], opts: { numbers?: number; sdk?: Record<string, unknown> } = {}) {
    await db.whatsAppConnection.deleteMany({ where: { shop: sandbox.shop } });
    const account = seedSignupAccount(sim(), { numbers: opts.numbers ?? 1 });
    popupSteps = steps(account);
    sdkOptions = opts.sdk ?? {};
    dialogToken = account.token;
    await openPage();
    expect(await level()).toBe("disconnected");
    await app().getByRole("button", { name: "Connect WhatsApp" }).click();
    return account;
  }

  const level = () => app().getByTestId("whatsapp-health").getAttribute("data-level");
  const loginState = () => app().getByTestId("meta-login-status").first().getAttribute("data-state");
  const code = (account: SignupAccount) => ({ kind: "code" as const, code: sim().control.issueAuthCode({ token: account.token }) });
  const stored = () => db.whatsAppConnection.findUnique({ where: { shop: sandbox.shop }, include: { phoneNumbers: true } });
  const appWindow = (): Frame => page.frame({ name: "app-iframe" })!;

  it("finish: the FINISH event and the code connect the account, and the page says Connected", async () => {
    const account = await connectWith((a) => [signupEvent("FINISH", { waba_id: a.wabaId, phone_number_id: a.phoneNumberIds[0], business_id: a.businessId }), code(a)]);
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("connected");
    const row = await stored();
    expect(row).toMatchObject({ state: "CONNECTED", wabaId: account.wabaId, businessId: account.businessId });
    expect(row!.phoneNumbers[0]).toMatchObject({ active: true, registered: true });
    // The SDK was initialised and launched as Meta documents.
    const recorded = await appWindow().evaluate(() => (window as unknown as { __fbStandin: { init: Record<string, unknown>; logins: Record<string, unknown>[] } }).__fbStandin);
    expect(recorded.init).toMatchObject({ appId: sandbox.env.META_APP_ID, version: "v25.0", xfbml: true, autoLogAppEvents: true });
    expect(recorded.logins.at(-1)).toMatchObject({
      config_id: "sandbox-embedded-signup-config",
      response_type: "code",
      override_default_response_type: true,
      extras: { setup: {} },
    });
    await expect.poll(() => app().getByText("+1 555-020-100").count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    await capture(page, "whatsapp-connected");
  });

  it("finish-only-WABA: connects without a number and asks the merchant to choose the sending number", async () => {
    await connectWith((a) => [signupEvent("FINISH_ONLY_WABA", { waba_id: a.wabaId, business_id: a.businessId }), code(a)], { numbers: 2 });
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("attention");
    await expect.poll(() => app().getByText("No number is chosen to send from.").count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect((await stored())!.phoneNumbers.filter((p) => p.active)).toHaveLength(0);
  });

  it("cancel: Meta's window closed at a step leaves nothing connected and says where it stopped", async () => {
    await connectWith(() => [signupEvent("CANCEL", { current_step: "PHONE_NUMBER_SETUP" })]);
    await expect.poll(loginState, { timeout: UI_TIMEOUT }).toBe("cancelled");
    await expect.poll(() => app().getByText(/You stopped at the step “phone number setup”/).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await level()).toBe("disconnected");
    expect(await stored()).toBeNull();
  });

  it("user error: Meta's reported error is shown with its session id for support", async () => {
    await connectWith(() => [
      signupEvent("CANCEL", { error_message: "Your business portfolio is restricted", error_code: "524126", session_id: "f34b1a9d-8c0e-4a7e" }),
    ]);
    await expect.poll(loginState, { timeout: UI_TIMEOUT }).toBe("user_error");
    expect(await app().getByTestId("meta-session-id").innerText()).toBe("f34b1a9d-8c0e-4a7e");
    await expect.poll(() => app().getByText(/Your business portfolio is restricted \(error 524126\)/).count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await stored()).toBeNull();
  });

  it("code before event: the late event still decides the number", async () => {
    const account = await connectWith(
      (a) => [code(a), { kind: "wait", ms: 400 }, signupEvent("FINISH", { waba_id: a.wabaId, phone_number_id: a.phoneNumberIds[1], business_id: a.businessId })],
      { numbers: 2 },
    );
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("connected");
    const row = await stored();
    expect(row!.phoneNumbers.find((p) => p.active)?.phoneNumberId).toBe(account.phoneNumberIds[1]);
  });

  it("event before code: connects as soon as the code arrives", async () => {
    const account = await connectWith(
      (a) => [signupEvent("FINISH", { waba_id: a.wabaId, phone_number_id: a.phoneNumberIds[0], business_id: a.businessId }), { kind: "wait", ms: 400 }, code(a)],
    );
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("connected");
    expect((await stored())!.wabaId).toBe(account.wabaId);
  });

  it("no event at all: the server finds the account from the token; events from other origins are ignored", async () => {
    const account = await connectWith((a) => [{ kind: "wait", ms: 300 }, code(a)]);
    // A forged signup event from the app's own origin (not facebook.com) must change nothing.
    await appWindow().evaluate(() =>
      window.postMessage(JSON.stringify({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH", data: { waba_id: "666", phone_number_id: "667" } }), "*"),
    );
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("attention"); // connected; its one number is not registered yet
    expect((await stored())).toMatchObject({ state: "CONNECTED", wabaId: account.wabaId });
  });

  it("popup blocked: the page offers Meta's OAuth dialog in a new window, whose redirect page hands the code back", async () => {
    const account = await connectWith(() => [], { sdk: { popupBlocked: true } });
    await expect.poll(loginState, { timeout: UI_TIMEOUT }).toBe("no_code");
    const popup = page.waitForEvent("popup");
    await app().getByRole("button", { name: "Continue in a new window" }).click();
    const dialog = await popup;
    await dialog.waitForEvent("close", { timeout: UI_TIMEOUT });
    await expect.poll(level, { timeout: UI_TIMEOUT }).not.toBe("disconnected");
    expect(await stored()).toMatchObject({ state: "CONNECTED", wabaId: account.wabaId });
    expect(await loginState()).toBe("done");
  });

  it("registers the number and follows a test message to read, live", async () => {
    await openPage();
    await app().getByRole("button", { name: "Register" }).click();
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("connected");
    sim().control.configure({ statusDelaysMs: { sent: 300, delivered: 1200, read: 1500 } });
    await app().getByLabel("Recipient (international format)").fill("+1 415 555 0123");
    await app().getByRole("button", { name: "Send test message" }).click();
    const status = () => app().getByTestId("test-message-status").getAttribute("data-status");
    await expect.poll(status, { timeout: UI_TIMEOUT }).toBe("DELIVERED");
    await expect.poll(status, { timeout: UI_TIMEOUT }).toBe("READ");
    expect(await app().getByTestId("timeline-delivered").getAttribute("data-done")).toBe("yes");
    await capture(page, "whatsapp-test-message");
  });

  it("shows Needs reconnect with the reason, and a reconnect through the same signup repairs it", async () => {
    const row = (await stored())!;
    const token = sim().control.seedToken({
      scopes: ["whatsapp_business_management", "whatsapp_business_messaging"],
      granular: { whatsapp_business_management: [row.wabaId], whatsapp_business_messaging: [row.wabaId] },
    });
    sim().faults.invalidateToken(dialogToken!, 460);
    await db.whatsAppConnection.update({ where: { shop: sandbox.shop }, data: { healthCheckedAt: new Date(0) } });
    sdkOptions = {};
    await openPage();
    expect(await level()).toBe("reconnect");
    await expect.poll(() => app().getByText(/password of the Meta account changed/).count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    await capture(page, "whatsapp-needs-reconnect");

    popupSteps = [signupEvent("FINISH", { waba_id: row.wabaId, phone_number_id: row.phoneNumbers[0].phoneNumberId }), { kind: "code", code: sim().control.issueAuthCode({ token }) }];
    await app().getByRole("button", { name: "Reconnect" }).click();
    await expect.poll(level, { timeout: UI_TIMEOUT }).not.toBe("reconnect");
    expect((await stored())!.state).toBe("CONNECTED");
  });

  // Issue 16: every state of the connection card, one banner per outcome, in the outcome's colour.
  const isPrimary = (name: string) => app().getByRole("button", { name, exact: true }).evaluate((b) => /variantPrimary/.test(b.className));
  const banners = (testId: string) => app().getByTestId(testId).count();
  /** The admin's toast (the sandbox stand-in shows App Bridge's toasts in #toast): a plain success is told there. */
  const toast = async () => (await page.locator("#toast").textContent()) ?? "";

  it("Disconnect says beforehand what it does; connecting again registers the number again (the app replaces the PIN it deleted) and the shop can send", async () => {
    const row = (await stored())!;
    const number = row.phoneNumbers.find((p) => p.active)!;
    const phone = sim().control.phoneNumber(number.phoneNumberId)!;
    expect(phone).toMatchObject({ registered: true });
    const metaPin = phone.pin;
    await openPage();
    await app().getByRole("button", { name: "Disconnect", exact: true }).click();
    const confirm = app().getByTestId("disconnect-confirm");
    await expect.poll(() => confirm.count(), { timeout: UI_TIMEOUT }).toBe(1);
    expect(await confirm.innerText()).toMatch(/stops test and product messages[\s\S]*two-step verification PINs[\s\S]*sets its own PIN on the sending number and registers it/);
    // The confirmation is a modal: the harmless interaction for INP clicks its title (the page's is behind it).
    await capture(page, "whatsapp-disconnect-confirm", { interact: (frame) => frame.getByRole("dialog").getByRole("heading", { name: "Disconnect WhatsApp?" }).click() });
    await app().getByRole("button", { name: "Disconnect now" }).click();
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("disconnected");
    await expect.poll(toast, { timeout: UI_TIMEOUT }).toMatch(/WhatsApp is disconnected/);
    expect(await banners("action-success")).toBe(0);
    expect(await isPrimary("Connect WhatsApp")).toBe(true);
    await capture(page, "whatsapp-disconnected");

    // Meta still holds the app's old PIN; the app forgot it with the connection.
    expect(phone.pin).toBe(metaPin);
    const token = sim().control.seedToken({
      scopes: ["whatsapp_business_management", "whatsapp_business_messaging", "business_management"],
      granular: { whatsapp_business_management: [row.wabaId], whatsapp_business_messaging: [row.wabaId] },
    });
    popupSteps = [signupEvent("FINISH", { waba_id: row.wabaId, phone_number_id: number.phoneNumberId }), { kind: "code", code: sim().control.issueAuthCode({ token }) }];
    await app().getByRole("button", { name: "Connect WhatsApp" }).click();
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("connected");
    // One outcome: the connect's toast; nothing of the disconnect is left on the page.
    await expect.poll(toast, { timeout: UI_TIMEOUT }).toMatch(/^WhatsApp is connected/);
    expect(await banners("action-success")).toBe(0);
    expect(await app().getByText(/WhatsApp is disconnected/).count()).toBe(0);
    expect(phone.pin).not.toBe(metaPin);
    expect((await stored())!.phoneNumbers.find((p) => p.active)).toMatchObject({ phoneNumberId: number.phoneNumberId, registered: true });
    expect(await app().getByTestId("test-message-blocked").count()).toBe(0);
    expect(await isPrimary("Reconnect")).toBe(false);
    await capture(page, "whatsapp-reconnected-after-disconnect");
  });

  it("Meta not answering: said once, with the time of the last success; Reconnect stays secondary; Refresh then says everything works", async () => {
    await db.whatsAppConnection.update({ where: { shop: sandbox.shop }, data: { healthCheckedAt: new Date(0) } });
    sim().faults.add({ kind: "error", endpoint: "GET /debug_token", status: 500, code: 2, times: 20 });
    await openPage();
    await expect.poll(() => app().getByTestId("whatsapp-issues").getAttribute("data-outage"), { timeout: UI_TIMEOUT }).toBe("true");
    expect(await app().getByTestId("whatsapp-outage").innerText()).toMatch(/^Meta is not answering; the app retries by itself, nothing is lost\. Last successful check with Meta: \S/);
    expect(await app().getByTestId("whatsapp-health").innerText()).toMatch(/Meta not answering$/);
    expect(await level()).toBe("attention");
    expect(await isPrimary("Reconnect")).toBe(false);
    expect(await app().getByText(/Meta did not answer/).count()).toBe(0); // not twice, in other words
    expect(await app().getByTestId("readiness-line-whatsapp").getAttribute("data-state")).toBe("unknown");
    await capture(page, "whatsapp-meta-not-answering");

    // Refresh while Meta is still down: no green "checked" beside the failure.
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname.startsWith("/app/whatsapp"));
    await app().getByRole("button", { name: "Refresh" }).click();
    await answered;
    await expect.poll(() => app().getByRole("button", { name: "Refresh" }).isEnabled(), { timeout: UI_TIMEOUT }).toBe(true);
    expect(await banners("action-success")).toBe(0);
    expect(await banners("action-error")).toBe(0); // the outage banner above is the outcome
    expect(await banners("whatsapp-issues")).toBe(1);

    sim().faults.clear();
    await app().getByRole("button", { name: "Refresh" }).click();
    await expect.poll(level, { timeout: UI_TIMEOUT }).toBe("connected");
    await expect.poll(toast, { timeout: UI_TIMEOUT }).toBe("Checked with Meta just now: everything works.");
    expect(await banners("whatsapp-issues")).toBe(0);
    await capture(page, "whatsapp-refreshed");
  });

  it("the test message box says why it cannot send, and Register repairs it", async () => {
    const active = (await stored())!.phoneNumbers.find((p) => p.active)!;
    await db.phoneNumber.update({ where: { id: active.id }, data: { registered: false } });
    await openPage();
    await expect.poll(() => app().getByTestId("test-message-blocked").innerText(), { timeout: UI_TIMEOUT }).toBe(
      `${active.displayPhoneNumber} is not registered yet: click Register next to it under Phone numbers.`,
    );
    expect(await app().getByRole("button", { name: "Send test message" }).isDisabled()).toBe(true);
    await capture(page, "whatsapp-test-message-blocked");
    await app().getByRole("button", { name: "Register" }).click();
    await expect.poll(() => app().getByTestId("test-message-blocked").count(), { timeout: UI_TIMEOUT }).toBe(0);
    await expect.poll(toast, { timeout: UI_TIMEOUT }).toBe(`${active.displayPhoneNumber} is registered and can send messages.`);
  });

  it("a Meta window closed before the end is said as a cancel, with the way out for a blocked pop-up", async () => {
    await connectWith(() => []);
    await expect.poll(loginState, { timeout: UI_TIMEOUT }).toBe("no_code");
    const status = app().getByTestId("meta-login-status").first();
    expect(await status.innerText()).toMatch(/Meta's window was closed[\s\S]*Nothing was changed/);
    expect(await status.innerText()).not.toMatch(/did not hand the sign-in back/);
    await capture(page, "whatsapp-signup-closed");
  });
});
