import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * `npm run test:unit`: the pure tests (next to the code in app/, and
 * test/unit), without the global setup's build and database templates.
 * `npm test` runs them too, with everything else.
 */
export default defineConfig({
  ...base,
  test: { ...base.test, include: ["app/**/*.test.{ts,tsx}", "test/unit/**/*.test.ts"], globalSetup: [] },
});
