import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const BUILD = path.join(root, "build");
const LOCK = path.join(root, "build.lock");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.includes(".test.")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isStale() {
  const marker = path.join(BUILD, "server/index.js");
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(root, "app")), fs.statSync(path.join(root, "package-lock.json")).mtimeMs);
  return built <= sources;
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `remix vite:build` unless build/ is newer than every source under app/.
 * Builds into a scratch folder and swaps it in, under a lock, so a run that
 * builds never pulls build/ from under another run's servers.
 */
export function buildIfStale(log: (line: string) => void = console.log) {
  if (!isStale()) return;
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      // Another run builds; a lock older than 5 minutes is left over from a killed run.
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000 || Date.now() > deadline) fs.rmSync(LOCK, { recursive: true, force: true });
      sleepSync(250);
    }
  }
  const scratch = `${BUILD}.tmp-${process.pid}`;
  try {
    if (!isStale()) return;
    log("building the app (sources changed since the last build)...");
    fs.rmSync(scratch, { recursive: true, force: true });
    execFileSync(path.join(root, "node_modules/.bin/remix"), ["vite:build", "--config", "app/vite.config.ts"], {
      cwd: root,
      // The production build, as `npm run build` makes it, whatever runs this: under Vitest NODE_ENV is
      // "test", and Vite then bundles React's development build (slower, and not what merchants get).
      env: { ...process.env, NODE_ENV: "production", REMIX_BUILD_DIR: scratch },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const old = `${BUILD}.old-${process.pid}`;
    if (fs.existsSync(BUILD)) fs.renameSync(BUILD, old);
    fs.renameSync(scratch, BUILD);
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
