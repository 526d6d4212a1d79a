import { env } from "../env.server";

/**
 * A ceiling on the bytes of webhook bodies the process holds before their
 * signature is checked (issue 14, finding 5). A signature covers the whole
 * body, so every webhook body must be held before anyone knows who sent it;
 * without a ceiling, strangers opening slow uploads could fill the memory.
 *
 * When a body needs room and there is none, it gives way itself: it drops
 * what it holds, reads the rest of its upload without keeping it, and is
 * answered 503 (Shopify and Meta retry). A small body (one that declared at
 * most SMALL_BODY_BYTES, like Shopify's deliveries of a few kilobytes) instead
 * makes the body holding the most give way, so a flood of large uploads cannot
 * crowd Shopify out. Large bodies are first come, first served: refusing the
 * newcomer reads its bytes once and drops them at once, where evicting a body
 * that was kept for seconds would leave far more garbage behind.
 */

/** Bodies that declare at most this many bytes may make the largest body give way. */
export const SMALL_BODY_BYTES = 256 * 1024;

export interface BodyClaim {
  /** Holds `bytes` more; false when this body gave way (now or earlier) and must keep nothing. */
  take(bytes: number): boolean;
  /** True once this body gave way to another: answer it 503. */
  readonly refused: boolean;
  /** Gives back everything this body holds; call it when the body is read or abandoned. */
  release(): void;
}

export class BodyBudget {
  #held = 0;
  readonly #claims = new Set<Claim>();

  constructor(readonly limitBytes: number) {}

  /** Bytes held right now across every open claim. */
  get heldBytes() {
    return this.#held;
  }

  /**
   * A claim for one body; `onRefused` must drop what the body holds (it is no
   * longer counted). `small`: the body declared at most SMALL_BODY_BYTES.
   */
  claim(onRefused: () => void, opts: { small?: boolean } = {}): BodyClaim {
    const claim = new Claim(this, onRefused, opts.small ?? false);
    this.#claims.add(claim);
    return claim;
  }

  /** @internal */
  take(claim: Claim, bytes: number): boolean {
    if (claim.refused) return false;
    while (this.#held + bytes > this.limitBytes) {
      let largest: Claim | undefined;
      for (const c of this.#claims) if (!largest || c.bytes > largest.bytes) largest = c;
      // The asker gives way itself when it is large, or when nobody holds more than it would.
      if (!claim.small || !largest || largest === claim || largest.bytes <= claim.bytes + bytes) {
        this.refuse(claim);
        return false;
      }
      this.refuse(largest);
    }
    claim.bytes += bytes;
    this.#held += bytes;
    return true;
  }

  /** @internal */
  release(claim: Claim) {
    this.#held -= claim.bytes;
    claim.bytes = 0;
    this.#claims.delete(claim);
  }

  private refuse(claim: Claim) {
    this.release(claim);
    claim.refused = true;
    claim.onRefused();
  }
}

class Claim implements BodyClaim {
  bytes = 0;
  refused = false;
  constructor(
    private readonly budget: BodyBudget,
    readonly onRefused: () => void,
    readonly small: boolean,
  ) {}
  take(bytes: number) {
    return this.budget.take(this, bytes);
  }
  release() {
    this.budget.release(this);
  }
}

// One budget per process. The production server reads the product webhooks with
// app/webhooks from source, while the Remix routes run a bundled copy of the same
// module (build/server): the budget lives on globalThis so both count into one.
const KEY = Symbol.for("wa-catalog.webhook-body-budget");

/** The process's budget for unauthenticated webhook bodies (WEBHOOK_BODY_BUDGET_MB). */
export function webhookBodyBudget(): BodyBudget {
  const holder = globalThis as { [KEY]?: BodyBudget };
  holder[KEY] ??= new BodyBudget(env().WEBHOOK_BODY_BUDGET_MB * 1024 * 1024);
  return holder[KEY];
}
