import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

// Lives in app/ to keep the top level to what the design card lists;
// package.json's scripts pass --config app/vite.config.ts.
const root = path.resolve(import.meta.dirname, "..");

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// Shopify's CLI exposes the tunnel URL as SHOPIFY_APP_URL; HMR must use it.
const host = new URL(process.env.SHOPIFY_APP_URL || "http://localhost").hostname;
const hmr =
  host === "localhost"
    ? { protocol: "ws", host: "localhost", port: 64999, clientPort: 64999 }
    : { protocol: "wss", host, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 };

export default defineConfig({
  root,
  server: {
    allowedHosts: [host],
    cors: { preflightContinue: true },
    port: Number(process.env.PORT || 3000),
    hmr,
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    remix({
      appDirectory: path.join(root, "app"),
      // Test runs build into a scratch folder and swap it in (test/helpers/build.ts).
      buildDirectory: process.env.REMIX_BUILD_DIR ?? path.join(root, "build"),
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: true,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths({ root }),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
