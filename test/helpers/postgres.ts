import pg from "pg";

export const PG_TEMPLATE = "wa_template";

/** The server the PostgreSQL tests use: DATABASE_URL_POSTGRES, else the local one. */
export function postgresBaseUrl() {
  return process.env.DATABASE_URL_POSTGRES || "postgresql://postgres@127.0.0.1:5432/test";
}

export function withDatabase(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function pgReachable(url: string) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function pgAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
