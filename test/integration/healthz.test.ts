import { afterAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { startApp, type AppProcess } from "../helpers/app-process";
import { useApp } from "../helpers/app-suite";

describe.each(providers())("GET /healthz on %s", (provider) => {
  const t = useApp(provider);

  it("answers 200 when the database is reachable", async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "reachable" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("GET /healthz without a database", () => {
  let app: AppProcess;
  afterAll(() => app?.stop());

  it("answers 503 and says the database is unreachable", async () => {
    // Nothing listens on port 1: every query fails.
    app = await startApp({ databaseUrl: "postgresql://postgres@127.0.0.1:1/nowhere", unhealthy: true });
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "error", database: "unreachable" });
  });
});
