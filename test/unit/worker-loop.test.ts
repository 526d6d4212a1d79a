import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { workerLoop } from "../../app/worker-loop.server";

function capture() {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const log = pino({ level: "info" }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  return { log, lines };
}

describe("the workers' loop", () => {
  it("runs rounds back to back while they do work, and sleeps after a failed one, logging it", async () => {
    const { log, lines } = capture();
    let rounds = 0;
    const loop = workerLoop({
      name: "test worker",
      log,
      pollMs: 60_000,
      round: async () => {
        rounds += 1;
        if (rounds === 4) throw new Error("database went away"); // then a minute's sleep, as after an idle round
        return true;
      },
    });
    const run = loop.run();
    expect(loop.run()).toBe(run);
    await expect.poll(() => rounds).toBe(4);
    const started = Date.now();
    await loop.stop(); // cuts the minute's sleep short
    await run;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(rounds).toBe(4);
    expect(lines.map((l) => l.msg)).toEqual(["test worker started", "test worker round failed; retrying", "test worker stopped"]);
    expect(lines[1].err?.message).toBe("database went away");
  });

  it("says it is stopping to a round still running, and stop waits for that round", async () => {
    const { log } = capture();
    let sawStopping = false;
    let release!: () => void;
    const loop = workerLoop({
      name: "test worker",
      log,
      pollMs: 10,
      round: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        sawStopping = loop.stopping;
        return false;
      },
    });
    void loop.run();
    await expect.poll(() => typeof release).toBe("function");
    const stopped = loop.stop();
    release();
    await stopped;
    expect(sawStopping).toBe(true);
  });
});
