import fs from "node:fs";
import path from "node:path";
import { expect, inject } from "vitest";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";
import { checkAccessibility, describeFinding, markResize, measureVitals, VITALS_INIT_SCRIPT, type A11yFinding } from "./page-checks";
import { KNOWN_SLOW } from "./a11y-known";
import { SCREENSHOTS, readRecords, writeRecord, type ReviewRecord } from "./review-index";

export { SCREENSHOTS };

/** Debian's Chromium driven by playwright-core (Playwright's own download cannot run here). */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/**
 * How long a browser test waits for what the page should show. Generous on purpose: a wait ends
 * as soon as the page shows it, so this only matters on a loaded machine (2 shared cores in CI).
 */
export const UI_TIMEOUT = 30_000;
/** A browser test's own limit: several such waits, and a capture or two. */
export const E2E_TEST_TIMEOUT = 120_000;

const ROOT = path.resolve(import.meta.dirname, "../..");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      // The admin stand-in and the app are two origins of one site (localhost, two ports), so Chromium would
      // run the app's frame in the admin's process, where it does not mark the app's layout shifts after a
      // click as caused by input (hadRecentInput): CLS then counted shifts a merchant's own click causes,
      // which Web Vitals leave out. In Shopify's admin the app is another site, in its own process: so here.
      "--enable-features=StrictOriginIsolation",
    ],
  });
}

// Shopify's library answers bots with 410, and isbot counts "HeadlessChrome" as one:
// present the browser as the desktop Chrome a merchant uses.
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/** What the page logged as errors since its last capture. */
const consoleErrors = new WeakMap<Page, string[]>();

/** A desktop-sized page that measures Web Vitals in the app's frame and keeps its console errors. */
export async function newPage(browser: Browser) {
  const page = await browser.newPage({ viewport: DESKTOP, userAgent: USER_AGENT });
  await page.addInitScript({ content: VITALS_INIT_SCRIPT });
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on("console", (m) => {
    // The browser asks for /favicon.ico by itself; the embedded app has none (the admin shows its own).
    const where = m.location().url.split("?")[0]; // the query carries the session token
    if (m.type() === "error" && !where.endsWith("/favicon.ico")) errors.push(`${m.text()}${where ? ` (${where})` : ""}`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return page;
}

/** The app's frame inside the admin stand-in, for locators. */
export function appFrame(page: Page) {
  return page.frameLocator("#app-iframe");
}

/** The app's frame as a Frame, for evaluate and waitForFunction. */
export function appWindow(page: Page): Frame {
  const frame = page.frame({ name: "app-iframe" });
  if (!frame) throw new Error(`no app frame on ${page.url()}: open the app through the admin stand-in first`);
  return frame;
}

/**
 * Waits until the app in the frame is interactive: its router listens for the admin's navigation,
 * which the Remix AppProvider sets up once the page has hydrated (the App Bridge stand-in marks it).
 * Before that, a click on a button can fall on server-rendered HTML that does nothing yet.
 */
export async function waitForApp(page: Page, timeout = UI_TIMEOUT) {
  await expect.poll(() => page.frame({ name: "app-iframe" }) !== null, { timeout }).toBe(true);
  await appWindow(page).waitForFunction(() => (window as unknown as { shopify?: { sandboxReady?: boolean } }).shopify?.sandboxReady === true, null, {
    timeout,
  });
}

/** Opens an admin stand-in URL and waits until the app in it is interactive. */
export async function openApp(page: Page, url: string) {
  await page.goto(url);
  await waitForApp(page);
}

/**
 * React's hydration errors: production codes #418, #419, #422, #423, #425, and the development
 * wording of errors and mismatch warnings (a development build of React shows the latter).
 */
export const HYDRATION_ERROR = /Minified React error #4(18|19|22|23|25)\b|hydrat|did not match|Extra attributes from the server|Expected server HTML|Did not expect server HTML/i;

export interface CaptureResult {
  desktop: string;
  phone: string;
  record: ReviewRecord;
}

export interface CaptureOptions {
  /** A harmless interaction for INP (default: click the page's title). */
  interact?: (frame: Frame) => Promise<void>;
}

let order = 0;

/**
 * Records one named state of the app, as the page shows it now:
 * - Web Vitals of the frame's document after one harmless interaction, against Built for Shopify's bars;
 * - axe-core's serious and critical violations at 1280 px and at 390 px;
 * - full-height screenshots at 1280 px and 390 px (test/output/screenshots/<state>-desktop.png, -phone.png);
 * - a record for the screenshots index (test/output/screenshots/index.html, written after the run).
 * Then it fails the test on a violation that the known list (a11y-known.ts) does not name, on a
 * Web Vital over its bar, and on a React hydration error in the console since the last capture.
 */
export async function capture(page: Page, state: string, opts: CaptureOptions = {}): Promise<CaptureResult> {
  if (!/^[a-z0-9-]+$/.test(state)) throw new Error(`state names are kebab-case (they name files): ${state}`);
  const file = path.relative(ROOT, expect.getState().testPath ?? "unknown");
  const runId = inject("runId");
  const twin = readRecords().find((r) => r.state === state && r.runId === runId && r.file !== file);
  if (twin) throw new Error(`state "${state}" is captured by ${twin.file} too: give one of them another name`);

  // A popup (Meta's sign-in window) can leave the page in the background, where Chromium paints
  // nothing: no animation frames, no interaction's next paint for INP. The merchant is looking at it.
  await page.bringToFront();
  await waitForApp(page);
  const frame = appWindow(page);
  const vitals = await measureVitals(frame, opts.interact);
  const desktopCheck = await checkAccessibility(frame, state, DESKTOP.width);
  const a11y: A11yFinding[] = desktopCheck.findings;
  const lesser = desktopCheck.lesser;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const desktop = path.join(SCREENSHOTS, `${state}-desktop.png`);
  const phone = path.join(SCREENSHOTS, `${state}-phone.png`);
  // The test's own resizes (the screenshots' widths and heights) move the layout as a window resize
  // does; those shifts are the test's, not the page's, and the next capture on this document must
  // not count them (markResize, page-checks.ts).
  const resized = await markResize(frame, "start");
  try {
    await shoot(page, frame, DESKTOP, desktop);
    await shoot(page, frame, PHONE, phone);
    const phoneCheck = await checkAccessibility(frame, state, PHONE.width);
    for (const f of phoneCheck.findings) {
      if (!a11y.some((d) => d.rule === f.rule && d.nodes[0].target === f.nodes[0].target)) a11y.push(f);
    }
    lesser.push(...phoneCheck.lesser);
  } finally {
    await page.setViewportSize(DESKTOP);
    await settle(frame);
    if (resized) await markResize(frame, "end");
  }

  const errors = consoleErrors.get(page) ?? [];
  const record: ReviewRecord = {
    state,
    file,
    order: order++,
    runId,
    capturedAt: new Date().toISOString(),
    page: new URL(frame.url()).pathname,
    desktop: path.basename(desktop),
    phone: path.basename(phone),
    vitals,
    a11y,
    a11yLesser: lesser,
    consoleErrors: errors.splice(0),
  };
  writeRecord(record);

  const allowed = a11y.filter((f) => f.allowedBy);
  if (allowed.length) console.warn(`[a11y] ${state}: ${allowed.length} known violation(s) let through:\n${allowed.map(describeFinding).join("\n")}`);
  const problems: string[] = [];
  const failing = a11y.filter((f) => !f.allowedBy);
  if (failing.length) problems.push(`${failing.length} serious/critical accessibility violation(s):\n${failing.map(describeFinding).join("\n")}`);
  const slow = vitals.over.filter((over) => !KNOWN_SLOW.some((k) => over.startsWith(`${k.metric} `) && k.states.test(state)));
  for (const over of vitals.over.filter((o) => !slow.includes(o))) {
    const known = KNOWN_SLOW.find((k) => over.startsWith(`${k.metric} `) && k.states.test(state))!;
    console.warn(`[vitals] ${state}: known "${known.name}" let through: ${over}`);
  }
  if (slow.length) problems.push(`over Built for Shopify's bars: ${slow.join(", ")} (document ${vitals.document})`);
  const hydration = record.consoleErrors.filter((e) => HYDRATION_ERROR.test(e));
  if (hydration.length) problems.push(`React hydration errors in the console:\n${hydration.join("\n")}`);
  if (problems.length) throw new Error(`state "${state}" (${record.page}):\n${problems.join("\n")}`);
  return { desktop, phone, record };
}

/** Two animation frames: the frame has laid out and painted what changed (e.g. after a resize). */
function settle(frame: Frame) {
  return frame.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/** A screenshot at `size`'s width, as tall as the app's page (the admin frames it at the viewport's height). */
async function shoot(page: Page, frame: Frame, size: { width: number; height: number }, file: string) {
  await page.setViewportSize(size);
  await settle(frame);
  const top = (await page.locator("#app-iframe").boundingBox())?.y ?? 0;
  const content = await frame.evaluate(() => document.documentElement.scrollHeight);
  const height = Math.min(Math.max(size.height, Math.ceil(top + content)), 10_000);
  if (height !== size.height) {
    await page.setViewportSize({ width: size.width, height });
    await settle(frame);
  }
  await page.screenshot({ path: file });
}

/** The former name: every screenshot is now a full capture (both widths, axe, vitals). */
export async function screenshot(page: Page, name: string) {
  return (await capture(page, name)).desktop;
}
