import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ROOT, TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEYS } from "../helpers/app-process";
import { workerNodeArgs } from "../helpers/worker-command";

/**
 * Catalog workers as real child processes (started as `npm run worker`
 * starts them), each talking to the Meta simulator through a
 * small proxy of its own. The proxy is how the run kills a worker exactly
 * mid-batch: Meta has received and applied the items_batch call, the worker
 * dies (SIGKILL) before it hears the answer or records anything.
 */

export interface WorkerEnv {
  databaseUrl: string;
  metaUrl: string;
  /** The Admin API stand-in (the full syncs at the end of the run). */
  adminUrl?: string;
  appId: string;
  appSecret: string;
  flushIntervalMs: number;
  metaTimeoutMs: number;
  leaseMs: number;
  logDir: string;
}

export class ChaosWorker {
  private child: ChildProcess | null = null;
  private proxy!: http.Server;
  private proxyUrl = "";
  private generation = 0;
  private armed = false;
  private stopping = false;
  /** Resolves when an armed mid-batch kill has happened. */
  private onMidBatch: (() => void) | null = null;
  kills = 0;
  midBatchKills = 0;
  /** Unexpected exits (not killed by the run): a crash is a finding. */
  crashes: string[] = [];

  constructor(
    readonly index: number,
    private readonly env: WorkerEnv,
  ) {}

  async start() {
    const upstream = new URL(this.env.metaUrl);
    this.proxy = http.createServer((req, res) => {
      const up = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          if (this.armed && req.method === "POST" && req.url?.includes("/items_batch") && answer.statusCode === 200) {
            // Meta applied the batch; the worker dies before it knows.
            this.armed = false;
            this.midBatchKills += 1;
            this.kill();
            answer.resume();
            res.destroy();
            this.onMidBatch?.();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on("error", () => res.destroy());
      // The worker gave up (its timeout) or died: drop the upstream call too.
      res.on("close", () => {
        if (!res.writableFinished) up.destroy();
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve) => this.proxy.listen(0, "127.0.0.1", resolve));
    this.proxyUrl = `http://127.0.0.1:${(this.proxy.address() as AddressInfo).port}`;
    this.spawn();
  }

  private spawn() {
    this.generation += 1;
    const log = fs.openSync(path.join(this.env.logDir, `worker-${this.index}-${this.generation}.log`), "w");
    const child = spawn(process.execPath, workerNodeArgs(), {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        DATABASE_URL: this.env.databaseUrl,
        META_GRAPH_URL: this.proxyUrl,
        ...(this.env.adminUrl ? { SHOPIFY_ADMIN_API_URL: this.env.adminUrl } : {}),
        META_APP_ID: this.env.appId,
        META_APP_SECRET: this.env.appSecret,
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        SHOPIFY_API_KEY: TEST_API_KEY,
        SHOPIFY_API_SECRET: TEST_API_SECRET,
        SHOPIFY_APP_URL: "https://chaos.example.com",
        CATALOG_FLUSH_INTERVAL_MS: String(this.env.flushIntervalMs),
        META_TIMEOUT_MS: String(this.env.metaTimeoutMs),
        CATALOG_LEASE_MS: String(this.env.leaseMs),
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    this.child = child;
    child.once("exit", (code, signal) => {
      if (this.child === child) this.child = null;
      if (signal !== "SIGKILL" && !this.stopping) this.crashes.push(`worker ${this.index}.${this.generation} exited with ${signal ?? code}`);
    });
  }

  get alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL now; `restartAfterMs` later a fresh process takes over. */
  kill(restartAfterMs?: number) {
    if (!this.child) return;
    this.child.kill("SIGKILL");
    this.child = null;
    this.kills += 1;
    if (restartAfterMs !== undefined) this.restartLater(restartAfterMs);
  }

  restartLater(ms: number) {
    setTimeout(() => {
      if (!this.stopping && !this.child) this.spawn();
    }, ms).unref();
  }

  /** The next items_batch answer this worker would get kills it instead; it restarts `restartAfterMs` later. */
  armMidBatchKill(restartAfterMs: number): Promise<void> {
    this.armed = true;
    return new Promise((resolve) => {
      this.onMidBatch = () => {
        this.onMidBatch = null;
        this.restartLater(restartAfterMs);
        resolve();
      };
    });
  }

  /** Gives up a mid-batch kill not yet done. */
  disarm() {
    this.armed = false;
    this.onMidBatch = null;
  }

  get midBatchArmed() {
    return this.armed;
  }

  /** Makes sure a process runs (after a kill whose restart is still pending). */
  ensureRunning() {
    if (!this.child && !this.stopping) this.spawn();
  }

  async stop() {
    this.stopping = true;
    this.armed = false;
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    this.proxy.closeAllConnections();
    await new Promise<void>((resolve) => this.proxy.close(() => resolve()));
  }
}
