import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./app-process";

/**
 * The Node arguments `npm run worker` starts the worker with (package.json's
 * "worker" script, e.g. its heap limit), so the benchmarks and the chaos run
 * measure the very process an operator runs.
 */
export function workerNodeArgs(): string[] {
  const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.worker;
  const [command, ...args] = script.trim().split(/\s+/);
  if (command !== "node" || args.at(-1) !== "app/worker.ts") throw new Error(`package.json's worker script must be "node [options] app/worker.ts"; got "${script}"`);
  return [...args.slice(0, -1), path.join(ROOT, "app/worker.ts")];
}
