import { describe, expect, it } from "vitest";
import { BodyBudget } from "./body-budget.server";

describe("BodyBudget", () => {
  const dropped: string[] = [];
  const claim = (budget: BodyBudget, name: string, small = true) => budget.claim(() => dropped.push(name), { small });

  it("holds bodies up to the limit and gives the bytes back on release", () => {
    const budget = new BodyBudget(100);
    const a = claim(budget, "a");
    expect(a.take(60)).toBe(true);
    expect(a.take(40)).toBe(true);
    expect(budget.heldBytes).toBe(100);
    a.release();
    expect(budget.heldBytes).toBe(0);
    a.release(); // twice is harmless
    expect(budget.heldBytes).toBe(0);
  });

  it("makes the largest body give way to a smaller one", () => {
    dropped.length = 0;
    const budget = new BodyBudget(100);
    const big = claim(budget, "big");
    const mid = claim(budget, "mid");
    expect(big.take(70)).toBe(true);
    expect(mid.take(25)).toBe(true);
    const small = claim(budget, "small");
    expect(small.take(10)).toBe(true);
    expect(dropped).toEqual(["big"]);
    expect(big.refused).toBe(true);
    expect(big.take(1)).toBe(false); // refused for good
    expect(budget.heldBytes).toBe(35);
  });

  it("refuses the asker when it would be the largest", () => {
    dropped.length = 0;
    const budget = new BodyBudget(100);
    const a = claim(budget, "a");
    const b = claim(budget, "b");
    expect(a.take(50)).toBe(true);
    expect(b.take(45)).toBe(true);
    expect(b.take(10)).toBe(false);
    expect(dropped).toEqual(["b"]);
    expect(a.refused).toBe(false);
    expect(budget.heldBytes).toBe(50);
  });

  it("refuses a large newcomer instead of making room for it (first come, first served)", () => {
    dropped.length = 0;
    const budget = new BodyBudget(100);
    const first = claim(budget, "first", false);
    expect(first.take(90)).toBe(true);
    const second = claim(budget, "second", false);
    expect(second.take(5)).toBe(true);
    expect(second.take(10)).toBe(false);
    expect(dropped).toEqual(["second"]);
    expect(first.refused).toBe(false);
    // A small one still gets in, at the largest's expense.
    const small = claim(budget, "small");
    expect(small.take(20)).toBe(true);
    expect(dropped).toEqual(["second", "first"]);
  });

  it("never holds more than its limit whatever the order of takes", () => {
    const budget = new BodyBudget(1000);
    const claims = Array.from({ length: 50 }, (_, i) => claim(budget, String(i), i % 2 === 0));
    for (let round = 0; round < 40; round++) {
      for (const c of claims) {
        c.take(((round * 7 + claims.indexOf(c) * 13) % 90) + 1);
        expect(budget.heldBytes).toBeLessThanOrEqual(1000);
      }
    }
    for (const c of claims) c.release();
    expect(budget.heldBytes).toBe(0);
  });
});
