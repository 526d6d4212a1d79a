import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { catalogRoutes } from "./catalog";
import { commerceRoutes } from "./commerce";
import { SimControl } from "./control";
import { controlRoutes } from "./control-routes";
import { Faults } from "./faults";
import { fbtraceId, GraphError } from "./graph-error";
import { oauthRoutes } from "./oauth";
import { readRequest, type SimReply } from "./request";
import { resolve, type Ctx, type RouteDef, type SimRuntime } from "./routes";
import { SimState, type SimConfig } from "./state";
import { UsageMeter } from "./usage-meter";
import { whatsappRoutes } from "./whatsapp";

/**
 * A stateful Meta Graph API on a real HTTP server: the client's contract
 * tests, the sandbox and the benchmarks run against it. Any /vNN.N/ prefix
 * is accepted (and none). See control.ts for seeding and control-routes.ts
 * for the /_sim/ HTTP API.
 */

export interface MetaSimulatorOptions {
  appId?: string;
  appSecret?: string;
  appName?: string;
  /** Where status webhooks are POSTed. */
  webhookCallbackUrl?: string;
  /** Signs webhooks; default appSecret. */
  webhookAppSecret?: string;
  port?: number;
  host?: string;
  /** Seeds the fault RNG (deterministic faults). */
  seed?: number;
  config?: Partial<Omit<SimConfig, "unsupportedFields">> & { unsupportedFields?: Iterable<string> };
}

export interface MetaSimulator {
  /** Base URL, e.g. http://127.0.0.1:4010 (use as META_GRAPH_URL). */
  url: string;
  port: number;
  appId: string;
  appSecret: string;
  state: SimState;
  faults: Faults;
  control: SimControl;
  /**
   * A WhatsApp user writes to a business number (issue 18): opens the customer
   * service window and delivers Meta's signed `messages` webhook to the app
   * (awaited), when the app is subscribed to the number's WABA.
   */
  inbound(input: Parameters<SimControl["receiveMessage"]>[0]): Promise<{ wamid: string; delivered: boolean }>;
  /** Forgets everything except the apps; clears faults. */
  reset(): void;
  close(): Promise<void>;
}

const ROUTES: RouteDef[] = [...oauthRoutes, ...whatsappRoutes, ...commerceRoutes, ...catalogRoutes];

export const DEFAULT_SIM_APP_ID = "1234567890123456";
export const DEFAULT_SIM_APP_SECRET = "sim-app-secret-0123456789abcdef";

export async function createMetaSimulator(options: MetaSimulatorOptions = {}): Promise<MetaSimulator> {
  const appId = options.appId ?? DEFAULT_SIM_APP_ID;
  const appSecret = options.appSecret ?? DEFAULT_SIM_APP_SECRET;
  let state = new SimState(appId);
  let control = new SimControl(state);
  let faults = new Faults(state);
  let meter = new UsageMeter();
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<unknown>>();

  const init = () => {
    control.seedApp({ id: appId, secret: appSecret, name: options.appName });
    control.configure({
      ...options.config,
      webhookCallbackUrl: options.webhookCallbackUrl ?? options.config?.webhookCallbackUrl ?? null,
      webhookAppSecret: options.webhookAppSecret ?? options.config?.webhookAppSecret ?? null,
    });
    faults.set({ seed: options.seed });
  };
  init();

  const runtime: SimRuntime = {
    get state() {
      return state;
    },
    url: "",
    later(ms, fn) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    },
    postWebhook(body) {
      // One delivery at a time, in order: Meta does not promise order, but
      // tests and the sandbox need a reproducible sent -> delivered -> read.
      const next = webhookQueue.then(() => deliver(body));
      webhookQueue = next;
      pending.add(next);
      return next.finally(() => pending.delete(next));
    },
  };

  let webhookQueue = Promise.resolve();
  async function deliver(body: unknown) {
    const url = state.config.webhookCallbackUrl;
    if (!url) return;
    const raw = JSON.stringify(body);
    const signature = `sha256=${createHmac("sha256", state.config.webhookAppSecret ?? appSecret).update(raw, "utf8").digest("hex")}`;
    const delivery = { url, body: raw, signature, status: null as number | null, error: null as string | null, atMs: Date.now() };
    state.webhookDeliveries.push(delivery);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signature, "user-agent": "facebookexternalua" },
        body: raw,
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      delivery.error = err instanceof Error ? err.message : String(err);
    }
  }

  const reset = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    state = new SimState(appId);
    control = new SimControl(state);
    faults = new Faults(state);
    meter = new UsageMeter();
    init();
    sim.state = state;
    sim.control = control;
    sim.faults = faults;
    handleControl = controlRoutes(control, faults, state, reset, inbound);
  };
  const inbound: MetaSimulator["inbound"] = async (input) => {
    const message = control.receiveMessage(input);
    if (message.subscribed) await runtime.postWebhook(message.body);
    return { wamid: message.wamid, delivered: message.subscribed };
  };
  let handleControl = controlRoutes(control, faults, state, reset, inbound);

  // Long read-back URLs (a products filter of 1,000 retailer ids is about 45 KB) reach handle(), which applies config.maxUrlBytes.
  const server = http.createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error("[meta-sim] handler crashed", err);
      if (!res.headersSent) send(res, { status: 500, body: new GraphError(500, 1, "An unknown error occurred").envelope() });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", runtime.url || "http://localhost");
    if (url.pathname.startsWith("/_sim/")) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      send(res, await handleControl((req.method ?? "GET").toUpperCase(), url.pathname.slice(6), url.searchParams, Buffer.concat(chunks).toString("utf8")));
      return;
    }
    if ((req.url ?? "").length > state.config.maxUrlBytes) {
      send(res, { status: 414, body: "Request-URI Too Long" });
      return;
    }
    let simReq;
    try {
      simReq = await readRequest(req, url);
    } catch (err) {
      send(res, errorReply(err));
      return;
    }
    const resolved = resolve(ROUTES, state, simReq);
    state.countCall(resolved.label);
    const businessId = resolved.id ? state.businessOf(resolved.id) : null;

    const fault = faults.decide(resolved.label, businessId, simReq.params);
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.action === "hang") {
      // Hold the request open: the client's timeout is what ends it.
      if (fault.ms === null) return;
      await delay(fault.ms);
    }
    let reply: SimReply;
    if (fault.action === "fail") reply = errorReply(fault.error);
    else if (resolved.error || !resolved.route) reply = errorReply(resolved.error);
    else {
      const ctx: Ctx = {
        req: simReq,
        sim: runtime,
        state,
        id: resolved.id,
        selfUrl: (query) => {
          const next = new URL(url.pathname, runtime.url);
          for (const [k, v] of url.searchParams) if (k !== "access_token") next.searchParams.set(k, v);
          for (const [k, v] of Object.entries(query)) next.searchParams.set(k, v);
          return next.toString();
        },
      };
      try {
        reply = await resolved.route.handle(ctx);
      } catch (err) {
        reply = errorReply(err);
      }
    }
    const usage = meter.headers(state, businessId, resolved.label);
    reply.headers = { ...usage, ...reply.headers };
    send(res, reply);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolveListen());
  });
  const { port, address } = server.address() as AddressInfo;
  runtime.url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  const sim: MetaSimulator = {
    url: runtime.url,
    port,
    appId,
    appSecret,
    state,
    faults,
    control,
    inbound,
    reset,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...pending]);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return sim;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorReply(err: unknown): SimReply {
  if (err instanceof GraphError) return { status: err.status, body: err.envelope(), headers: err.opts.headers };
  console.error("[meta-sim] unexpected error", err);
  return { status: 500, body: new GraphError(500, 1, "An unknown error occurred").envelope() };
}

function send(res: http.ServerResponse, reply: SimReply) {
  const body = JSON.stringify(reply.body ?? null);
  res.writeHead(reply.status, {
    "content-type": "application/json; charset=UTF-8",
    "x-fb-trace-id": fbtraceId(),
    "content-length": Buffer.byteLength(body),
    ...reply.headers,
  });
  res.end(body);
}
