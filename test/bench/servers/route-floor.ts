/**
 * The framework's floor as the issue defines it: a route that only runs
 * authenticate.webhook and answers 200, served by the production server
 * itself (app/server.ts, what `npm start` runs: express, the request log,
 * static files, Remix's request handler over build/). The route is added to
 * the build's route table in this process only; nothing ships with it.
 *   PORT=... DATABASE_URL=... SHOPIFY_API_KEY=... SHOPIFY_API_SECRET=... SHOPIFY_APP_URL=...
 *   node --import tsx test/bench/servers/route-floor.ts
 */
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { ROOT } from "../../helpers/app-process";
import { shopify } from "./floor-app";

// The same module instance app/server.ts imports (same path): its route table gains one route.
const build = (await import(path.join(ROOT, "build/server/index.js"))) as ServerBuild;
(build.routes as Record<string, unknown>)["routes/bench.floor"] = {
  id: "routes/bench.floor",
  parentId: "root",
  path: "bench/floor",
  index: undefined,
  caseSensitive: undefined,
  module: {
    action: async ({ request }: { request: Request }) => {
      await shopify.authenticate.webhook(request);
      return new Response('{"ok":true}', { status: 200, headers: { "content-type": "application/json" } });
    },
  },
};

const { createAppServer, listen } = await import("../../../app/server");
listen(await createAppServer());
