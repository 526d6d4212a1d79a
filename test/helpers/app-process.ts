import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

/**
 * Runs the production build exactly as `npm start` does (app/server.ts) in a
 * child process with its own database, and captures everything it logs so
 * tests can search the logs (e.g. for leaked secrets).
 */

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const TEST_API_KEY = "test-api-key";
export const TEST_API_SECRET = "test-api-secret-0123456789";
export const TEST_ENCRYPTION_KEYS = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

/**
 * A port nothing listens on, for a server a test is about to start.
 *
 * Not `listen(0)`: that draws from the kernel's ephemeral range, which every
 * outgoing connection also draws its source port from, so under load a port
 * freed here can be taken by some client before our server binds it (CI saw
 * EADDRINUSE that way). These come from below that range, a slice of 1,000
 * per Vitest worker so the two workers never hand out the same port, and
 * each is checked free before it is returned.
 */
const SLICE = 1_000;
const FIRST_PORT = 20_000; // the ephemeral range starts at 32768 on Linux
const slice = Number(process.env.VITEST_POOL_ID ?? 0) % 12;
let cursor = process.pid % SLICE; // a new offset per process: a file's servers may linger in TIME_WAIT

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = FIRST_PORT + slice * SLICE + (cursor++ % SLICE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${FIRST_PORT + slice * SLICE}-${FIRST_PORT + (slice + 1) * SLICE - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export interface AppProcess {
  url: string;
  port: number;
  /** The app's process id (its memory can be read from /proc). */
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, child: ChildProcess, logs: () => string, anyAnswer: boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200 || anyAnswer) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`app did not become healthy in ${timeoutMs} ms:\n${logs()}`);
}

export async function startApp(opts: {
  databaseUrl: string;
  env?: Record<string, string>;
  /** Return once the server answers at all (for tests of an unhealthy app). */
  unhealthy?: boolean;
}): Promise<AppProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "app/server.ts")],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: opts.databaseUrl,
        SHOPIFY_API_KEY: TEST_API_KEY,
        SHOPIFY_API_SECRET: TEST_API_SECRET,
        SHOPIFY_APP_URL: url,
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        LOG_LEVEL: "debug",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const logs = () => output;
  await waitForHealth(url, child, logs, opts.unhealthy ?? false);
  return {
    url,
    port,
    pid: child.pid!,
    logs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
