import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { parse } from "smol-toml";

/**
 * Bundles every UI extension in extensions/ the way Shopify CLI does on
 * `shopify app deploy` (esbuild, one ES module per extension, Preact's JSX)
 * into <extension>/dist/<handle>.js, so `npm run build` proves the extension
 * compiles and stays under the admin's size limit without Shopify's servers.
 * `shopify app deploy` bundles from the sources itself; dist/ is not deployed.
 */

export const EXTENSIONS_DIR = path.resolve(import.meta.dirname);
/** Shopify's limit for a UI extension's compiled script (compressed). */
export const MAX_GZIP_BYTES = 64 * 1024;

export interface ExtensionToml {
  api_version: string;
  extensions: { name: string; handle: string; type: string; targeting?: { target: string; module: string }[] }[];
}

export function readExtensionToml(dir: string): ExtensionToml {
  return parse(fs.readFileSync(path.join(dir, "shopify.extension.toml"), "utf8")) as unknown as ExtensionToml;
}

export interface BuiltBundle {
  handle: string;
  file: string;
  bytes: number;
  gzipBytes: number;
}

export async function buildExtension(dir: string, outDir = path.join(dir, "dist")): Promise<BuiltBundle[]> {
  const config = readExtensionToml(dir);
  const built: BuiltBundle[] = [];
  for (const ext of config.extensions.filter((e) => e.type === "ui_extension")) {
    const modules = [...new Set((ext.targeting ?? []).map((t) => t.module))];
    if (modules.length !== 1) throw new Error(`${ext.handle}: expected one module for its targets, found ${modules.length}`);
    const file = path.join(outDir, `${ext.handle}.js`);
    await build({
      entryPoints: [path.resolve(dir, modules[0])],
      outfile: file,
      bundle: true,
      format: "esm",
      target: "es2020",
      platform: "browser",
      jsx: "automatic",
      jsxImportSource: "preact",
      minify: true,
      legalComments: "none",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    });
    const code = fs.readFileSync(file);
    built.push({ handle: ext.handle, file, bytes: code.length, gzipBytes: gzipSync(code).length });
  }
  return built;
}

export function extensionDirs(root = EXTENSIONS_DIR): string[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, "shopify.extension.toml")))
    .map((d) => path.join(root, d.name));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  for (const dir of extensionDirs()) {
    for (const b of await buildExtension(dir)) {
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      console.log(`extension ${b.handle}: ${path.relative(process.cwd(), b.file)} ${kb(b.bytes)} (${kb(b.gzipBytes)} gzip)`);
      if (b.gzipBytes > MAX_GZIP_BYTES) throw new Error(`${b.handle} is over Shopify's ${kb(MAX_GZIP_BYTES)} limit`);
    }
  }
}
