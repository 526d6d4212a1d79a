// @vitest-environment happy-dom
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildExtension, MAX_GZIP_BYTES, readExtensionToml, type BuiltBundle } from "../../extensions/build";

/**
 * The extension as Shopify takes it: a valid shopify.extension.toml for the
 * product-details block target, and a bundle that builds, fits the admin's
 * size limit and renders the block when the admin calls it.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const DIR = path.join(ROOT, "extensions/product-sync-status");
const OUT = path.join(ROOT, "test/output", `extension-build-${process.pid}`);
const require = createRequire(import.meta.url);

afterAll(() => {
  fs.rmSync(OUT, { recursive: true, force: true });
  vi.unstubAllGlobals();
});

describe("product-sync-status extension", () => {
  const config = readExtensionToml(DIR);

  it("declares one ui_extension on admin.product-details.block.render with an existing module", () => {
    expect(config.extensions).toHaveLength(1);
    const [ext] = config.extensions;
    expect(ext).toMatchObject({ type: "ui_extension", handle: "product-sync-status" });
    expect(ext.name.length).toBeGreaterThan(0);
    expect(ext.targeting).toEqual([{ target: "admin.product-details.block.render", module: "./src/index.tsx" }]);
    expect(fs.existsSync(path.resolve(DIR, ext.targeting![0].module))).toBe(true);
    // The shopify global of the entry is typed for that target (shopify.d.ts, as `shopify app dev` writes it).
    const dts = fs.readFileSync(path.join(DIR, "shopify.d.ts"), "utf8");
    expect(dts).toContain(`declare module '${ext.targeting![0].module}'`);
    expect(dts).toContain("@shopify/ui-extensions/admin.product-details.block.render");
  });

  it("uses the api_version of the installed @shopify/ui-extensions, which knows the target", () => {
    expect(config.api_version).toMatch(/^\d{4}-(01|04|07|10)$/);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@shopify/ui-extensions/package.json"), "utf8")) as { version: string };
    const [year, month] = pkg.version.split(".");
    expect(config.api_version).toBe(`${year}-${month.padStart(2, "0")}`);
    // What Shopify CLI resolves to type the target (it refuses versions without it).
    expect(fs.existsSync(require.resolve("@shopify/ui-extensions/admin.product-details.block.render"))).toBe(true);
    // Not newer than the app's own API version.
    const app = fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");
    const appVersion = /api_version\s*=\s*"([\d-]+)"/.exec(app)![1];
    expect(config.api_version <= appVersion).toBe(true);
  });

  it("is part of the project's build, and its dist/ is not committed", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["build:extensions"]).toBe("tsx extensions/build.ts");
    expect(scripts.build).toContain("npm run build:extensions");
    execFileSync("git", ["check-ignore", "-q", "extensions/product-sync-status/dist/product-sync-status.js"], { cwd: ROOT });
  });

  let bundle: BuiltBundle;
  it("bundles into one ES module under Shopify's 64 KB limit, without server code", async () => {
    [bundle] = await buildExtension(DIR, OUT);
    expect(bundle.handle).toBe("product-sync-status");
    expect(bundle.gzipBytes).toBeLessThan(MAX_GZIP_BYTES);
    const code = fs.readFileSync(bundle.file, "utf8");
    expect(code).toMatch(/export\s*\{[^}]*as default/);
    for (const serverOnly of ["@prisma", "PrismaClient", "node:", "process.env"]) expect(code).not.toContain(serverOnly);
  });

  it("the built bundle renders the block for the open product when the admin calls it", async () => {
    const calls: { url: string; method: string }[] = [];
    vi.stubGlobal("shopify", {
      data: { selected: [{ id: "gid://shopify/Product/77" }] },
      query: async () => ({ data: { product: null } }),
    });
    vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
      calls.push({ url, method: init.method ?? "GET" });
      return Response.json({
        connection: "CONNECTED",
        product: { productId: "77", status: "LIVE", verdict: "LIVE", excluded: false, lastError: null, lastSyncedAt: new Date().toISOString(), variants: [] },
      });
    });
    const mod = (await import(/* @vite-ignore */ pathToFileURL(bundle.file).href)) as { default: () => Promise<void> };
    await mod.default();
    const deadline = Date.now() + 2000;
    while (!document.body.textContent?.includes("Live") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(document.body.querySelector("s-admin-block s-badge")?.textContent).toBe("Live");
    expect(calls).toEqual([{ url: "/api/products/77/sync-status", method: "GET" }]);
  });
});
