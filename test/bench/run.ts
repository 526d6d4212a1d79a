/**
 * `npm run bench`: the production build and the catalog worker against the
 * Meta simulator (and the Admin API stand-in), driven over loopback HTTP by
 * a load generator in another process. Prints a table with every figure,
 * its target and whether it holds, and merges the figures with machine info
 * into test/bench/results.json under "bench" (the vault benchmark adds
 * "vault").
 *
 *   npm run bench                                   all figures, SQLite and PostgreSQL
 *   npm run bench -- --only ingest,freshness --db sqlite
 *   npm run bench -- --quick                        small sizes, for development
 *   npm run bench -- --live                         figure 2 also with the worker flushing during delivery
 *   npm run bench -- --profile                      CPU profiles of the app and worker
 *                                                   (test/output/bench-profiles/)
 *
 * Figures: ingest, batching, freshness, fullsync, scaleout (PostgreSQL only), fairness, review, vault.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildIfStale } from "../helpers/build";
import { batchingFigure, scaleOutFigure } from "./figures/batching";
import type { FigureContext, FigureResult, Row } from "./figures/common";
import { fairnessFigure } from "./figures/fairness";
import { freshnessFigure } from "./figures/freshness";
import { fullSyncFigure } from "./figures/full-sync";
import { ingestFigure } from "./figures/ingest";
import { reviewFigure } from "./figures/review";
import { Databases, machineInfo, options, PROFILE_DIR, stopAll, type Provider } from "./stack";

const FIGURES = ["ingest", "batching", "freshness", "fullsync", "scaleout", "fairness", "review", "vault"] as const;
type Figure = (typeof FIGURES)[number];
/** How each figure's rows are labelled in the table (results.json keeps them per figure). */
const FIGURE_ROW_PREFIX: Partial<Record<Figure, string>> = {
  ingest: "1 ingest",
  batching: "2 batching",
  freshness: "3 freshness",
  fullsync: "4 full sync",
  scaleout: "5 scale out",
  fairness: "6 fairness",
  review: "7 review read-back",
};

function parseArgs(argv: string[]) {
  const args = { only: [...FIGURES] as Figure[], db: ["sqlite", "postgresql"] as Provider[], quick: false, live: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--only") {
      const list = value().split(",").map((s) => s.trim()).filter(Boolean);
      const unknown = list.filter((f) => !FIGURES.includes(f as Figure));
      if (unknown.length) throw new Error(`unknown figure(s) ${unknown.join(", ")}; choose from ${FIGURES.join(", ")}`);
      args.only = list as Figure[];
    } else if (flag === "--db") {
      const list = value().split(",").map((s) => (s.trim() === "postgres" || s.trim() === "pg" ? "postgresql" : s.trim()));
      if (list.some((d) => d !== "sqlite" && d !== "postgresql")) throw new Error("--db takes sqlite, postgresql or both (comma-separated)");
      args.db = list as Provider[];
    } else if (flag === "--quick") args.quick = true;
    else if (flag === "--live") args.live = true;
    else if (flag === "--profile") options.profile = true;
    else if (flag === "--verbose") options.verbose = true;
    else throw new Error(`unknown option ${argv[i]} (see test/bench/run.ts)`);
  }
  return args;
}

function printTable(provider: string, rows: Row[]) {
  const header = ["figure", "measure", "value", "target", "holds"];
  const cells = rows.map((r) => [r.figure, r.measure, r.value, r.target, r.holds === null ? "-" : r.holds ? "yes" : "NO"]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  console.log(`\n${provider}`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = machineInfo();
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadAverageAtStart.join(" ")}`);
  if (options.profile) fs.mkdirSync(PROFILE_DIR, { recursive: true });

  const needsApp = args.only.some((f) => f !== "vault");
  if (needsApp) buildIfStale((line) => log(line));

  const providers: Provider[] = [];
  for (const provider of args.db) {
    if (provider === "postgresql" && !(await Databases.postgresReachable())) {
      log("PostgreSQL is unreachable (DATABASE_URL_POSTGRES or 127.0.0.1:5432): its figures are SKIPPED");
      continue;
    }
    providers.push(provider);
  }

  const results: Record<string, Record<string, unknown>> = {};
  const tables: Record<string, Row[]> = {};
  const databases: Databases[] = [];
  const onSignal = () => {
    void stopAll()
      .then(() => Promise.all(databases.map((d) => d.cleanup())))
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    for (const provider of needsApp ? providers : []) {
      const dbs = new Databases(provider);
      databases.push(dbs);
      const ctx: FigureContext = { provider, dbs, quick: args.quick, live: args.live, log: (line) => log(`${provider} ${line}`) };
      const rows: Row[] = (tables[provider] = []);
      const data: Record<string, unknown> = (results[provider] = {});
      const run = async (name: string, figure: () => Promise<FigureResult>) => {
        const t0 = Date.now();
        try {
          const result = await figure();
          rows.push(...result.rows);
          data[name] = { ...result.data, wallSeconds: Math.round((Date.now() - t0) / 100) / 10, measuredAt: new Date(t0).toISOString() };
        } catch (error) {
          log(`${provider} ${name} FAILED: ${error instanceof Error ? error.stack : String(error)}`);
          rows.push({ figure: FIGURE_ROW_PREFIX[name as Figure] ?? name, measure: "run failed", value: String(error).slice(0, 80), target: "runs", holds: false });
          data[name] = { error: String(error) };
          await stopAll();
        }
      };
      try {
        if (args.only.includes("ingest")) await run("ingest", () => ingestFigure(ctx));
        let batching: FigureResult | undefined;
        if (args.only.includes("batching") || (args.only.includes("scaleout") && provider === "postgresql")) {
          await run("batching", async () => (batching = await batchingFigure(ctx, { webs: 1, workers: 1 })));
        }
        if (args.only.includes("freshness")) await run("freshness", () => freshnessFigure(ctx));
        if (args.only.includes("fullsync")) await run("fullsync", () => fullSyncFigure(ctx));
        if (args.only.includes("scaleout") && provider === "postgresql") await run("scaleout", () => scaleOutFigure(ctx, batching));
        if (args.only.includes("fairness")) await run("fairness", () => fairnessFigure(ctx));
        if (args.only.includes("review")) await run("review", () => reviewFigure(ctx));
      } finally {
        await dbs.cleanup();
      }
    }
  } finally {
    await stopAll();
  }

  if (args.only.includes("vault")) {
    log("vault: test/bench/vault.bench.ts");
    const vault = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "vault.bench.ts")], { stdio: "inherit" });
    if (vault.status !== 0) log(`vault benchmark exited with ${vault.status}`);
  }

  for (const provider of Object.keys(tables)) printTable(provider === "sqlite" ? "SQLite" : "PostgreSQL", tables[provider]);

  // Read-modify-write: the vault benchmark keeps its own key in the same file, and a run of
  // some figures (--only, --db) replaces those figures only; each figure carries its own date.
  const file = path.join(import.meta.dirname, "results.json");
  const existing: Record<string, unknown> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const seconds = Math.round((Date.now() - started) / 1000);
  if (Object.keys(tables).length) {
    type Stored = { table?: Record<string, Row[]> } & Record<string, unknown>;
    const previous = (existing.bench ?? {}) as Stored;
    const table: Record<string, Row[]> = { ...previous.table };
    const merged: Stored = { ...previous };
    for (const provider of Object.keys(tables)) {
      const rerun = new Set(Object.keys(results[provider]).map((name) => FIGURE_ROW_PREFIX[name as Figure] ?? name));
      const kept = (table[provider] ?? []).filter((row) => !rerun.has(row.figure));
      const order = (row: Row) => Number.parseInt(row.figure, 10) || 99;
      table[provider] = [...kept, ...tables[provider]].sort((a, b) => order(a) - order(b));
      merged[provider] = { ...(previous[provider] as Record<string, unknown> | undefined), ...results[provider] };
    }
    existing.bench = {
      ...merged,
      machine,
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      quick: args.quick,
      totalSeconds: seconds,
      table,
    };
    fs.writeFileSync(file, `${JSON.stringify(existing, null, 2)}\n`);
  }
  const missed = Object.values(tables).flat().filter((r) => r.holds === false);
  console.log(`\n${missed.length ? `${missed.length} target(s) missed` : "every target holds"}; ${seconds} s in all; wrote test/bench/results.json`);
}

main().catch(async (error) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
