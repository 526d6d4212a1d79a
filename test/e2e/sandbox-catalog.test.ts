import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, ROOT } from "../helpers/app-process";
import { sendWebhook } from "../helpers/shopify";
import { OUTPUT } from "../helpers/global-setup";
import { productPayload } from "../fixtures/products";

/**
 * The sandbox contract, through `npm run sandbox` itself: a products/update
 * signed with the printed app secret and posted to the printed app URL ends
 * up in the catalog of the Graph API the sandbox runs, within seconds.
 */
describe("npm run sandbox", () => {
  let child: ChildProcess;
  let output = "";
  let appUrl: string;
  let graphUrl: string;
  let secret: string;

  beforeAll(async () => {
    const port = await freePort();
    child = spawn("npm", ["run", "sandbox"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "",
        PORT: String(port),
        SANDBOX_ADMIN_PORT: String(await freePort()),
        SANDBOX_GRAPH_PORT: String(await freePort()),
        SANDBOX_ADMIN_API_PORT: String(await freePort()),
        DATABASE_URL: `file:${OUTPUT}/sandbox-contract-${inject("runId")}.sqlite`,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 90_000;
    while (!output.includes("Press Ctrl+C to stop.")) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sandbox did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    appUrl = /App server \(webhooks, \/healthz\):\s+(\S+)/.exec(output)![1];
    graphUrl = /Meta Graph API:\s+(\S+)/.exec(output)![1];
    secret = /Shopify app secret \(signs webhooks\):\s+(\S+)/.exec(output)![1];
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
  });

  it("prints the URLs, the shop and the secret it uses", () => {
    expect(output).toMatch(/Open the app in the admin stand-in:\s+http:\/\/localhost:\d+\/store\/sandbox-shop\/apps\/app/);
    expect(output).toMatch(/Shop:\s+sandbox-shop\.myshopify\.com/);
    expect(secret).toBe("sandbox-api-secret");
  });

  it("puts a signed products/update into the simulator's catalog within seconds", async () => {
    const product = productPayload({ id: 777, title: "Sandbox tee", updated_at: new Date().toISOString() }, 2);
    const res = await sendWebhook(appUrl, "/webhooks/products", "products/update", product, {
      shop: "sandbox-shop.myshopify.com",
      secret,
    });
    expect(res.status).toBe(200);
    const sent = Date.now();
    let item: { title?: string } | null = null;
    while (!item && Date.now() - sent < 10_000) {
      const r = await fetch(`${graphUrl}/_sim/catalogs/300000000000001/items/shopify_777_77701`);
      item = (await r.json()) as { title?: string } | null;
      if (!item) await new Promise((r) => setTimeout(r, 100));
    }
    expect(item?.title).toBe("Sandbox tee");
    expect(Date.now() - sent).toBeLessThan(5_000);
  });
});
