import { inject } from "vitest";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { freePort } from "./app-process";
import { OUTPUT } from "./global-setup";

/**
 * The sandbox as the browser tests run it: every server on a free port (the
 * sandbox's defaults, PORT+1..+3, may be taken by another test file's), its
 * own fresh SQLite file named for the test, quiet, and not rebuilt (the
 * global setup built the app once). `env` adds or overrides settings.
 */
export async function startTestSandbox(name: string, env: Record<string, string> = {}): Promise<Sandbox> {
  return startSandbox({
    env: {
      PORT: String(await freePort()),
      SANDBOX_ADMIN_PORT: String(await freePort()),
      SANDBOX_ADMIN_API_PORT: String(await freePort()),
      SANDBOX_GRAPH_PORT: String(await freePort()),
      DATABASE_URL: `file:${OUTPUT}/e2e-${name}-${inject("runId")}.sqlite`,
      ...env,
    },
    output: () => undefined,
    build: false,
  });
}
