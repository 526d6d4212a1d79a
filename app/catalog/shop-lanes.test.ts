import { describe, expect, it } from "vitest";
import { ShopLanes, type Task } from "./shop-lanes";

type Kind = "flush" | "poll";

/** A task that runs until `release()` is called. */
function gated(shop: string, kind: Kind, log: string[], worked = true) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const task: Task<Kind> = {
    shop,
    kind,
    run: async () => {
      log.push(`${kind} ${shop} start`);
      await gate;
      log.push(`${kind} ${shop} end`);
      return worked;
    },
  };
  return { task, release };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("ShopLanes", () => {
  it("runs one task per shop at a time and other shops' beside it", async () => {
    const lanes = new ShopLanes<Kind>({ flush: 8, poll: 8 });
    const log: string[] = [];
    const slow = gated("a", "flush", log);
    const b = gated("b", "flush", log);
    const started = lanes.start([slow.task, b.task, gated("a", "poll", log).task], () => {});
    expect(started.map((t) => `${t.kind} ${t.shop}`)).toEqual(["flush a", "flush b"]);
    expect(lanes.busy("a")).toBe(true);
    b.release();
    await lanes.next();
    // B's lane is free again while A's task still runs: B's next task starts at once.
    expect(lanes.busy("b")).toBe(false);
    expect(lanes.start([gated("a", "flush", log).task, gated("b", "poll", log).task], () => {}).map((t) => t.shop)).toEqual(["b"]);
    slow.release();
    await tick();
    expect(log).toContain("flush a end");
  });

  it("gives a shop with several kinds due the kind it did not run last", async () => {
    const lanes = new ShopLanes<Kind>({ flush: 8, poll: 8 });
    const ran: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [task] = lanes.start(
        [
          { shop: "a", kind: "flush", run: async () => true },
          { shop: "a", kind: "poll", run: async () => true },
        ],
        () => {},
      );
      ran.push(task.kind);
      await lanes.idle();
    }
    expect(ran).toEqual(["flush", "poll", "flush", "poll"]);
  });

  it("keeps each kind within its limit across shops", async () => {
    const lanes = new ShopLanes<Kind>({ flush: 2, poll: 1 });
    const log: string[] = [];
    const tasks = ["a", "b", "c"].flatMap((shop) => [gated(shop, "flush", log).task]);
    expect(lanes.start(tasks, () => {}).map((t) => t.shop)).toEqual(["a", "b"]);
    expect(lanes.start([gated("c", "poll", log).task, gated("d", "poll", log).task], () => {}).map((t) => t.shop)).toEqual(["c"]);
  });

  it("reports how each task ended, errors included, and frees the lane after a failure", async () => {
    const lanes = new ShopLanes<Kind>({ flush: 8, poll: 8 });
    const seen: string[] = [];
    const boom = new Error("boom");
    lanes.start(
      [
        { shop: "a", kind: "flush", run: async () => Promise.reject(boom) },
        { shop: "b", kind: "flush", run: async () => false },
      ],
      (task, worked, error) => seen.push(`${task.shop} ${worked} ${error === boom ? "boom" : "-"}`),
    );
    await lanes.idle();
    expect(seen.sort()).toEqual(["a false boom", "b false -"]);
    expect(lanes.size).toBe(0);
  });
});
