/**
 * The vault's errors. Their messages name the shop, the purpose and the key
 * id (none of which is secret) so an operator can act on them, and never
 * carry plaintext, ciphertext or key material.
 */

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultError";
  }
}

/** Why a ciphertext did not open. */
export type DecryptionFailure =
  /** Not a vault ciphertext, or cut short / padded out. */
  | "malformed"
  /** A format version this code does not know. */
  | "unsupported-version"
  /** GCM rejected it: another shop, another purpose, altered bytes, or another key under the same id. */
  | "authentication";

export class DecryptionFailed extends VaultError {
  constructor(
    readonly reason: DecryptionFailure,
    /** Absent when only the format was read (keyIdOf). */
    readonly shop?: string,
    readonly purpose?: string,
  ) {
    super(
      (shop ? `cannot decrypt the ${purpose} secret of ${shop}: ` : "cannot read the ciphertext: ") +
        (reason === "authentication"
          ? "it was encrypted for another shop or purpose, or it was altered"
          : reason === "unsupported-version"
            ? "unsupported ciphertext format version"
            : "not a well-formed vault ciphertext (truncated or corrupted)"),
    );
    this.name = "DecryptionFailed";
  }
}

export class UnknownKeyId extends VaultError {
  constructor(
    readonly keyId: string,
    readonly knownKeyIds: readonly string[],
  ) {
    super(
      `the ciphertext was encrypted with key "${keyId}", which is not in ENCRYPTION_KEYS ` +
        `(it has: ${knownKeyIds.join(", ")}); put that key back (after the newest) until ` +
        "`npm run vault:rotate` has re-encrypted everything",
    );
    this.name = "UnknownKeyId";
  }
}
