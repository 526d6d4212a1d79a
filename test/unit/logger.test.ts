import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, redactText } from "../../app/logger.server";

const TOKEN = "EAAGm0PX4ZCpsBAKZCbQ1nA9YxZAbcdefghijklmnop";

function bufferedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: "debug", destination }), output: () => lines.join("") };
}

describe("logging", () => {
  it("redacts token-shaped substrings from free text", () => {
    const text = `GET https://graph.facebook.com/v25.0/me?access_token=${TOKEN}&fields=id Bearer ${TOKEN} app 123456789|abcdefghijklmnopqrstuv client_secret=shh`;
    const out = redactText(text);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain("abcdefghijklmnopqrstuv");
    expect(out).not.toMatch(/client_secret=shh/);
    expect(out).toContain("access_token=[redacted]");
    expect(out).toContain("fields=id");
  });

  it("redacts secret fields at any of the first levels of a structured line", () => {
    const { log, output } = bufferedLogger();
    log.debug({ token: TOKEN, connection: { accessToken: TOKEN }, request: { headers: { authorization: `Bearer ${TOKEN}` } } }, "call");
    log.info({ meta: { response: { access_token: TOKEN } } }, "exchange");
    expect(output()).not.toContain(TOKEN);
    expect(output()).toContain("[redacted]");
  });

  it("scrubs tokens out of logged errors' messages and stacks", () => {
    const { log, output } = bufferedLogger();
    log.error({ err: new Error(`request failed: https://graph.facebook.com/x?access_token=${TOKEN}`) }, "graph error");
    expect(output()).toContain("request failed");
    expect(output()).not.toContain(TOKEN);
  });

  it("keeps a request id on every line of a webhook's child logger", async () => {
    const { log, output } = bufferedLogger();
    const child = log.child({ requestId: "wh-123", topic: "PRODUCTS_UPDATE" });
    child.info("received");
    child.debug("stored");
    const lines = output().trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.requestId).toBe("wh-123");
  });
});
