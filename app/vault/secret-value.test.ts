import { Writable } from "node:stream";
import { format, inspect } from "node:util";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { logger } from "../logger.server";
import { SecretValue } from "./secret-value";
import { createVault } from "./vault.server";

const PLAIN = "EAAB-very-secret-token-0123456789";

/** Runs `fn` with the app's own logger (its redaction and serializers) writing into a string. */
function captureAppLog(fn: () => void): string {
  let out = "";
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  // pino writes through the stream stored under this symbol; swap it in for the call.
  const target = logger as unknown as Record<symbol, unknown>;
  const { streamSym } = pino.symbols;
  const [stream, level] = [target[streamSym], logger.level];
  target[streamSym] = sink;
  logger.level = "trace";
  try {
    fn();
  } finally {
    target[streamSym] = stream;
    logger.level = level;
  }
  return out;
}

describe("SecretValue", () => {
  const secret = new SecretValue(PLAIN);

  it("gives the plaintext only through reveal() and use()", () => {
    expect(secret.reveal()).toBe(PLAIN);
    expect(secret.use((p) => p.length)).toBe(PLAIN.length);
    expect(secret.equals(new SecretValue(PLAIN))).toBe(true);
    expect(secret.equals(new SecretValue("other"))).toBe(false);
  });

  it("prints [redacted] everywhere else", () => {
    const nested = { connection: { token: secret, list: [secret] }, secret };
    const renderings = [
      String(secret),
      `${secret}`,
      "Bearer " + secret,
      secret.toString(),
      JSON.stringify(secret),
      JSON.stringify(nested),
      inspect(secret),
      inspect(nested, { depth: Infinity, showHidden: true }),
      format("%s %o %O %j", secret, nested, nested, nested),
      Object.keys(secret).join(","),
      JSON.stringify({ ...secret }),
      JSON.stringify(structuredClone({ a: 1 })) + String(Object.entries(secret)),
    ];
    for (const text of renderings) expect(text).not.toContain(PLAIN);
    expect(String(secret)).toBe("[redacted]");
    expect(`${secret}`).toBe("[redacted]");
    expect(JSON.stringify(nested)).toBe('{"connection":{"token":"[redacted]","list":["[redacted]"]},"secret":"[redacted]"}');
    expect(inspect(secret)).toBe("[redacted]");
  });

  it("cannot be altered after creation", () => {
    expect(Object.isFrozen(secret)).toBe(true);
  });

  it("stays redacted in the app's pino logs, under any key, in messages and errors", () => {
    const opened = createVault(`k1:${Buffer.alloc(32, 9).toString("base64")}`);
    const value = opened.decrypt("a.myshopify.com", "whatsapp.token", opened.encrypt("a.myshopify.com", "whatsapp.token", PLAIN));
    const out = captureAppLog(() => {
      logger.info({ value, nested: { deeper: { value } }, list: [value] }, "object fields");
      logger.info(`template ${value}`);
      logger.info("format %s %o %j", value, value, { value });
      logger.warn({ err: new Error(`failed with ${value}`) }, "error");
      logger.child({ bound: value }).error({ meta: value }, "child logger");
    });
    expect(out.trim().split("\n")).toHaveLength(5);
    expect(out).toContain("[redacted]");
    expect(out).not.toContain(PLAIN);
  });
});
