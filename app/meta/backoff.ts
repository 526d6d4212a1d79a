/** Retry timing for Transient failures: exponential backoff with full jitter. */

export interface RetryPolicy {
  /** Retries after the first attempt (0 = never retry). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 8_000 };

/**
 * Delay before retry number `retry` (0-based). Full jitter (a uniform pick
 * between 0 and the exponential cap) spreads the retries of many workers
 * that failed together, instead of having them hit Meta again in lockstep.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * cap);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
