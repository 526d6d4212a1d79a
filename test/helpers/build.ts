import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.includes(".test.")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs `remix vite:build` unless build/ is newer than every source under app/. */
export function buildIfStale(log: (line: string) => void = console.log) {
  const marker = path.join(root, "build/server/index.js");
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(root, "app")), fs.statSync(path.join(root, "package-lock.json")).mtimeMs);
  if (built > sources) return;
  log("building the app (sources changed since the last build)...");
  execFileSync(path.join(root, "node_modules/.bin/remix"), ["vite:build", "--config", "app/vite.config.ts"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
}
