import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, ROOT, TEST_API_KEY, TEST_API_SECRET } from "../helpers/app-process";
import { createTestDatabase } from "../helpers/databases";
import { workerNodeArgs } from "../helpers/worker-command";

/**
 * A production server marked APP_MODE=sandbox refuses to boot (issue 14): it
 * used to start and seal merchants' tokens with the public development key.
 * Both processes an operator starts are checked: the web server (npm start)
 * and the worker (npm run worker).
 */

/** Runs a process to its exit (or kills it after `ms`): its exit code (null when it kept running) and output. */
function run(args: string[], env: Record<string, string>, ms = 20_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } as unknown as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("APP_MODE=sandbox with NODE_ENV=production", () => {
  it("stops the web server and the worker at boot with a message naming APP_MODE", { timeout: 60_000 }, async () => {
    const database = await createTestDatabase("sqlite");
    try {
      const port = await freePort();
      const env = {
        NODE_ENV: "production",
        APP_MODE: "sandbox",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: database.url,
        SHOPIFY_API_KEY: TEST_API_KEY,
        SHOPIFY_API_SECRET: TEST_API_SECRET,
        SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: "info",
      };
      const web = await run(["--import", "tsx", path.join(ROOT, "app/server.ts")], env);
      expect(web.code, `the web server kept running:\n${web.output}`).not.toBeNull();
      expect(web.code).not.toBe(0);
      expect(web.output).toMatch(/APP_MODE: invalid: "sandbox" is for development and tests, never with NODE_ENV=production/);

      const worker = await run(workerNodeArgs(), env);
      expect(worker.code, `the worker kept running:\n${worker.output}`).not.toBeNull();
      expect(worker.code).not.toBe(0);
      expect(worker.output).toMatch(/APP_MODE: invalid/);
    } finally {
      await database.drop();
    }
  });
});
