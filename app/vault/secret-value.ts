import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A decrypted secret (access token, PIN). Every way a value usually ends up
 * in a log line, an error message, a JSON response or a rendered page
 * (String(), template literals, JSON.stringify, util.inspect/console.log,
 * pino) prints "[redacted]"; the plaintext lives in a private field that
 * none of them can see, and comes out only through `reveal()` or `use()`,
 * so every place that handles plaintext is easy to find in review.
 */
export class SecretValue {
  readonly #plaintext: string;

  constructor(plaintext: string) {
    if (typeof plaintext !== "string") throw new TypeError("SecretValue holds a string");
    this.#plaintext = plaintext;
    Object.freeze(this);
  }

  /** The plaintext. Call it at the last moment (building the Graph request), never to log or store. */
  reveal(): string {
    return this.#plaintext;
  }

  /** Runs `fn` with the plaintext, so it does not outlive the call in a local variable. */
  use<T>(fn: (plaintext: string) => T): T {
    return fn(this.#plaintext);
  }

  /** Compares without revealing (e.g. "did the merchant paste the same token?"). */
  equals(other: SecretValue): boolean {
    return other instanceof SecretValue && other.#plaintext === this.#plaintext;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
