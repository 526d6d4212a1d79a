import path from "node:path";
import { defineConfig } from "prisma/config";
// adapter-pg 6.19 cannot read the "name" column type that migrate deploy
// queries; the 7.x adapter can, and works with the 6.19 CLI (docs/decisions/001-two-databases.md).
import { PrismaPg } from "@prisma/adapter-pg-migrate";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "postgresql", "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "postgresql", "migrations") },
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/test" }),
});
