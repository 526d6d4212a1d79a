/**
 * `npm run setup`: generate both Prisma clients and migrate the database that
 * DATABASE_URL names (SQLite by default, PostgreSQL when it says so).
 */
import { migrateDatabase, generateClients } from "./migrate";

const url = process.env.DATABASE_URL || "file:./prisma/dev.sqlite";
generateClients();
migrateDatabase(url);
console.log(`Database ready: ${url.replace(/\/\/[^@/]*@/, "//***@")}`);
