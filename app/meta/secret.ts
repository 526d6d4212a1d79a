/**
 * The shape of a secret as the client accepts it: the vault's decrypted
 * values implement it, so a token is revealed only at the moment a request
 * is built, and never travels as a plain string through method signatures.
 */
export interface SecretLike {
  reveal(): string;
}

const HIDDEN = "[redacted]";

/**
 * A secret that prints as "[redacted]" however it is serialised (template
 * strings, JSON.stringify, console.log / util.inspect), so a token returned
 * by the code exchange cannot leak through a careless log line.
 */
export class SealedSecret implements SecretLike {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return HIDDEN;
  }
}

export function sealSecret(value: string | SecretLike): SecretLike {
  return typeof value === "string" ? new SealedSecret(value) : value;
}
