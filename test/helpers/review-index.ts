import fs from "node:fs";
import path from "node:path";
import { KNOWN_VIOLATIONS } from "./a11y-known";
import { VITALS_BARS, type A11yFinding, type Vitals } from "./page-checks";

/**
 * The screenshots index: one page that shows every state the browser tests
 * captured, desktop and phone side by side, with its accessibility and Web
 * Vitals results. Each capture writes a record (<state>.json) beside its
 * screenshots; the run's teardown (test/helpers/global-setup.ts) turns them
 * into test/output/screenshots/index.html. By hand: `tsx test/helpers/review-index.ts`.
 */

export const SCREENSHOTS = path.resolve(import.meta.dirname, "../output/screenshots");
export const INDEX = path.join(SCREENSHOTS, "index.html");

export interface ReviewRecord {
  state: string;
  /** The test file that captured it, relative to the repository. */
  file: string;
  /** Its order within the file's captures (the index follows the story). */
  order: number;
  runId: string;
  capturedAt: string;
  /** The app page shown (path inside the app). */
  page: string;
  desktop: string;
  phone: string;
  vitals: Vitals;
  /** Serious and critical axe violations, allowed ones included (with the entry's name). */
  a11y: A11yFinding[];
  /** axe's moderate and minor violations, summarised (they fail nothing). */
  a11yLesser?: string[];
  /** Console errors and page errors since the previous capture on that page. */
  consoleErrors: string[];
}

export function writeRecord(record: ReviewRecord) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fs.writeFileSync(path.join(SCREENSHOTS, `${record.state}.json`), JSON.stringify(record, null, 2));
}

export function readRecords(): ReviewRecord[] {
  if (!fs.existsSync(SCREENSHOTS)) return [];
  return fs
    .readdirSync(SCREENSHOTS)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(fs.readFileSync(path.join(SCREENSHOTS, f), "utf8")) as ReviewRecord)
    .sort((a, b) => a.file.localeCompare(b.file) || a.order - b.order);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function vitalsCells(v: Vitals) {
  const cell = (name: keyof typeof VITALS_BARS, value: number | null, text: string) => {
    const ok = value !== null && value <= VITALS_BARS[name];
    return `<td class="${value === null ? "na" : ok ? "ok" : "bad"}">${name} ${value === null ? "n/a" : text}</td>`;
  };
  return [
    cell("LCP", v.LCP, `${Math.round(v.LCP ?? 0)} ms`),
    cell("CLS", v.CLS, (v.CLS ?? 0).toFixed(3)),
    v.INP === null ? `<td class="ok">INP &lt; 40 ms (no slower interaction)</td>` : cell("INP", v.INP, `${Math.round(v.INP)} ms`),
  ].join("");
}

function a11yBlock(findings: A11yFinding[]) {
  if (findings.length === 0) return `<p class="ok">axe: no serious or critical violations (1280 px and 390 px)</p>`;
  const items = findings.map((f) => {
    const nodes = f.nodes.map((n) => `<code>${esc(n.target)}</code> ${esc(n.summary)}`).join("<br>");
    const tag = f.allowedBy ? `<span class="allowed">allowed: ${esc(f.allowedBy)}</span>` : `<span class="bad">FAILS</span>`;
    return `<li>${tag} [${esc(f.impact)}] <a href="${esc(f.helpUrl)}">${esc(f.rule)}</a> at ${f.width} px: ${esc(f.help)}<br>${nodes}</li>`;
  });
  return `<ul class="a11y">${items.join("")}</ul>`;
}

export function renderIndex(records: ReviewRecord[], currentRun?: string) {
  const failing = records.filter((r) => r.a11y.some((f) => !f.allowedBy)).length;
  const allowed = records.reduce((n, r) => n + r.a11y.filter((f) => f.allowedBy).length, 0);
  const overBars = records.filter((r) => r.vitals.over.length > 0).length;
  const used = new Set(records.flatMap((r) => r.a11y.map((f) => f.allowedBy).filter(Boolean)));
  const unused = KNOWN_VIOLATIONS.filter((k) => !used.has(k.name));
  const known = KNOWN_VIOLATIONS.map(
    (k) => `<li><b>${esc(k.name)}</b>: ${esc(k.rule)} in ${esc(String(k.states))}${k.target ? ` on <code>${esc(k.target)}</code>` : ""}. ${esc(k.reason)}${used.has(k.name) ? "" : ' <span class="bad">(matched nothing in these records: delete it)</span>'}</li>`,
  );
  let lastFile = "";
  const rows = records.map((r) => {
    const header = r.file !== lastFile ? `<h2>${esc(r.file)}</h2>` : "";
    lastFile = r.file;
    const stale = currentRun && r.runId !== currentRun ? ` <span class="stale">from an earlier run</span>` : "";
    const errors = r.consoleErrors.length ? `<details><summary>${r.consoleErrors.length} console error(s)</summary><pre>${esc(r.consoleErrors.join("\n"))}</pre></details>` : "";
    return `${header}<section id="${esc(r.state)}">
  <h3><a href="#${esc(r.state)}">${esc(r.state)}</a> <small>${esc(r.page)} · ${esc(r.capturedAt)}</small>${stale}</h3>
  <div class="shots"><a href="${esc(r.desktop)}"><img class="desktop" src="${esc(r.desktop)}" alt="${esc(r.state)} at 1280 px" loading="lazy"></a>
  <a href="${esc(r.phone)}"><img class="phone" src="${esc(r.phone)}" alt="${esc(r.state)} at 390 px" loading="lazy"></a></div>
  <table class="vitals"><tr>${vitalsCells(r.vitals)}<td class="doc">LCP of the load of ${esc(r.vitals.document)}</td></tr></table>
  ${a11yBlock(r.a11y)}${r.a11yLesser?.length ? `<p class="na">axe, moderate and minor: ${esc(r.a11yLesser.join("; "))}</p>` : ""}${errors}
</section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Every state of the app: screenshots, accessibility, Web Vitals</title>
<style>
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1a1a1a;background:#fafafa}
section{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px 16px;margin:12px 0}
h2{margin-top:32px;font-size:16px;color:#555}h3{margin:0 0 8px;font-size:15px}h3 small{color:#777;font-weight:400}
.shots{display:flex;gap:16px;align-items:flex-start}.shots img{border:1px solid #ccc;display:block}
img.desktop{width:640px}img.phone{width:195px}
table.vitals{border-collapse:collapse;margin:8px 0}table.vitals td{padding:2px 10px;border:1px solid #ddd;font-size:13px}
.ok{color:#0a7a3b}.bad{color:#b3261e;font-weight:600}.na{color:#777}.allowed{color:#8a5a00;font-weight:600}.stale{color:#8a5a00;font-size:12px}
td.doc{color:#777;border:0!important}ul.a11y{font-size:13px}code{font-size:12px;background:#f1f1f1;padding:0 3px}
</style></head><body>
<h1>Every state of the app</h1>
<p>${records.length} states · each at 1280 px and 390 px · axe-core: ${failing} state(s) with violations that fail, ${allowed} let through by the known list ·
Built for Shopify bars (LCP ≤ ${VITALS_BARS.LCP / 1000} s, CLS ≤ ${VITALS_BARS.CLS}, INP ≤ ${VITALS_BARS.INP} ms): ${overBars} state(s) over.
Screenshots of the app's frame inside the sandbox's admin stand-in.</p>
<h2>Known accessibility violations (test/helpers/a11y-known.ts)</h2>
${known.length ? `<ul>${known.join("")}</ul>` : "<p>None.</p>"}
${unused.length ? `<p class="bad">${unused.length} known violation(s) matched nothing.</p>` : ""}
${rows.join("\n")}
</body></html>`;
}

/** Writes the index from every record on disk; returns its path, or null when there is none. */
export function writeReviewIndex(currentRun?: string) {
  const records = readRecords();
  if (records.length === 0) return null;
  fs.writeFileSync(INDEX, renderIndex(records, currentRun));
  return INDEX;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  console.log(writeReviewIndex() ?? "no screenshot records yet: run the browser tests (npm run test:browser)");
}
