import pino from "pino";
import { MetaGraphClient, type MetaGraphClientOptions } from "../../app/meta/client.server";
import type { MetaSimulator } from "./server";

/** Test helpers: a client wired to a simulator with captured debug logs, and raw Graph calls. */

export interface TestClient {
  client: MetaGraphClient;
  /** Everything the client logged (pino JSON lines). */
  logs(): string;
  logLines(): Array<Record<string, unknown>>;
}

export function clientFor(sim: MetaSimulator, options: MetaGraphClientOptions = {}): TestClient {
  const lines: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
  const client = new MetaGraphClient({
    baseUrl: sim.url,
    version: "v25.0",
    appId: sim.appId,
    appSecret: sim.appSecret,
    timeoutMs: 2_000,
    retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 },
    logger,
    ...options,
  });
  return { client, logs: () => lines.join(""), logLines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export interface GraphAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A raw Graph call, for checking the simulator itself. */
export async function graph(
  sim: MetaSimulator,
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; form?: Record<string, string>; query?: Record<string, string>; version?: string | null } = {},
): Promise<GraphAnswer> {
  const version = opts.version === undefined ? "/v25.0" : opts.version === null ? "" : `/${opts.version}`;
  const url = new URL(`${sim.url}${version}${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** A catalog item Meta accepts. */
export function validItem(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    item_group_id: "group-1",
    title: `Product ${id}`,
    description: "A plain text description.",
    availability: "in stock",
    condition: "new",
    price: "12.34 USD",
    link: `https://shop.example/products/${id}`,
    image_link: `https://cdn.example/${id}.jpg`,
    brand: "Example",
    ...overrides,
  };
}

export async function until<T>(check: () => T | undefined | false, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
