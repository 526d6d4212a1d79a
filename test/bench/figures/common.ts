import { sealSecret } from "../../../app/vault/secrets.server";
import { TEST_ENCRYPTION_KEYS } from "../../helpers/app-process";
import { seedInstalledShop } from "../../sandbox/seed";
import { recordingSimulator, type RecordingSimulator } from "../meta-recorder";
import type { BenchDatabase, Databases, Provider } from "../stack";

// The benchmark seals the catalog token with the keys it gives the app and the worker.
process.env.ENCRYPTION_KEYS ??= TEST_ENCRYPTION_KEYS;

export const SHOP = "bench-shop.myshopify.com";

export interface FigureContext {
  provider: Provider;
  dbs: Databases;
  quick: boolean;
  /** Figure 2 also runs its "live" round (see batching.ts). */
  live: boolean;
  log: (line: string) => void;
}

/** One line of the printed table. `holds` is null for figures without a target. */
export interface Row {
  figure: string;
  measure: string;
  value: string;
  target: string;
  holds: boolean | null;
}

export interface FigureResult {
  rows: Row[];
  data: Record<string, unknown>;
}

export interface Setup {
  db: BenchDatabase;
  meta: RecordingSimulator;
  catalogId: string;
  close(): Promise<void>;
}

/** A fresh database with the installed shop and a catalog connected to a fresh simulator's catalog. */
export async function setup(ctx: FigureContext, name: string): Promise<Setup> {
  const db = await ctx.dbs.fresh(name);
  const meta = await recordingSimulator();
  const scenario = meta.scenario();
  await seedInstalledShop(db.db, SHOP);
  await db.db.catalogConnection.create({
    data: {
      shop: SHOP,
      businessId: scenario.businessId,
      catalogId: scenario.catalogId,
      catalogName: "Benchmark catalog",
      tokenCiphertext: sealSecret(SHOP, "catalog.token", scenario.catalogToken),
      scopes: ["catalog_management", "business_management"],
      state: "CONNECTED",
    },
  });
  return {
    db,
    meta,
    catalogId: scenario.catalogId,
    async close() {
      await meta.close();
      await db.drop();
    },
  };
}

/** Nothing left for the worker: no dirty product, no batch waiting for Meta's verdict. */
export async function settled(s: Setup) {
  const [dirty, open] = await Promise.all([
    s.db.db.productSync.count({ where: { dirty: true } }),
    s.db.db.catalogBatch.count({ where: { status: { in: ["SENT", "RECORDING"] } } }),
  ]);
  return dirty === 0 && open === 0;
}

export const fmt = (x: number, digits = 0) => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function percentile(values: number[], p: number) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
