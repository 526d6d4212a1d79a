import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateDatabase } from "../../prisma/migrate";
import { freePort, ROOT, TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { pgAdmin, pgReachable, postgresBaseUrl, withDatabase } from "../helpers/postgres";
import { openDatabase, type TestDatabase } from "../helpers/open-database";
import { workerNodeArgs } from "../helpers/worker-command";
import type { LoadResult, LoadSpec } from "./loadgen";

/**
 * The benchmark's moving parts: fresh databases, the production server
 * (app/server.ts, as `npm start` runs it), worker processes, the floor
 * servers and the load generator, each in a process of its own.
 */

export type Provider = "sqlite" | "postgresql";

export const BENCH_OUTPUT = path.join(ROOT, "test/output", `bench-${process.pid}`);
export const PROFILE_DIR = path.join(ROOT, "test/output/bench-profiles");

/** Set by --profile: the app and worker processes write V8 CPU profiles into PROFILE_DIR on exit. */
export const options = { profile: false, verbose: false };

export type BenchDatabase = TestDatabase;

/**
 * One migrated template per provider (prisma/migrate.ts), copied for every
 * figure so each starts from an empty database: SQLite files under
 * test/output/bench-<pid>/, PostgreSQL databases wa_bench_<pid> (the
 * template) and wa_bench_<pid>_<figure>, all dropped at the end.
 */
export class Databases {
  private template?: string;
  private readonly pgBase = postgresBaseUrl();
  private readonly pgTemplate = `wa_bench_${process.pid}`;

  constructor(readonly provider: Provider) {}

  static async postgresReachable() {
    return pgReachable(postgresBaseUrl());
  }

  private async ensureTemplate() {
    if (this.template) return this.template;
    if (this.provider === "sqlite") {
      fs.mkdirSync(BENCH_OUTPUT, { recursive: true });
      const file = path.join(BENCH_OUTPUT, "template.sqlite");
      migrateDatabase(`file:${file}`);
      this.template = file;
    } else {
      await pgAdmin(this.pgBase, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${this.pgTemplate} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${this.pgTemplate}`);
      });
      migrateDatabase(withDatabase(this.pgBase, this.pgTemplate));
      this.template = this.pgTemplate;
    }
    return this.template;
  }

  async fresh(name: string): Promise<BenchDatabase> {
    const template = await this.ensureTemplate();
    let url: string;
    if (this.provider === "sqlite") {
      const file = path.join(BENCH_OUTPUT, `${name}.sqlite`);
      for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
      fs.copyFileSync(template, file);
      url = `file:${file}`;
    } else {
      const database = `${this.pgTemplate}_${name.replace(/\W/g, "_")}`;
      await pgAdmin(this.pgBase, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${database} TEMPLATE ${template}`);
      });
      url = withDatabase(this.pgBase, database);
    }
    return openDatabase(this.provider, url, postgresBaseUrl());
  }

  /** Drops everything this run made (also after a failure). */
  async cleanup() {
    if (this.provider === "sqlite") {
      fs.rmSync(BENCH_OUTPUT, { recursive: true, force: true });
      return;
    }
    if (!(await pgReachable(this.pgBase))) return;
    await pgAdmin(this.pgBase, async (c) => {
      const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2)", [this.pgTemplate, `${this.pgTemplate}_`]);
      for (const row of rows) await c.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    });
  }
}

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The last lines it printed. */
  tail(): string;
  stop(): Promise<void>;
}

const children = new Set<Proc>();

/** Ends every process still running (on a failure or Ctrl+C). */
export async function stopAll() {
  await Promise.all([...children].map((p) => p.stop()));
}

function launch(name: string, args: string[], env: Record<string, string>): Proc {
  const nodeArgs = [
    "--import",
    path.join(ROOT, "test/bench/servers/exit-with-parent.mjs"),
    ...(process.env.BENCH_NODE_IMPORT ? ["--import", process.env.BENCH_NODE_IMPORT] : []),
    ...(options.profile ? ["--cpu-prof", "--cpu-prof-dir", PROFILE_DIR, "--cpu-prof-name", `${name}-${Date.now()}.cpuprofile`] : []),
  ];
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.homedir(), ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let lines: string[] = [];
  const keep = (d: Buffer) => {
    const text = String(d);
    if (options.verbose) process.stderr.write(`[${name}] ${text}`);
    lines.push(text);
    if (lines.length > 400) lines = lines.slice(-200);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const proc: Proc = {
    name,
    pid: child.pid!,
    child,
    tail: () => lines.join("").split("\n").slice(-40).join("\n"),
    async stop() {
      children.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      // A process that does not stop in time is killed (its profile, if any, is lost).
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  children.add(proc);
  return proc;
}

async function waitFor(proc: Proc, check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}:\n${proc.tail()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} did not become ready (${what}) in ${timeoutMs} ms:\n${proc.tail()}`);
}

export function baseEnv(databaseUrl: string, appUrl = "http://127.0.0.1"): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    LOG_LEVEL: "info",
  };
}

export interface WebProcess extends Proc {
  url: string;
}

/** The production build served exactly as `npm start` serves it (app/server.ts). */
export async function startWeb(databaseUrl: string, name = "web"): Promise<WebProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = launch(name, ["--import", "tsx", path.join(ROOT, "app/server.ts")], {
    ...baseEnv(databaseUrl, url),
    PORT: String(port),
    HOST: "127.0.0.1",
  });
  await waitFor(proc, async () => (await fetch(`${url}/healthz`)).status === 200, "GET /healthz");
  return { ...proc, url };
}

/** `npm run worker` against the Meta simulator (and the Admin API stand-in). */
export function startWorker(
  databaseUrl: string,
  meta: { url: string; appId: string; appSecret: string },
  adminUrl?: string,
  name = "worker",
  env: Record<string, string> = {},
): Proc {
  return launch(name, workerNodeArgs(), {
    ...env,
    ...baseEnv(databaseUrl),
    // For experiments (e.g. BENCH_WORKER_NODE_OPTIONS=--max-old-space-size=128); unset in the figures.
    ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
    META_GRAPH_URL: meta.url,
    META_APP_ID: meta.appId,
    META_APP_SECRET: meta.appSecret,
    ...(adminUrl ? { SHOPIFY_ADMIN_API_URL: adminUrl } : {}),
  });
}

/** The Admin API stand-in in a process of its own, serving `products` products of `shop` (figure 6). */
export async function startShopifyStandin(shop: string, products: number): Promise<Proc & { url: string }> {
  const port = await freePort();
  const proc = launch("shopify-standin", ["--import", "tsx", path.join(ROOT, "test/bench/servers/shopify-standin.ts")], {
    PATH: process.env.PATH ?? "",
    PORT: String(port),
    SHOP: shop,
    PRODUCTS: String(products),
  });
  await waitFor(proc, async () => proc.tail().includes("listening"), "listening");
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

/** A floor server (test/bench/servers/<kind>.ts). */
export async function startFloor(kind: "hmac-floor" | "framework-floor" | "route-floor", databaseUrl: string): Promise<WebProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = launch(kind, ["--import", "tsx", path.join(ROOT, `test/bench/servers/${kind}.ts`)], {
    ...baseEnv(databaseUrl, url),
    PORT: String(port),
  });
  await waitFor(proc, async () => proc.tail().includes("listening"), "listening");
  return { ...proc, url };
}

/** Runs the load generator in a child process and returns what it measured. */
export async function runLoad(
  spec: Omit<LoadSpec, "out" | "secret" | "topic" | "variants" | "path"> & Partial<LoadSpec> & { onStart?: () => void },
): Promise<LoadResult> {
  fs.mkdirSync(BENCH_OUTPUT, { recursive: true });
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const specFile = path.join(BENCH_OUTPUT, `load-${stamp}.json`);
  const out = path.join(BENCH_OUTPUT, `load-${stamp}.out.json`);
  const { onStart, ...rest } = spec;
  const full: LoadSpec = { secret: TEST_API_SECRET, topic: "products/update", variants: 5, ...rest, path: rest.path ?? "/webhooks/products", out };
  fs.writeFileSync(specFile, JSON.stringify(full));
  const child = spawn(process.execPath, ["--import", path.join(ROOT, "test/bench/servers/exit-with-parent.mjs"), "--import", "tsx", "--expose-gc", path.join(ROOT, "test/bench/loadgen.ts"), specFile], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  // The load generator prints "start" right before the measured requests (after its warm-up).
  child.stdout!.on("data", (d: Buffer) => {
    if (String(d).includes("start")) onStart?.();
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  const result = JSON.parse(fs.readFileSync(out, "utf8")) as LoadResult;
  fs.rmSync(specFile, { force: true });
  fs.rmSync(out, { force: true });
  return result;
}

/** CPU time (user + system) a process has used so far, in seconds (/proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** Peak resident set size of a process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
