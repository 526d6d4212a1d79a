import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaLibSQL } from "@prisma/adapter-libsql";

// Prisma CLI config for SQLite: the WebAssembly schema engine ("js") drives
// the same libSQL adapter the app uses, so no engine binary is downloaded.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "migrations") },
  adapter: async () =>
    new PrismaLibSQL({ url: process.env.DATABASE_URL || "file:./prisma/dev.sqlite" }),
});
