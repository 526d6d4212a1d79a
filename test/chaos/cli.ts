/**
 * `npm run chaos -- --seed N --size N --db sqlite|postgresql [--shops N] [--workers N] [--kills N] [--keep]`
 *
 * The large convergence run (issue 8): --size webhook deliveries (default
 * 50,000) under injected faults and worker kills, then the catalog check.
 * Exits 1 on any mismatch or finding. Worker knobs are shortened so the run
 * fits a small machine: CATALOG_FLUSH_INTERVAL_MS 100, META_TIMEOUT_MS 1000,
 * CATALOG_LEASE_MS 15000, and throttling announces a 3 s regain time.
 */
import { parseArgs } from "node:util";
import { buildIfStale } from "../helpers/build";
import { TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { createChaosDatabase } from "./database";

process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;
process.env.NODE_ENV ??= "test";
process.env.LOG_LEVEL ??= "silent";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    size: { type: "string", default: "50000" },
    db: { type: "string", default: "sqlite" },
    shops: { type: "string" },
    workers: { type: "string" },
    kills: { type: "string" },
    concurrency: { type: "string", default: "8" },
    keep: { type: "boolean", default: false },
  },
});

const int = (name: string, value: string | undefined, min: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number >= ${min}; got ${value}`);
    process.exit(2);
  }
  return n;
};

const provider = values.db === "postgresql" || values.db === "postgres" ? "postgresql" : values.db === "sqlite" ? "sqlite" : null;
if (!provider) {
  console.error(`--db must be sqlite or postgresql; got ${values.db}`);
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int("seed", values.seed, 0);
const size = int("size", values.size, 10);
const shops = values.shops === undefined ? Math.min(8, Math.max(3, Math.round(size / 8000))) : int("shops", values.shops, 1);

buildIfStale((line) => console.log(`[build] ${line}`));
// Imported after the environment is set: the app modules read it once.
const { runChaos, formatSummary } = await import("./harness");
const database = await createChaosDatabase(provider);
let failed = true;
try {
  const summary = await runChaos({
    seed,
    size,
    shops,
    database,
    workers: values.workers === undefined ? undefined : int("workers", values.workers, 1),
    randomKills: values.kills === undefined ? Math.max(2, Math.round(size / 10_000)) : int("kills", values.kills, 1),
    concurrency: int("concurrency", values.concurrency, 1),
    settleTimeoutMs: 300_000,
    log: (line) => console.log(line),
  });
  console.log(formatSummary(summary));
  failed = summary.mismatches > 0 || summary.findings.length > 0;
} finally {
  if (values.keep) console.log(`database kept: ${database.url}`);
  else await database.drop();
}
process.exit(failed ? 1 : 0);
