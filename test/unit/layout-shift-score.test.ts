import { describe, expect, it } from "vitest";
import { layoutShiftScore } from "../helpers/page-checks";

const shift = (at: number, value: number) => ({ at, value, nodes: [] });

describe("the browser tests' CLS", () => {
  it("is the largest session window: shifts under 1 s apart, a window at most 5 s long (web-vitals' rule)", () => {
    expect(layoutShiftScore([])).toBe(0);
    expect(layoutShiftScore([shift(100, 0.05), shift(900, 0.04), shift(2500, 0.03)])).toBeCloseTo(0.09);
    // Every 900 ms for 6 s: the window closes at 5 s and a new one starts.
    const steady = Array.from({ length: 7 }, (_, i) => shift(i * 900, 0.02));
    expect(layoutShiftScore(steady)).toBeCloseTo(0.12);
  });

  it("leaves out the shifts made while the test resized the page for its screenshots", () => {
    const shifts = [shift(500, 0.03), shift(3000, 0.8), shift(3100, 0.5), shift(9000, 0.02)];
    expect(layoutShiftScore(shifts, [[2900, 3200]])).toBeCloseTo(0.03);
    // A resize still under way (no end yet) covers everything after its start.
    expect(layoutShiftScore(shifts, [[2900]])).toBeCloseTo(0.03);
  });
});
