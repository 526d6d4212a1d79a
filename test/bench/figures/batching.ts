import type { LoadResult } from "../loadgen";
import type { RecordingSimulator } from "../meta-recorder";
import { batchingPlan, productTitle, type BatchingPlan } from "../payloads";
import { peakRssMb, runLoad, sleep, startWeb, startWorker, until, type Proc, type WebProcess } from "../stack";
import { fmt, settled, setup, SHOP, type FigureContext, type FigureResult, type Row, type Setup } from "./common";

/**
 * Figure 2, batching efficiency, and figure 5, scale out (the same run with
 * two web processes and two workers on PostgreSQL).
 *
 * 50,000 deliveries over 5,000 products (per product 8 new states, one
 * re-delivery with the same webhook id, one state older than all of them,
 * shuffled together), sent as fast as the app accepts them:
 *  - "held" (always): the catalog's sync is paused while they arrive (as
 *    when a token needs a reconnect), then resumed: every product must go
 *    out exactly once, in its final state, in ceil(items / 5,000) calls;
 *  - "live" (--live, a second 50,000): the worker flushes on its 1 s
 *    interval while they arrive, so intermediate states go out too (a
 *    product updated in two flush windows is sent twice, each time newer);
 *    no item may go out twice with the same content (a duplicate) or in a
 *    state older than one already sent (stale), and every call but the last
 *    of each flush is full. Off by default: at this machine's ingest rate a
 *    second 50,000 costs two to three minutes per database.
 * Every round ends with the simulator's catalog equal to the final Shopify state.
 */

const VARIANTS = 5;
const MAX_BATCH = 5000;

interface Topology {
  webs: number;
  workers: number;
}

interface PushStats {
  calls: number;
  items: number;
  fullCalls: number;
  partialCalls: number;
  distinctItems: number;
  duplicates: number;
  stale: number;
  /** Items pushed more than once in the same content (what two workers pushing one product would do). */
  pushedTwice: number;
  lowerBoundCalls: number;
}

function pushStats(meta: RecordingSimulator, fromBatch: number): PushStats {
  const batches = meta.batches.slice(fromBatch);
  const pushes = meta.pushes.filter((p) => p.batch >= fromBatch);
  const lastContent = new Map<string, string>();
  const seenContent = new Set<string>();
  const newestVersion = new Map<string, number>();
  let duplicates = 0;
  let stale = 0;
  let pushedTwice = 0;
  for (const push of pushes) {
    if (lastContent.get(push.retailerId) === push.content) duplicates += 1;
    lastContent.set(push.retailerId, push.content);
    const key = `${push.retailerId}|${push.content}`;
    if (seenContent.has(key)) pushedTwice += 1;
    seenContent.add(key);
    const version = Number(/ v(\d+)\|/.exec(push.content)?.[1] ?? NaN);
    if (!Number.isNaN(version)) {
      if (version < (newestVersion.get(push.retailerId) ?? -1)) stale += 1;
      newestVersion.set(push.retailerId, Math.max(version, newestVersion.get(push.retailerId) ?? -1));
    }
  }
  const items = pushes.length;
  const full = batches.filter((b) => b.size > MAX_BATCH - VARIANTS).length;
  return {
    calls: batches.length,
    items,
    fullCalls: full,
    partialCalls: batches.length - full,
    distinctItems: lastContent.size,
    duplicates,
    stale,
    pushedTwice,
    lowerBoundCalls: Math.ceil(items / MAX_BATCH),
  };
}

/** Every variant of every product holds its final title; nothing else is in the catalog. */
function catalogMatches(s: Setup, plan: BatchingPlan) {
  const items = s.meta.sim.control.catalogItems(s.catalogId);
  if (items.length !== plan.finalVersion.size * VARIANTS) return false;
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const [productId, { version }] of plan.finalVersion) {
    for (let v = 1; v <= VARIANTS; v++) {
      const item = byId.get(`shopify_${productId}_${productId * 100 + v}`);
      if (!item || item.title !== productTitle(productId, version)) return false;
    }
  }
  return true;
}

interface RoundResult {
  load: LoadResult;
  /** From the first delivery until the catalog held the final state, seconds. */
  endToEndSeconds: number;
  /** From resuming the sync until the catalog held the final state, seconds (held round). */
  drainSeconds?: number;
  pushes: PushStats;
  catalogMatches: boolean;
}

async function round(
  ctx: FigureContext,
  s: Setup,
  webs: WebProcess[],
  plan: BatchingPlan,
  mode: "held" | "live",
): Promise<RoundResult> {
  const fromBatch = s.meta.batches.length;
  if (mode === "held") {
    await s.db.db.catalogConnection.update({ where: { shop: SHOP }, data: { pausedUntil: new Date(Date.now() + 3600_000) } });
  }
  const started = Date.now();
  const load = await runLoad({ urls: webs.map((w) => w.url), connections: 32, shop: SHOP, deliveries: plan.deliveries });
  let drainStart = Date.now();
  if (mode === "held") {
    // Every change is in; let the worker go.
    await s.db.db.catalogConnection.update({ where: { shop: SHOP }, data: { pausedUntil: null } });
    drainStart = Date.now();
  }
  const timeout = ctx.quick ? 60_000 : 240_000;
  await until(async () => (await settled(s)) && catalogMatches(s, plan), timeout, `the ${mode} round to reach the catalog`, 200);
  const done = Date.now();
  return {
    load,
    endToEndSeconds: (done - started) / 1000,
    ...(mode === "held" ? { drainSeconds: (done - drainStart) / 1000 } : {}),
    pushes: pushStats(s.meta, fromBatch),
    catalogMatches: catalogMatches(s, plan),
  };
}

export interface BatchingData extends Record<string, unknown> {
  topology: Topology;
  products: number;
  deliveriesPerRound: number;
  held: RoundResult;
  live?: RoundResult;
}

async function run(ctx: FigureContext, topology: Topology, name: string, live: boolean) {
  const products = ctx.quick ? 500 : 5000;
  const s = await setup(ctx, name);
  const meta = { url: s.meta.sim.url, appId: s.meta.sim.appId, appSecret: s.meta.sim.appSecret };
  const procs: Proc[] = [];
  try {
    const webs: WebProcess[] = [];
    for (let i = 0; i < topology.webs; i++) webs.push(await startWeb(s.db.url, `web${i + 1}`));
    procs.push(...webs);
    for (let i = 0; i < topology.workers; i++) procs.push(startWorker(s.db.url, meta, undefined, `worker${i + 1}`));
    await sleep(1000); // the workers' first round

    const heldPlan = batchingPlan({ products, firstProductId: 1, round: 1, seed: 7 });
    ctx.log(`${name}: held round, ${fmt(heldPlan.deliveries.length)} deliveries (${topology.webs} web, ${topology.workers} worker)`);
    const held = await round(ctx, s, webs, heldPlan, "held");
    let liveRound: RoundResult | undefined;
    if (live) {
      const livePlan = batchingPlan({ products, firstProductId: 1, round: 2, seed: 8 });
      ctx.log(`${name}: live round, ${fmt(livePlan.deliveries.length)} deliveries`);
      liveRound = await round(ctx, s, webs, livePlan, "live");
    }
    const workerPeakRssMb = procs.filter((p) => p.name.startsWith("worker")).map((p) => peakRssMb(p.pid));
    const data: BatchingData = {
      topology,
      products,
      deliveriesPerRound: heldPlan.deliveries.length,
      expectedResults: { duplicates: heldPlan.duplicates, staleOnArrival: heldPlan.olderThanFinal },
      held,
      ...(liveRound ? { live: liveRound } : {}),
      workerPeakRssMb,
    };
    return { data, finalItems: products * VARIANTS };
  } finally {
    for (const p of procs) await p.stop();
    await s.close();
  }
}

const ok = (r: LoadResult) => r.errors === 0 && (r.statuses["200"] ?? 0) === r.requests;

export async function batchingFigure(ctx: FigureContext, topology: Topology): Promise<FigureResult> {
  const { data, finalItems } = await run(ctx, topology, "batching", ctx.live);
  const { held, live } = data;
  const heldCalls = Math.ceil(finalItems / MAX_BATCH);
  const rows: Row[] = [
    {
      figure: "2 batching",
      measure: `held: ${fmt(data.deliveriesPerRound)} deliveries accepted`,
      value: `${fmt(held.load.perSecond)}/s; ${Object.entries(held.load.results).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`,
      target: "all 200",
      holds: ok(held.load),
    },
    {
      figure: "2 batching",
      measure: "held: items sent / distinct final items",
      value: `${fmt(held.pushes.items)} / ${fmt(finalItems)} (dup ${held.pushes.duplicates}, stale ${held.pushes.stale})`,
      target: "equal, 0 dup, 0 stale",
      holds: held.pushes.items === finalItems && held.pushes.duplicates === 0 && held.pushes.stale === 0,
    },
    {
      figure: "2 batching",
      measure: "held: items_batch calls",
      value: `${held.pushes.calls} in ${fmt(held.drainSeconds ?? 0, 1)} s`,
      target: `≤ ${heldCalls} + 1`,
      holds: held.pushes.calls <= heldCalls + 1,
    },
  ];
  if (live) rows.push(
    {
      figure: "2 batching",
      measure: `live: ${fmt(data.deliveriesPerRound)} deliveries, worker flushing`,
      value: `${fmt(live.load.perSecond)}/s; catalog final after ${fmt(live.endToEndSeconds, 1)} s`,
      target: "all 200",
      holds: ok(live.load),
    },
    {
      figure: "2 batching",
      measure: "live: items sent (distinct ids), dup, stale",
      value: `${fmt(live.pushes.items)} (${fmt(live.pushes.distinctItems)}), ${live.pushes.duplicates}, ${live.pushes.stale}`,
      target: "0 dup, 0 stale",
      holds: live.pushes.duplicates === 0 && live.pushes.stale === 0,
    },
    {
      figure: "2 batching",
      measure: "live: calls vs ceil(items/5,000) + interval flushes",
      value: `${live.pushes.calls} vs ${live.pushes.lowerBoundCalls} + ${live.pushes.partialCalls}`,
      target: "within one",
      holds: live.pushes.calls <= live.pushes.lowerBoundCalls + live.pushes.partialCalls + 1,
    },
  );
  const matches = held.catalogMatches && (!live || live.catalogMatches);
  rows.push({
    figure: "2 batching",
    measure: "simulator catalog = final Shopify state",
    value: matches ? `yes${live ? " (both rounds)" : ""}` : "no",
    target: "equal",
    holds: matches,
  });
  return { rows, data };
}

/**
 * Figure 5: figure 2 again with 2 web processes and 2 workers, against the
 * 1 + 1 run of figure 2 on the same database (PostgreSQL), same plan.
 */
export async function scaleOutFigure(ctx: FigureContext, single?: FigureResult): Promise<FigureResult> {
  const one = (single?.data as BatchingData | undefined) ?? (await run(ctx, { webs: 1, workers: 1 }, "scaleout1", ctx.live)).data;
  const { data: two } = await run(ctx, { webs: 2, workers: 2 }, "scaleout2", ctx.live && Boolean(one.live));
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ingestRatio = ratio(two.held.load.perSecond, one.held.load.perSecond);
  const endToEndRatio = ratio(one.held.endToEndSeconds, two.held.endToEndSeconds);
  const drainRatio = ratio(one.held.drainSeconds ?? 1, two.held.drainSeconds ?? 1);
  const twice = two.held.pushes.pushedTwice + (two.live?.pushes.pushedTwice ?? 0);
  const rows: Row[] = [
    {
      figure: "5 scale out",
      measure: "2+2 vs 1+1: deliveries/s accepted",
      value: `${fmt(two.held.load.perSecond)} vs ${fmt(one.held.load.perSecond)}/s (×${ingestRatio})`,
      target: "report",
      holds: null,
    },
    {
      figure: "5 scale out",
      measure: "2+2 vs 1+1: drain (resume → catalog final)",
      value: `${fmt(two.held.drainSeconds ?? 0, 1)} vs ${fmt(one.held.drainSeconds ?? 0, 1)} s (×${drainRatio})`,
      target: "report",
      holds: null,
    },
    {
      figure: "5 scale out",
      measure: "2+2 vs 1+1: first delivery → catalog final",
      value: `${fmt(two.held.endToEndSeconds, 1)} vs ${fmt(one.held.endToEndSeconds, 1)} s (×${endToEndRatio})`,
      target: "report",
      holds: null,
    },
    {
      figure: "5 scale out",
      measure: "2 workers: items pushed twice",
      value: `${twice} (${fmt(two.held.pushes.items)} items in ${two.held.pushes.calls} calls${two.live ? `; live ${fmt(two.live.pushes.items)}` : ""})`,
      target: "0",
      holds: twice === 0 && two.held.pushes.items === one.held.pushes.items && two.held.catalogMatches && (two.live?.catalogMatches ?? true),
    },
  ];
  if (two.live && one.live) {
    rows.push({
      figure: "5 scale out",
      measure: "live: 2+2 vs 1+1 first delivery → catalog final",
      value: `${fmt(two.live.endToEndSeconds, 1)} vs ${fmt(one.live.endToEndSeconds, 1)} s`,
      target: "report",
      holds: null,
    });
  }
  return { rows, data: { one: { held: one.held, live: one.live }, two, ingestRatio, endToEndRatio, drainRatio } };
}
