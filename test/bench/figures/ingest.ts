import type { LoadResult } from "../loadgen";
import { ingestPlan } from "../payloads";
import { cpuSeconds, runLoad, startFloor, startWeb, startWorker, until, type WebProcess } from "../stack";
import { fmt, settled, setup, SHOP, type FigureContext, type FigureResult } from "./common";

/**
 * Figure 1, webhook ingest: signed products/update deliveries (5 variants,
 * ~6.5 KB, distinct webhook ids, each a newer state so every one is stored)
 * at 32 connections into the production server with the worker running,
 * then the same load against (a) the framework's floor, a route that only
 * runs authenticate.webhook in the same server stack, (a') the same call in
 * a bare node:http server, and (b) the platform's floor (HMAC only); and a
 * fixed 500/s run for the latency target. Each server's CPU time per
 * delivery is read from /proc, which a busy machine disturbs less than
 * requests per second.
 */

const CONNECTIONS = 32;

interface Measured extends LoadResult {
  /** CPU time the server process used per delivery (user + system), ms: steadier than req/s on a busy machine. */
  cpuMsPerRequest: number;
  /** The same for the worker beside the app (it shares the machine's two cores with it). */
  workerCpuMsPerRequest?: number;
}

function summary(r: Measured) {
  return {
    cpuMsPerRequest: r.cpuMsPerRequest,
    workerCpuMsPerRequest: r.workerCpuMsPerRequest,
    perSecond: r.perSecond,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    max: r.latencyMs.max,
    requests: r.requests,
    seconds: r.seconds,
    statuses: r.statuses,
    results: r.results,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

function allOk(r: LoadResult) {
  return r.errors === 0 && r.timeouts === 0 && (r.statuses["200"] ?? 0) === r.requests;
}

export async function ingestFigure(ctx: FigureContext): Promise<FigureResult> {
  const count = ctx.quick ? 3000 : 20_000;
  // The baselines get fewer: their rate settles well within that, and the suite must fit in 15 minutes.
  const floorCount = ctx.quick ? 2000 : 6000;
  const rateCount = ctx.quick ? 1500 : 5000;
  const warmup = ctx.quick ? 300 : 1000;
  const products = 4000;
  const s = await setup(ctx, "ingest");
  const meta = { url: s.meta.sim.url, appId: s.meta.sim.appId, appSecret: s.meta.sim.appSecret };
  try {
    const load = async (server: WebProcess, tag: string, n: number, overallRate?: number, firstProductId = 1, path?: string, worker?: { pid: number }): Promise<Measured> => {
      let cpuBefore = NaN;
      let workerBefore = NaN;
      const result = await runLoad({
        urls: [server.url],
        path,
        connections: CONNECTIONS,
        overallRate,
        shop: SHOP,
        warmup: ingestPlan(warmup, { products: warmup, firstProductId: 900_000 + firstProductId, tag: `${tag}-warm`, startMs: Date.now() }),
        deliveries: ingestPlan(n, { products, firstProductId, tag }),
        onStart: () => {
          cpuBefore = cpuSeconds(server.pid);
          if (worker) workerBefore = cpuSeconds(worker.pid);
        },
      });
      const perRequest = (seconds: number) => Math.round((seconds / result.requests) * 1e5) / 100;
      return {
        ...result,
        cpuMsPerRequest: perRequest(cpuSeconds(server.pid) - cpuBefore),
        ...(worker ? { workerCpuMsPerRequest: perRequest(cpuSeconds(worker.pid) - workerBefore) } : {}),
      };
    };

    // The app, as deployed: the production server and the worker beside it.
    const web = await startWeb(s.db.url);
    const worker = startWorker(s.db.url, meta);
    ctx.log(`ingest: app, ${fmt(count)} deliveries at ${CONNECTIONS} connections`);
    const app = await load(web, "app", count, undefined, 1, undefined, worker);
    // At 500/s, not 500/s plus the catch-up of the burst before: the worker first pushes that burst's backlog.
    const drainStart = Date.now();
    await until(() => settled(s), 120_000, "the worker to push the full-load run's changes", 200);
    ctx.log(`ingest: the worker pushed the full-load run's backlog ${fmt((Date.now() - drainStart) / 1000, 1)} s after it ended`);
    ctx.log(`ingest: app, ${fmt(rateCount)} deliveries at 500/s offered`);
    const rated = await load(web, "rated", rateCount, 500, 100_000, undefined, worker);
    await web.stop();
    await worker.stop();

    ctx.log("ingest: framework floor (a route that only runs authenticate.webhook, same server stack)");
    const routeServer = await startFloor("route-floor", s.db.url);
    const framework = await load(routeServer, "route", floorCount, undefined, 1, "/bench/floor");
    ctx.log(`ingest: framework floor, ${fmt(Math.min(rateCount, 3000))} deliveries at 500/s offered`);
    const frameworkRated = await load(routeServer, "route-rated", Math.min(rateCount, 3000), 500, 100_000, "/bench/floor");
    await routeServer.stop();

    ctx.log("ingest: Shopify library floor (authenticate.webhook in node:http, no Remix)");
    const libraryServer = await startFloor("framework-floor", s.db.url);
    const library = await load(libraryServer, "lib", floorCount);
    await libraryServer.stop();

    ctx.log("ingest: platform floor (node:http + HMAC)");
    const hmacServer = await startFloor("hmac-floor", s.db.url);
    const platform = await load(hmacServer, "hmac", floorCount);
    await hmacServer.stop();

    const sqliteTarget = ctx.provider === "sqlite";
    const ratio = app.perSecond / framework.perSecond;
    const rows = [
      {
        figure: "1 ingest",
        measure: `app: deliveries/s (${fmt(count)} at ${CONNECTIONS} conn.)`,
        value: `${fmt(app.perSecond)}/s`,
        target: sqliteTarget ? "≥ 1,500/s" : "(SQLite target only)",
        holds: sqliteTarget ? app.perSecond >= 1500 && allOk(app) : null,
      },
      { figure: "1 ingest", measure: "app: latency p50 / p99 at full load", value: `${fmt(app.latencyMs.p50, 1)} / ${fmt(app.latencyMs.p99, 1)} ms`, target: "< 5 s (Shopify)", holds: app.latencyMs.max < 5000 },
      {
        figure: "1 ingest",
        measure: "app: p99 at 500/s offered",
        value: `${fmt(rated.latencyMs.p99, 1)} ms (p50 ${fmt(rated.latencyMs.p50, 1)}, ${fmt(rated.perSecond)}/s)`,
        target: "< 50 ms",
        holds: rated.latencyMs.p99 < 50 && allOk(rated),
      },
      { figure: "1 ingest", measure: "(a) framework floor: route, authenticate.webhook only", value: `${fmt(framework.perSecond)}/s (p99 ${fmt(framework.latencyMs.p99, 1)} ms)`, target: "baseline", holds: null },
      {
        figure: "1 ingest",
        measure: "(a) framework floor: p99 at 500/s offered",
        value: `${fmt(frameworkRated.latencyMs.p99, 1)} ms (p50 ${fmt(frameworkRated.latencyMs.p50, 1)}, ${fmt(frameworkRated.perSecond)}/s)`,
        target: "baseline",
        holds: null,
      },
      { figure: "1 ingest", measure: "(a') same in node:http, no Remix", value: `${fmt(library.perSecond)}/s (p99 ${fmt(library.latencyMs.p99, 1)} ms)`, target: "baseline", holds: null },
      { figure: "1 ingest", measure: "(b) platform floor: node:http + HMAC", value: `${fmt(platform.perSecond)}/s (p99 ${fmt(platform.latencyMs.p99, 1)} ms)`, target: "baseline", holds: null },
      {
        figure: "1 ingest",
        measure: "server CPU per delivery: app / (a) / (a') / (b)",
        value: [app, framework, library, platform].map((r) => fmt(r.cpuMsPerRequest, 2)).join(" / ") + " ms",
        target: "report",
        holds: null,
      },
      {
        figure: "1 ingest",
        measure: "worker CPU per delivery beside the app: full load / 500/s",
        value: `${fmt(app.workerCpuMsPerRequest ?? NaN, 2)} / ${fmt(rated.workerCpuMsPerRequest ?? NaN, 2)} ms`,
        target: "report",
        holds: null,
      },
      { figure: "1 ingest", measure: "app / (a') library floor", value: `${fmt((app.perSecond / library.perSecond) * 100)} %`, target: "report", holds: null },
      { figure: "1 ingest", measure: "app / (a) framework floor", value: `${fmt(ratio * 100, 1)} %`, target: "≥ 70 %", holds: ratio >= 0.7 },
    ];
    if (!allOk(app) || !allOk(rated)) ctx.log(`ingest: not every delivery answered 200: ${JSON.stringify({ app: app.statuses, rated: rated.statuses })}`);
    return {
      rows,
      data: {
        deliveries: count,
        connections: CONNECTIONS,
        bodyBytesApprox: 6600,
        app: summary(app),
        appAt500PerSecond: summary(rated),
        frameworkFloor: summary(framework),
        frameworkFloorAt500PerSecond: summary(frameworkRated),
        libraryFloor: summary(library),
        platformFloor: summary(platform),
        appToFrameworkFloor: Math.round(ratio * 1000) / 1000,
        appToLibraryFloor: Math.round((app.perSecond / library.perSecond) * 1000) / 1000,
        appToPlatformFloor: Math.round((app.perSecond / platform.perSecond) * 1000) / 1000,
      },
    };
  } finally {
    await s.close();
  }
}
