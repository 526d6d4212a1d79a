import path from "node:path";
import { defineConfig } from "vitest/config";
import { TEST_ENCRYPTION_KEYS } from "./helpers/app-process";

const root = path.resolve(import.meta.dirname, "..");

export default defineConfig({
  root,
  test: {
    include: ["app/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    exclude: ["node_modules/**", "build/**"],
    globalSetup: [path.join(root, "test/helpers/global-setup.ts")],
    pool: "forks",
    // 2 cores: two files at a time keeps the servers each test starts responsive.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The keys of the apps the tests start (test/helpers/app-process.ts), so what a test seals they can open.
    env: { NODE_ENV: "test", LOG_LEVEL: "silent", ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test/output/vitest.json" }]] : ["default"],
  },
  resolve: { alias: { "~": path.join(root, "app") } },
});
