import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import axe from "axe-core";
import type { Frame } from "playwright-core";
import { KNOWN_VIOLATIONS, type KnownViolation } from "./a11y-known";

/**
 * What every captured state is checked for, inside the app's frame (the
 * admin stand-in around it is not the product): accessibility with axe-core,
 * and the Web Vitals that "Built for Shopify" judges embedded apps by.
 */

// ---------------------------------------------------------------- Web Vitals

/**
 * Built for Shopify's admin performance bars (shopify.dev/docs/apps/build/performance/admin-installation-oauth,
 * "Built for Shopify performance criteria"): LCP ≤ 2.5 s, CLS ≤ 0.1 and INP ≤ 200 ms, each at the 75th
 * percentile of the app's loads over 28 days, measured by Shopify with Google's web-vitals in the admin.
 * A test run is one load, not a 75th percentile: the bars are applied to each measurement.
 */
export const VITALS_BARS = { LCP: 2500, CLS: 0.1, INP: 200 } as const;

export interface Vitals {
  /** Largest Contentful Paint of the frame's document, ms. */
  LCP: number | null;
  /** Cumulative Layout Shift so far (largest session window) of the page's own shifts (the test's resizes left out), unitless. */
  CLS: number | null;
  /**
   * Interaction to Next Paint so far (the worst interaction on this document), ms; null when no
   * interaction took 40 ms or more (web-vitals does not count shorter ones, bar the first input).
   */
  INP: number | null;
  /** The app page whose load LCP belongs to (a state reached by in-app navigation keeps the first page's). */
  document: string;
  /** The bars this measurement is over, e.g. ["INP 240 ms > 200 ms"]. */
  over: string[];
}

// The browser build beside the package's CommonJS entry (the package exports no path to it).
const WEB_VITALS = fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve("web-vitals")), "web-vitals.iife.js"), "utf8");

/**
 * An init script for every frame of a page; it measures in the app's frame only (the admin stand-in
 * names it app-iframe), from the first byte, with Google's web-vitals library as Shopify does.
 */
export const VITALS_INIT_SCRIPT = `(function () {
  if (window.name !== "app-iframe") return;
  ${WEB_VITALS}
  var v = (window.__vitals = {});
  var all = { reportAllChanges: true };
  webVitals.onLCP(function (m) { v.LCP = m.value; }, all);
  webVitals.onCLS(function (m) { v.CLS = m.value; }, all);
  webVitals.onINP(function (m) { v.INP = m.value; }, all);
  // What moved, for a failure message that names it: each layout shift not caused by input, with
  // the elements that moved (their nearest data-testid and text).
  v.shifts = [];
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      if (e.hadRecentInput) return;
      v.shifts.push({ value: e.value, at: Math.round(e.startTime), nodes: (e.sources || []).map(function (s) {
        var el = s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement);
        if (!el) return "?";
        var marked = el.closest("[data-testid]");
        return el.tagName.toLowerCase() + (marked ? "[data-testid=" + marked.getAttribute("data-testid") + "]" : "") + ' "' + (el.textContent || "").trim().slice(0, 40) + '"';
      }) });
    });
  }).observe({ type: "layout-shift", buffered: true });
})();`;

type LayoutShift = { value: number; at: number; nodes: string[] };
type VitalsWindow = { __vitals?: { LCP?: number; CLS?: number; INP?: number; shifts?: LayoutShift[]; resizes?: [number, number?][] } };

/**
 * Marks the start or end of the test's own resizing of the page (capture's screenshots): shifts in
 * between are left out of CLS. Returns false where the frame does not measure (no web-vitals).
 */
export async function markResize(frame: Frame, edge: "start" | "end"): Promise<boolean> {
  return frame.evaluate((edge) => {
    const v = (window as unknown as VitalsWindow).__vitals;
    if (!v) return false;
    const resizes = (v.resizes ??= []);
    if (edge === "start") resizes.push([performance.now()]);
    else resizes[resizes.length - 1][1] = performance.now();
    return true;
  }, edge);
}

/**
 * CLS as web-vitals computes it (the largest session window: shifts less than 1 s apart, a window at
 * most 5 s long), over the page's own shifts: those during the test's resizes are left out.
 */
export function layoutShiftScore(shifts: LayoutShift[], resizes: [number, number?][] = []): number {
  const own = shifts.filter((s) => !resizes.some(([from, to]) => s.at >= Math.floor(from) && s.at <= Math.ceil(to ?? Infinity)));
  let worst = 0;
  let window = 0;
  let first = -Infinity;
  let last = -Infinity;
  for (const shift of own) {
    if (shift.at - last < 1000 && shift.at - first < 5000) window += shift.value;
    else {
      window = shift.value;
      first = shift.at;
    }
    last = shift.at;
    worst = Math.max(worst, window);
  }
  return worst;
}

/**
 * Reads the frame's vitals after one harmless interaction (INP exists only once the page has been
 * interacted with): `interact` by default clicks the page's title.
 */
export async function measureVitals(frame: Frame, interact?: (frame: Frame) => Promise<void>, timeout = 15_000): Promise<Vitals> {
  if (interact) await interact(frame);
  else await frame.locator("h1").first().click({ timeout });
  // The interaction's next paint, then the idle time in which web-vitals reads its event timings.
  await frame.evaluate(
    () =>
      new Promise<void>((done) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() => setTimeout(() => requestIdleCallback(() => requestIdleCallback(() => done(), { timeout: 1000 }), { timeout: 1000 }))),
        ),
      ),
  );
  // LCP and CLS are there once the page has painted; INP only once an interaction of 40 ms or more
  // (web-vitals' threshold) was seen, or the page's first one (Chromium times the first input always).
  await frame
    .waitForFunction(
      () => {
        const v = (window as unknown as VitalsWindow).__vitals;
        return v && v.LCP !== undefined && v.CLS !== undefined;
      },
      null,
      { timeout },
    )
    .catch(async (error: Error) => {
      const seen = await frame.evaluate(() => JSON.stringify({ vitals: (window as unknown as VitalsWindow).__vitals ?? "no web-vitals in this frame", visibility: document.visibilityState }));
      throw new Error(`Web Vitals incomplete after ${timeout} ms: ${seen} (${error.message.split("\n")[0]})`);
    });
  const raw = await frame.evaluate(() => ({
    ...(window as unknown as VitalsWindow).__vitals,
    document: new URL((performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).name).pathname,
  }));
  const cls = raw.CLS === undefined ? null : layoutShiftScore(raw.shifts ?? [], raw.resizes);
  const vitals: Vitals = { LCP: raw.LCP ?? null, CLS: cls, INP: raw.INP ?? null, document: raw.document, over: [] };
  if (vitals.LCP !== null && vitals.LCP > VITALS_BARS.LCP) vitals.over.push(`LCP ${Math.round(vitals.LCP)} ms > ${VITALS_BARS.LCP} ms`);
  if (vitals.CLS !== null && vitals.CLS > VITALS_BARS.CLS) {
    const worst = [...(raw.shifts ?? [])]
      .filter((shift) => layoutShiftScore([shift], raw.resizes) > 0)
      .sort((a, b) => b.value - a.value)
      .slice(0, 3);
    const moved = worst.map((shift) => `${shift.value.toFixed(3)} at ${shift.at} ms: ${shift.nodes.join(", ")}`).join("; ");
    vitals.over.push(`CLS ${vitals.CLS.toFixed(3)} > ${VITALS_BARS.CLS}${moved ? ` (largest shifts: ${moved})` : ""}`);
  }
  if (vitals.INP !== null && vitals.INP > VITALS_BARS.INP) vitals.over.push(`INP ${Math.round(vitals.INP)} ms > ${VITALS_BARS.INP} ms`);
  return vitals;
}

// ---------------------------------------------------------------- accessibility

export interface A11yFinding {
  rule: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** The elements (CSS selectors) and what is wrong with each. */
  nodes: { target: string; summary: string }[];
  /** The viewport width it was found at. */
  width: number;
  /** The allow-list entry that lets it pass, by name. */
  allowedBy?: string;
}

/** Only these impacts fail a state (axe's others, moderate and minor, are listed in the index). */
const FAILING_IMPACTS = new Set(["serious", "critical"]);

/** Runs axe-core in the frame; returns its serious and critical violations, each matched against the allow-list. */
export async function checkAccessibility(frame: Frame, state: string, width: number): Promise<{ findings: A11yFinding[]; lesser: string[] }> {
  if (!(await frame.evaluate(() => "axe" in window))) await frame.evaluate(axe.source);
  const violations = await frame.evaluate(async () => {
    const w = window as unknown as { axe: typeof axe };
    const results = await w.axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(" "), summary: (n.failureSummary ?? "").replace(/\s+/g, " ").trim() })),
    }));
  });
  const findings: A11yFinding[] = [];
  // Moderate and minor ones, by rule and element count, for the index (they fail nothing).
  const lesser: string[] = [];
  for (const v of violations) {
    if (!FAILING_IMPACTS.has(v.impact)) {
      lesser.push(`${v.rule} (${v.impact}, ${v.nodes.length} element${v.nodes.length === 1 ? "" : "s"}, ${width} px)`);
      continue;
    }
    // Each element on its own: an allowance names the elements it covers, never a whole rule at once.
    for (const node of v.nodes) {
      const allowance = KNOWN_VIOLATIONS.find((k) => allows(k, v.rule, state, node.target));
      findings.push({ ...v, nodes: [node], width, allowedBy: allowance?.name });
    }
  }
  return { findings, lesser };
}

function allows(k: KnownViolation, rule: string, state: string, target: string) {
  return k.rule === rule && k.states.test(state) && (k.target === undefined || target.includes(k.target));
}

export function describeFinding(f: A11yFinding) {
  const lines = [`[${f.impact}] ${f.rule} at ${f.width} px: ${f.help} (${f.helpUrl})`];
  for (const n of f.nodes) lines.push(`    ${n.target} :: ${n.summary}`);
  if (f.allowedBy) lines.push(`    allowed by known violation "${f.allowedBy}"`);
  return lines.join("\n");
}
