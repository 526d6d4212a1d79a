/**
 * `npm run sandbox`: the whole product on one machine, with no Shopify or Meta
 * account. Creates and migrates a fresh SQLite file, seeds an installed shop
 * with an offline session, starts the app (production build) and the local
 * admin stand-in, and prints where to open it. See README "Sandbox".
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type http from "node:http";
import { migrateDatabase } from "../../prisma/migrate";
import { createDb } from "../../app/db.server";
import { buildIfStale } from "../helpers/build";
import { adminPath, startAdminStandin } from "./admin-standin";
import { createMetaSimulator, DEFAULT_SIM_APP_ID, DEFAULT_SIM_APP_SECRET, type MetaSimulator } from "../meta-sim";
import { createShopifySimulator, type ShopifySimulator } from "../shopify-sim/server";
import { startFullSync } from "../../app/catalog/full-sync-state.server";
import { productWebhookCommand } from "./webhook-example";
import { seedInstalledShop, seedMetaConnections, demoProducts, type SandboxMetaSeed } from "./seed";

const root = path.resolve(import.meta.dirname, "../..");

export const SANDBOX_DEFAULTS = {
  SANDBOX_SHOP: "sandbox-shop.myshopify.com",
  SHOPIFY_API_KEY: "sandbox-api-key",
  SHOPIFY_API_SECRET: "sandbox-api-secret",
  DATABASE_URL: "file:./prisma/sandbox.sqlite",
  PORT: "3000",
  SANDBOX_BUSINESS_ID: "900000000000001",
  SANDBOX_WABA_ID: "100000000000001",
  SANDBOX_PHONE_NUMBER_ID: "200000000000001",
  SANDBOX_SECOND_PHONE_NUMBER_ID: "200000000000002",
  SANDBOX_WABA_TOKEN: "EAASandboxWabaToken0000000000000000000001",
  SANDBOX_CATALOG_ID: "300000000000001",
  SANDBOX_CATALOG_TOKEN: "EAASandboxCatalogToken00000000000000000001",
  // WhatsApp commerce (issue 18): "your phone", which the admin stand-in's button plays writing to the shop.
  SANDBOX_CUSTOMER_PHONE: "+14155550100",
  META_APP_ID: DEFAULT_SIM_APP_ID,
  META_APP_SECRET: DEFAULT_SIM_APP_SECRET,
  META_WEBHOOK_VERIFY_TOKEN: "sandbox-verify-token",
  // WhatsApp (issue 5): the Embedded Signup configuration the page launches (the SDK stand-in accepts any).
  META_CONFIG_ID: "sandbox-embedded-signup-config",
  CATALOG_FLUSH_INTERVAL_MS: "1000",
  // Meta's review (issue 17): the simulator keeps a saved item pending this long, and the worker reads it back this soon.
  SANDBOX_REVIEW_DELAY_MS: "3000",
  CATALOG_REVIEW_FIRST_CHECK_MS: "2000",
  SANDBOX_PRODUCTS: "12",
  // A fixed, public development key: the sandbox holds no real secrets.
  ENCRYPTION_KEYS: `sandbox:${Buffer.alloc(32, 1).toString("base64")}`,
} as const;

export interface SandboxOptions {
  env?: Record<string, string | undefined>;
  /** Where the app's and the worker's output goes; default: this terminal. */
  output?: (line: string) => void;
  /** Build the app first when its sources changed (tests skip it: their setup built it). */
  build?: boolean;
}

export interface Sandbox {
  appUrl: string;
  adminUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  databaseUrl: string;
  env: Record<string, string>;
  /** The Graph API the app talks to (the simulator unless META_GRAPH_URL was set). */
  graphUrl: string;
  /** The in-process simulator, when the sandbox started one. */
  simulator?: MetaSimulator;
  /** The sandbox's own stand-in for the shop's Admin API, unless SHOPIFY_ADMIN_API_URL named another. */
  shopifyAdmin?: ShopifySimulator;
  /** The Admin API the app reads products from ({url}/{shop}/admin/api/{version}/graphql.json). */
  adminApiUrl: string;
  meta: SandboxMetaSeed;
  stop(): Promise<void>;
}

function setting(env: Record<string, string | undefined>, name: keyof typeof SANDBOX_DEFAULTS) {
  return env[name] || SANDBOX_DEFAULTS[name];
}

/** Removes a SQLite file and its WAL companions so the sandbox starts fresh. */
function freshSqlite(url: string) {
  if (!url.startsWith("file:")) throw new Error("The sandbox runs on SQLite: DATABASE_URL must start with file:");
  const file = path.resolve(root, url.slice("file:".length));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + suffix, { force: true });
  return `file:${file}`;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app did not answer ${url}/healthz within ${timeoutMs} ms`);
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const input = { ...process.env, ...opts.env };
  const out = opts.output ?? ((line: string) => process.stdout.write(line));
  const shop = setting(input, "SANDBOX_SHOP");
  const apiKey = setting(input, "SHOPIFY_API_KEY");
  const apiSecret = setting(input, "SHOPIFY_API_SECRET");
  const port = Number(setting(input, "PORT"));
  const adminPort = Number(input.SANDBOX_ADMIN_PORT || port + 1);
  const appUrl = `http://localhost:${port}`;
  const adminOrigin = `http://localhost:${adminPort}`;
  const databaseUrl = freshSqlite(setting(input, "DATABASE_URL"));

  if (opts.build !== false) buildIfStale((line) => out(`[sandbox] ${line}\n`));
  migrateDatabase(databaseUrl);

  const meta: SandboxMetaSeed = {
    businessId: setting(input, "SANDBOX_BUSINESS_ID"),
    wabaId: setting(input, "SANDBOX_WABA_ID"),
    wabaToken: setting(input, "SANDBOX_WABA_TOKEN"),
    phoneNumbers: [
      { id: setting(input, "SANDBOX_PHONE_NUMBER_ID"), display: "+1 555-010-0001", verifiedName: "Sandbox Store" },
      { id: setting(input, "SANDBOX_SECOND_PHONE_NUMBER_ID"), display: "+1 555-010-0002", verifiedName: "Sandbox Store Support" },
    ],
    catalogId: setting(input, "SANDBOX_CATALOG_ID"),
    catalogToken: setting(input, "SANDBOX_CATALOG_TOKEN"),
  };
  const metaAppSecret = setting(input, "META_APP_SECRET");
  // Unless META_GRAPH_URL names another Graph API, run the project's simulator, seeded to match.
  let simulator: MetaSimulator | undefined;
  if (!input.META_GRAPH_URL) {
    simulator = await createMetaSimulator({
      port: Number(input.SANDBOX_GRAPH_PORT || port + 2),
      appId: setting(input, "META_APP_ID"),
      appSecret: metaAppSecret,
      webhookCallbackUrl: `${appUrl}/webhooks/meta`,
    });
    seedSimulator(simulator, meta);
    // Meta's review: items stay "pending" a moment, then the simulator's rules decide (a title with
    // "Replica" is rejected, an image on unreachable.example is not downloaded; test/meta-sim/review.ts).
    simulator.control.configure({ reviewDelayMs: Number(setting(input, "SANDBOX_REVIEW_DELAY_MS")) });
  }
  const graphUrl = input.META_GRAPH_URL || simulator!.url;

  // The shop's products live in an Admin API: the one SHOPIFY_ADMIN_API_URL names (outside tools
  // bring their own, as with META_GRAPH_URL), else the sandbox's stand-in with the demo products.
  // "Resync all" reads them from there.
  const externalAdmin = input.SHOPIFY_ADMIN_API_URL;
  const shopifyAdmin = externalAdmin ? undefined : await createShopifySimulator({ port: Number(input.SANDBOX_ADMIN_API_PORT || port + 3) });
  const products = externalAdmin ? [] : demoProducts(Number(setting(input, "SANDBOX_PRODUCTS")));
  shopifyAdmin?.setProducts(shop, products);
  const adminApiUrl = externalAdmin || shopifyAdmin!.url;

  const encryptionKeys = setting(input, "ENCRYPTION_KEYS");
  process.env.ENCRYPTION_KEYS = encryptionKeys; // the vault seals the seeded tokens with the app's keys
  const db = createDb(databaseUrl);
  await seedInstalledShop(db, shop);
  await seedMetaConnections(db, shop, meta);
  // The first full sync runs at boot: the worker fills the catalog from the Admin API's products.
  if (externalAdmin || products.length) await startFullSync(db, shop);
  await db.$disconnect();

  const env: Record<string, string> = {
    ...(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Record<string, string>),
    // The production build, with keys of its own (ENCRYPTION_KEYS): APP_MODE=sandbox is refused with NODE_ENV=production.
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: apiKey,
    SHOPIFY_API_SECRET: apiSecret,
    SHOPIFY_APP_URL: appUrl,
    ENCRYPTION_KEYS: encryptionKeys,
    META_GRAPH_URL: graphUrl,
    META_APP_ID: setting(input, "META_APP_ID"),
    META_APP_SECRET: metaAppSecret,
    META_WEBHOOK_VERIFY_TOKEN: setting(input, "META_WEBHOOK_VERIFY_TOKEN"),
    // WhatsApp (issue 5): Meta's SDK and OAuth dialog are the admin stand-in's unless set (browser tests set Meta's real URLs and intercept them).
    META_CONFIG_ID: setting(input, "META_CONFIG_ID"),
    META_SDK_URL: input.META_SDK_URL || `${adminOrigin}/facebook-sdk.js`,
    META_OAUTH_DIALOG_URL: input.META_OAUTH_DIALOG_URL || adminOrigin,
    CATALOG_FLUSH_INTERVAL_MS: setting(input, "CATALOG_FLUSH_INTERVAL_MS"),
    CATALOG_REVIEW_FIRST_CHECK_MS: setting(input, "CATALOG_REVIEW_FIRST_CHECK_MS"),
    SHOPIFY_ADMIN_API_URL: adminApiUrl,
    PORT: String(port),
    APP_BRIDGE_URL: `${adminOrigin}/app-bridge.js`,
    SANDBOX_ADMIN_ORIGIN: adminOrigin,
  };

  const children: ChildProcess[] = [];
  const app = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "app-server.ts")], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(app);
  app.stdout!.on("data", (d) => out(String(d)));
  app.stderr!.on("data", (d) => out(String(d)));

  const worker = spawn(process.execPath, ["--import", "tsx", path.join(root, "app", "worker.ts")], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(worker);
  worker.stdout!.on("data", (d) => out(String(d)));
  worker.stderr!.on("data", (d) => out(String(d)));

  let admin: http.Server | undefined;
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null) return undefined;
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        return exited;
      }),
    );
    await new Promise((r) => (admin ? admin.close(r) : r(undefined)));
    await simulator?.close();
    await shopifyAdmin?.close();
  };

  try {
    admin = await startAdminStandin({
      port: adminPort,
      appUrl,
      apiKey,
      apiSecret,
      shops: [shop],
      // WhatsApp (issue 5): the SDK stand-in's sign-in windows get codes for the seeded token.
      metaSignup: simulator ? { graphUrl: simulator.url, token: meta.wabaToken } : undefined,
      metaInbound: simulator
        ? { graphUrl: simulator.url, numbers: meta.phoneNumbers.map((p) => ({ id: p.id, display: p.display })), customerPhone: setting(input, "SANDBOX_CUSTOMER_PHONE") }
        : undefined,
    });
    await waitForHealth(appUrl, app);
  } catch (error) {
    await stop();
    throw error;
  }

  return { appUrl, adminUrl: `${adminOrigin}${adminPath(shop)}`, shop, apiKey, apiSecret, databaseUrl, env, graphUrl, simulator, shopifyAdmin, adminApiUrl, meta, stop };
}

/** Seeds the simulator with the business, WABA, numbers, catalog and tokens the database is seeded with. */
function seedSimulator(sim: MetaSimulator, meta: SandboxMetaSeed) {
  const [first, second] = meta.phoneNumbers;
  const scenario = sim.control.seedScenario({
    businessId: meta.businessId,
    wabaId: meta.wabaId,
    phoneNumberId: first.id,
    displayPhoneNumber: first.display,
    verifiedName: first.verifiedName,
    catalogId: meta.catalogId,
    wabaToken: meta.wabaToken,
    catalogToken: meta.catalogToken,
    // WhatsApp commerce (issue 18): the signup granted catalog management too, so the page can link the catalog.
    wabaTokenManagesCatalog: true,
  });
  sim.control.seedPhoneNumber({
    id: second.id,
    wabaId: scenario.wabaId,
    displayPhoneNumber: second.display,
    verifiedName: second.verifiedName,
    registered: true,
    pin: "000000",
  });
}

async function main() {
  const sandbox = await startSandbox();
  console.log(`
Sandbox is running (no Shopify or Meta account needed).

  Open the app in the admin stand-in:  ${sandbox.adminUrl}
  App server (webhooks, /healthz):     ${sandbox.appUrl}
  Meta Graph API:                      ${sandbox.graphUrl}${sandbox.simulator ? " (the project's simulator; control API under /_sim/)" : ""}
  Shop:                                ${sandbox.shop}
  Shopify app secret (signs webhooks): ${sandbox.apiSecret}
  Database:                            ${sandbox.databaseUrl}
  Catalog:                             ${sandbox.meta.catalogId} (catalog worker running; ${sandbox.shopifyAdmin ? `${sandbox.shopifyAdmin.products(sandbox.shop).length} demo products` : "first full sync from the Admin API below"})
  Shopify Admin API:                   ${sandbox.adminApiUrl}${sandbox.shopifyAdmin ? " (the project's stand-in)" : ""}
${sandbox.simulator ? `  WhatsApp customer:                   ${sandbox.env.SANDBOX_CUSTOMER_PHONE ?? SANDBOX_DEFAULTS.SANDBOX_CUSTOMER_PHONE} ("Send “Hi” on WhatsApp" in the admin stand-in's header)\n` : ""}

Send a product webhook, signed as Shopify signs it; the product reaches the catalog within about a second
(see it on the Catalog page):

${productWebhookCommand({ appUrl: sandbox.appUrl, shop: sandbox.shop, secret: sandbox.apiSecret })
  .split("\n")
  .map((line) => `  ${line}`)
  .join("\n")}

After a Disconnect on the Catalog page, connect the catalog again by pasting this token there
(SANDBOX_CATALOG_TOKEN, the sandbox's own; it is no secret): ${sandbox.meta.catalogToken}

Press Ctrl+C to stop.
`);
  const shutdown = async () => {
    await sandbox.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((error) => {
    console.error(`Sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
