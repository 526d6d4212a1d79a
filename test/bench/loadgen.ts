/**
 * The load generator: a child process of its own (so it never shares an
 * event loop with the server it measures) that signs every delivery of a
 * plan as Shopify would, then sends them with autocannon. Usage:
 *   node --import tsx test/bench/loadgen.ts <spec.json>
 * It writes a LoadResult to spec.out. Latency is measured per request from
 * the moment autocannon builds it (right before it writes it) to the end of
 * the response, with sub-millisecond resolution.
 */
import { createHmac } from "node:crypto";
import fs from "node:fs";
import autocannon from "autocannon";
import { deliveryBody, type Delivery } from "./payloads";

export interface LoadSpec {
  /** One base URL per web process; connections are spread over them. */
  urls: string[];
  path: string;
  connections: number;
  /** autocannon's overallRate (requests per second for the whole run); absent = as fast as possible. */
  overallRate?: number;
  shop: string;
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
  return list.map(([productId, updatedAtMs, webhookId, version]) => {
    const raw = deliveryBody(productId, updatedAtMs, version, spec.variants);
    return {
      body: Buffer.from(raw),
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": spec.topic,
        "x-shopify-shop-domain": spec.shop,
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
  let first = Infinity;
  const urls = spec.urls.map((u) => new URL(spec.path, u).toString());
  const connections = Math.min(spec.connections, n, spec.overallRate ?? Infinity);

  const instance = autocannon({
    // autocannon spreads the connections over several URLs; its types only know one.
    url: (urls.length === 1 ? urls[0] : urls) as string,
    connections,
    pipelining: 1,
    amount: n,
    overallRate: spec.overallRate,
    timeout: spec.timeoutS ?? 30,
    requests: [
      {
        method: "POST",
        setupRequest(req, context) {
          // One request in flight per connection: the context names the delivery until its response.
          const i = next++ % n;
          (context as { i: number }).i = i;
          sentAt[i] = now();
          if (sentAt[i] < first) first = sentAt[i];
          return { ...req, method: "POST", path: spec.path, headers: prepared[i].headers, body: prepared[i].body };
        },
        onResponse(status, body, context) {
          const i = (context as { i: number }).i;
          doneAt[i] = now();
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (body && body.startsWith("{")) {
            try {
              const result = (JSON.parse(body) as { result?: unknown }).result;
              if (typeof result === "string") results[result] = (results[result] ?? 0) + 1;
            } catch {
              // not the app's JSON
            }
          }
        },
      },
    ],
  });
  const summary = await instance;
  const latencies: number[] = [];
  let last = first;
  for (let i = 0; i < n; i++) {
    if (doneAt[i] === 0) continue;
    latencies.push(doneAt[i] - sentAt[i]);
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
    errors: summary.errors,
    timeouts: summary.timeouts,
    ...(record ? { completions: Array.from(doneAt, (t) => Math.round(t * 10) / 10) } : {}),
  };
}

const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as LoadSpec;
if (spec.warmup?.length) await send({ ...spec, overallRate: undefined }, prepare(spec, spec.warmup), false);
const prepared = prepare(spec, spec.deliveries);
if (typeof global.gc === "function") global.gc();
process.stdout.write("start\n");
const result = await send(spec, prepared, spec.recordCompletions ?? false);
fs.writeFileSync(spec.out, JSON.stringify(result));
