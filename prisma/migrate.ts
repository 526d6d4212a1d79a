import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const prismaBin = path.join(root, "node_modules", ".bin", "prisma");

// `prisma generate` looks for a query engine library unless this
// names an existing file; the Rust-free client never loads it (docs/decisions/001-two-databases.md).
const NO_ENGINE = { PRISMA_QUERY_ENGINE_LIBRARY: path.join(root, "package.json") };

export function configFor(url: string) {
  return url.startsWith("file:")
    ? path.join(root, "prisma", "sqlite.config.ts")
    : path.join(root, "prisma", "postgresql.config.ts");
}

function prisma(args: string[], env: Record<string, string>) {
  try {
    execFileSync(prismaBin, args, {
      cwd: root,
      env: { ...process.env, ...NO_ENGINE, ...env, PRISMA_HIDE_UPDATE_MESSAGE: "1" } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`prisma ${args[0]} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

export function generateClients() {
  for (const url of ["file:./prisma/dev.sqlite", "postgresql://localhost/unused"]) {
    prisma(["generate", "--config", configFor(url)], {});
  }
}

/** Applies every pending migration of the provider DATABASE_URL names. */
export function migrateDatabase(url: string) {
  prisma(["migrate", "deploy", "--config", configFor(url)], { DATABASE_URL: url });
}
