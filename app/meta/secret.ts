import { SecretValue } from "../vault/secret-value";

/**
 * A secret as the client accepts it: SecretValue (app/vault/secret-value.ts,
 * the one class for a secret in memory) implements it, so a token is
 * revealed only at the moment a request is built and never travels as a
 * plain string through method signatures.
 */
export interface SecretLike {
  reveal(): string;
}

export { SecretValue };

/** A string (a configured app secret, a token Meta just returned) as a secret; a secret as it is. */
export function asSecret(value: string | SecretLike): SecretLike {
  return typeof value === "string" ? new SecretValue(value) : value;
}
