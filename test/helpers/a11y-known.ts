/**
 * Known serious or critical accessibility violations that a browser test
 * reports without failing, each by name, until the page that has it is fixed.
 * An entry covers one axe rule on the elements whose selector contains
 * `target`, in the states `states` matches; nothing else. The test output and
 * the screenshots index print every violation an entry let through, and the
 * index lists entries that matched nothing (delete those).
 */
export interface KnownViolation {
  /** Printed beside each violation it lets through. */
  name: string;
  /** axe-core's rule id. */
  rule: string;
  /** The captured states (their names) it applies to. */
  states: RegExp;
  /** A part of the element's CSS selector as axe reports it; without it, every element the rule flags in those states. */
  target?: string;
  /** What is wrong, and who fixes it. */
  reason: string;
}

export const KNOWN_VIOLATIONS: KnownViolation[] = [
];

/**
 * Known Web Vitals over Built for Shopify's bars, reported without failing, each by name, until the
 * page is fixed; the same rules as KNOWN_VIOLATIONS: printed whenever they let a measurement through.
 */
export interface KnownSlowState {
  name: string;
  metric: "LCP" | "CLS" | "INP";
  states: RegExp;
  reason: string;
}

export const KNOWN_SLOW: KnownSlowState[] = [];
