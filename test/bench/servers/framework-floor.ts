/**
 * The Shopify library's floor, without Remix: a node:http server builds a
 * Fetch Request from the Node request and calls authenticate.webhook of a
 * shopifyApp made with the app's options (floor-app.ts), then answers 200.
 *   PORT=... DATABASE_URL=... SHOPIFY_API_KEY=... SHOPIFY_API_SECRET=... SHOPIFY_APP_URL=...
 *   node --import tsx test/bench/servers/framework-floor.ts
 */
import http from "node:http";
import { shopify } from "./floor-app";

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(key, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    }
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) });
    shopify.authenticate
      .webhook(request)
      .then(() => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'))
      .catch((error: unknown) => {
        const status = error instanceof Response ? error.status : 500;
        res.writeHead(status).end();
      });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
