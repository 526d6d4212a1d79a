/**
 * The one backoff formula for waiting on Meta: the client's retries of
 * Transient failures, the worker's retries of products whose push failed,
 * and the polling of a batch Meta has not finished.
 */

export interface Backoff {
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * How the wait spreads below its cap: "full" anywhere from 0 (default), "equal" at
   * least half of it, "none" the cap itself.
   */
  jitter?: "full" | "equal" | "none";
}

export interface RetryPolicy extends Backoff {
  /** Retries after the first attempt (0 = never retry). */
  retries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 8_000 };

/**
 * Delay before retry number `retry` (0-based): `base × 2^retry`, capped.
 * Jitter (a uniform pick below the cap) spreads the retries of many workers
 * that failed together, instead of having them hit Meta again in lockstep.
 */
export function backoffDelay(retry: number, policy: Backoff, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 30));
  if (policy.jitter === "none") return cap;
  if (policy.jitter === "equal") return Math.floor(cap / 2 + (random() * cap) / 2);
  return Math.floor(random() * cap);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
