/**
 * The load generator: a child process of its own (so it never shares an
 * event loop with the server it measures) that signs every delivery of a
 * plan as Shopify would, then sends them with autocannon. Usage:
 *   node --import tsx test/bench/loadgen.ts <spec.json>
 * It writes a LoadResult to spec.out. Latency is measured per request from
 * the moment autocannon builds it (right before it writes it) to the end of
 * the response, with sub-millisecond resolution.
 *
 * At a given rate (spec.overallRate) it does not use autocannon: autocannon
 * lets each connection send its share of a second back to back at the start
 * of the second, so "500/s" was 500 requests in a burst every second, and
 * the latency measured was that of a burst at full load. Here deliveries
 * leave one by one on a fixed schedule (open loop, over at most
 * spec.connections keep-alive sockets), and a request's latency counts from
 * its scheduled time, so a server that falls behind is not excused by a
 * sender that waited for it.
 */
import { createHmac } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import autocannon from "autocannon";
import { deliveryBody, type Delivery } from "./payloads";

export interface LoadSpec {
  /** One base URL per web process; connections are spread over them. */
  urls: string[];
  path: string;
  connections: number;
  /** Requests per second, evenly spaced (open loop); absent = as fast as the connections go (autocannon). */
  overallRate?: number;
  shop: string;
  /** Several shops: a delivery's fifth element picks one (figure 6). */
  shops?: string[];
  secret: string;
  topic: string;
  variants: number;
  deliveries: Delivery[];
  /** Sent first at the same concurrency, not counted. */
  warmup?: Delivery[];
  out: string;
  /** Keep each request's completion time (epoch ms) for the freshness figure. */
  recordCompletions?: boolean;
  /** Request timeout, seconds. */
  timeoutS?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  statuses: Record<string, number>;
  /** The app's `result` field ("stored", "duplicate", "stale", ...), when it answers JSON. */
  results: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Completion time (epoch ms) of delivery i, when recordCompletions. */
  completions?: number[];
}

const now = () => performance.timeOrigin + performance.now();

interface Prepared {
  body: Buffer;
  headers: Record<string, string>;
}

function prepare(spec: LoadSpec, list: Delivery[]): Prepared[] {
  return list.map(([productId, updatedAtMs, webhookId, version, shopIndex]) => {
    const raw = deliveryBody(productId, updatedAtMs, version, spec.variants);
    return {
      body: Buffer.from(raw),
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": spec.topic,
        "x-shopify-shop-domain": (shopIndex !== undefined ? spec.shops?.[shopIndex] : undefined) ?? spec.shop,
        "x-shopify-api-version": "2026-10",
        "x-shopify-webhook-id": webhookId,
        "x-shopify-event-id": `${webhookId}-e`,
        "x-shopify-triggered-at": new Date(updatedAtMs).toISOString(),
        "x-shopify-hmac-sha256": createHmac("sha256", spec.secret).update(raw, "utf8").digest("base64"),
      },
    };
  });
}

function percentile(sorted: Float64Array, p: number) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number) => Math.round(x * 100) / 100;

async function send(spec: LoadSpec, prepared: Prepared[], record: boolean): Promise<LoadResult> {
  const n = prepared.length;
  const sentAt = new Float64Array(n);
  const doneAt = new Float64Array(n);
  const statuses: Record<string, number> = {};
  const results: Record<string, number> = {};
  let next = 0;
  const urls = spec.urls.map((u) => new URL(spec.path, u).toString());
  const connections = Math.min(spec.connections, n);

  const instance = autocannon({
    // autocannon spreads the connections over several URLs; its types only know one.
    url: (urls.length === 1 ? urls[0] : urls) as string,
    connections,
    pipelining: 1,
    amount: n,
    timeout: spec.timeoutS ?? 30,
    requests: [
      {
        method: "POST",
        setupRequest(req, context) {
          // One request in flight per connection: the context names the delivery until its response.
          const i = next++ % n;
          (context as { i: number }).i = i;
          sentAt[i] = now();
          return { ...req, method: "POST", path: spec.path, headers: prepared[i].headers, body: prepared[i].body };
        },
        onResponse(status, body, context) {
          const i = (context as { i: number }).i;
          doneAt[i] = now();
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (body) countResult(body, results);
        },
      },
    ],
  });
  const summary = await instance;
  return summarize(sentAt, doneAt, statuses, results, summary.errors, summary.timeouts, record);
}

function summarize(sentAt: Float64Array, doneAt: Float64Array, statuses: Record<string, number>, results: Record<string, number>, errors: number, timeouts: number, record: boolean): LoadResult {
  const n = sentAt.length;
  const latencies: number[] = [];
  let first = Infinity;
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (doneAt[i] === 0) continue;
    latencies.push(doneAt[i] - sentAt[i]);
    if (sentAt[i] < first) first = sentAt[i];
    if (doneAt[i] > last) last = doneAt[i];
  }
  const sorted = Float64Array.from(latencies).sort();
  const seconds = (last - first) / 1000;
  return {
    requests: latencies.length,
    seconds: round(seconds),
    perSecond: round(latencies.length / seconds),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
      mean: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    },
    statuses,
    results,
    errors,
    timeouts,
    ...(record ? { completions: Array.from(doneAt, (t) => Math.round(t * 10) / 10) } : {}),
  };
}

function countResult(body: string, results: Record<string, number>) {
  if (!body.startsWith("{")) return;
  try {
    const result = (JSON.parse(body) as { result?: unknown }).result;
    if (typeof result === "string") results[result] = (results[result] ?? 0) + 1;
  } catch {
    // not the app's JSON
  }
}

/** Open loop at spec.overallRate: delivery i is due at start + i / rate (see the top of the file). */
async function sendPaced(spec: LoadSpec, prepared: Prepared[], record: boolean): Promise<LoadResult> {
  const n = prepared.length;
  const rate = spec.overallRate!;
  const scheduled = new Float64Array(n);
  const doneAt = new Float64Array(n);
  const statuses: Record<string, number> = {};
  const results: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const urls = spec.urls.map((u) => new URL(spec.path, u));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, Math.floor(spec.connections / urls.length)) });
  const start = now() + 20;
  let finished = 0;
  await new Promise<void>((resolve) => {
    const fire = (i: number) => {
      const url = urls[i % urls.length];
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { ...prepared[i].headers, "content-length": prepared[i].body.length }, timeout: (spec.timeoutS ?? 30) * 1000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            doneAt[i] = now();
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            countResult(Buffer.concat(chunks).toString(), results);
            if (++finished === n) resolve();
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (error) => {
        if (error.message === "timeout") timeouts++;
        else errors++;
        if (++finished === n) resolve();
      });
      req.end(prepared[i].body);
    };
    let next = 0;
    const tick = () => {
      const t = now();
      while (next < n && start + (next * 1000) / rate <= t) {
        scheduled[next] = start + (next * 1000) / rate;
        fire(next++);
      }
      if (next < n) setTimeout(tick, Math.max(0, start + (next * 1000) / rate - now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  return summarize(scheduled, doneAt, statuses, results, errors, timeouts, record);
}

const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as LoadSpec;
if (spec.warmup?.length) await send({ ...spec, overallRate: undefined }, prepare(spec, spec.warmup), false);
const prepared = prepare(spec, spec.deliveries);
if (typeof global.gc === "function") global.gc();
process.stdout.write("start\n");
const result = spec.overallRate ? await sendPaced(spec, prepared, spec.recordCompletions ?? false) : await send(spec, prepared, spec.recordCompletions ?? false);
fs.writeFileSync(spec.out, JSON.stringify(result));
