import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, ROOT } from "../helpers/app-process";
import { sendWebhook } from "../helpers/shopify";
import { OUTPUT } from "../helpers/global-setup";
import { productPayload } from "../fixtures/products";
import { EXAMPLE_RETAILER_ID, productWebhookCommand } from "../sandbox/webhook-example";
import { mintSessionToken } from "../sandbox/session-token";
import { SANDBOX_DEFAULTS } from "../sandbox/sandbox";
import { createDb } from "../../app/db.server";

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
  let databaseUrl: string;

  let port: number;

  beforeAll(async () => {
    port = await freePort();
    child = spawn("npm", ["run", "sandbox"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "",
        PORT: String(port),
        SANDBOX_ADMIN_PORT: String(await freePort()),
        SANDBOX_GRAPH_PORT: String(await freePort()),
        SANDBOX_ADMIN_API_PORT: String(await freePort()),
        DATABASE_URL: (databaseUrl = `file:${OUTPUT}/sandbox-contract-${inject("runId")}.sqlite`),
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

  /** The catalog's item, once it is there (the worker flushes every second). */
  async function catalogItem(retailerId: string, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = (await (await fetch(`${graphUrl}/_sim/catalogs/${SANDBOX_DEFAULTS.SANDBOX_CATALOG_ID}/items/${retailerId}`)).json()) as Record<string, unknown> | null;
      if (item || Date.now() > deadline) return item;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("prints a product webhook command that, run as printed, puts the product in the catalog", async () => {
    const command = productWebhookCommand({ appUrl, shop: SANDBOX_DEFAULTS.SANDBOX_SHOP, secret });
    expect(appUrl).toBe(`http://localhost:${port}`);
    expect(output).toContain(command.split("\n").map((line) => `  ${line}`).join("\n"));
    const { stdout } = await promisify(execFile)("bash", ["-c", command], { timeout: 15_000 });
    expect(stdout.trim()).toBe('{"result":"stored"}\nHTTP 200');
    const item = await catalogItem(EXAMPLE_RETAILER_ID);
    expect(item).toMatchObject({ title: "Sandbox Tee", price: "19.99 USD", availability: "in stock", image_link: "https://cdn.example.com/sandbox-tee.jpg" });
  });

  it("prints the catalog token, which connects the catalog again after a Disconnect", async () => {
    const token = /pasting this token there[^:]*:\s+(\S+)/.exec(output)?.[1];
    expect(token).toBe(SANDBOX_DEFAULTS.SANDBOX_CATALOG_TOKEN);
    // The Catalog page's form posts, as App Bridge sends them (a session token signed with the sandbox's app secret).
    const catalogForm = (fields: Record<string, string>) =>
      fetch(`${appUrl}/app/catalog?index`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${mintSessionToken({ shop: SANDBOX_DEFAULTS.SANDBOX_SHOP, apiKey: SANDBOX_DEFAULTS.SHOPIFY_API_KEY, apiSecret: secret })}`,
          "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        },
        body: new URLSearchParams(fields),
        redirect: "manual",
      });
    const db = createDb(databaseUrl);
    try {
      const connection = () => db.catalogConnection.findUniqueOrThrow({ where: { shop: SANDBOX_DEFAULTS.SANDBOX_SHOP } });
      expect((await catalogForm({ intent: "disconnect" })).status).toBe(200);
      expect(await connection()).toMatchObject({ state: "DISCONNECTED", catalogId: null, tokenCiphertext: null });
      expect((await catalogForm({ intent: "connect-token", token: token! })).status).toBe(200);
      expect((await catalogForm({ intent: "choose-catalog", catalogId: SANDBOX_DEFAULTS.SANDBOX_CATALOG_ID })).status).toBe(200);
      expect(await connection()).toMatchObject({ state: "CONNECTED", catalogId: SANDBOX_DEFAULTS.SANDBOX_CATALOG_ID });
      // Syncing resumes: the full sync a connect starts pushes the demo products again.
      const since = new Date();
      const deadline = Date.now() + 30_000;
      while (!((await connection()).lastSuccessAt! >= since)) {
        if (Date.now() > deadline) throw new Error(`no successful push after the reconnect: ${JSON.stringify(await connection())}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await db.$disconnect();
    }
  });
});
