import { closeDb, createDb } from "../db.server";
import { ConfigError, envVars } from "../env.server";
import { checkSecrets, rotateSecrets } from "./rotation.server";
import { createVault, vaultKeysFromEnv } from "./vault.server";

/**
 * `npm run vault:rotate`: re-encrypt every stored secret that is not on the
 * newest key of ENCRYPTION_KEYS. Interrupt it at will and run it again.
 * `npm run vault:check`: how many secrets use each key id, and which do not open.
 *
 * Rotating a master key: (1) put a new key first in ENCRYPTION_KEYS, keeping
 * the old ones after it, and restart the app and worker (new secrets now use
 * it); (2) `npm run vault:rotate`; (3) `npm run vault:check` shows 0 on the
 * old key; (4) remove the old key from ENCRYPTION_KEYS.
 *
 * Environment: DATABASE_URL, ENCRYPTION_KEYS (newest first, with the old
 * keys still listed), VAULT_ROTATE_BATCH_SIZE (default 200),
 * VAULT_ROTATE_BATCH_DELAY_MS (pause between batches, default 0).
 * Shopify session tokens stored as plain text before sessions were sealed are sealed by rotate and
 * counted by check (which fails until none is left).
 * Exit code: 0 done, 1 some secrets could not be decrypted (or, for check, are still plain text), 2 usage or configuration error.
 */

const USAGE = "usage: tsx app/vault/cli.ts rotate|check";

async function main(command: string | undefined): Promise<number> {
  if (command !== "rotate" && command !== "check") {
    console.error(USAGE);
    return 2;
  }
  const config = envVars("DATABASE_URL", "DATABASE_POOL_SIZE", "VAULT_ROTATE_BATCH_SIZE", "VAULT_ROTATE_BATCH_DELAY_MS");
  const vault = createVault(vaultKeysFromEnv());
  const url = config.DATABASE_URL;
  const db = createDb(url, { poolSize: config.DATABASE_POOL_SIZE });
  try {
    const where = url.replace(/\/\/[^@/]*@/, "//"); // no password in the output
    if (command === "rotate") {
      const batchSize = config.VAULT_ROTATE_BATCH_SIZE;
      const batchDelayMs = config.VAULT_ROTATE_BATCH_DELAY_MS;
      console.log(`rotate: re-encrypting secrets in ${where} onto key "${vault.currentKeyId}" (batches of ${batchSize})`);
      const totals = await rotateSecrets(db, vault, {
        batchSize,
        batchDelayMs,
        onBatch: (column, t) =>
          console.log(`rotate: progress: ${column}: scanned ${t.scanned}, rotated ${t.rotated}, already current ${t.current}, failed ${t.failed}`),
        onFailure: (column, id, error) => console.error(`rotate: ${column} row ${id}: ${error.message}`),
      });
      console.log(
        `rotate: done: scanned ${totals.scanned}, rotated ${totals.rotated}, already current ${totals.current}, ` +
          `failed ${totals.failed}, changed meanwhile ${totals.changed}, sealed from plain text ${totals.sealed}`,
      );
      if (totals.changed > 0) console.log("rotate: rows changed meanwhile were rewritten by the app; run again to confirm");
      return totals.failed > 0 ? 1 : 0;
    }
    const report = await checkSecrets(db, vault);
    console.log(`check: ${report.total} secrets in ${where}`);
    const ids = new Set([...vault.keyIds, ...Object.keys(report.byKeyId)]);
    for (const id of ids) {
      const note = id === vault.currentKeyId ? " (current)" : vault.keyIds.includes(id) ? "" : " (NOT in ENCRYPTION_KEYS)";
      console.log(`check: key ${id}: ${report.byKeyId[id] ?? 0}${note}`);
    }
    console.log(`check: plain text (not sealed yet): ${report.plaintext.length}`);
    for (const row of report.plaintext) console.log(`check:   ${row.column} row ${row.id} (${row.shop})`);
    if (report.plaintext.length > 0) console.log("check: secrets stored as plain text: run npm run vault:rotate to seal them");
    console.log(`check: undecryptable: ${report.undecryptable.length}`);
    for (const bad of report.undecryptable) console.log(`check:   ${bad.column} row ${bad.id} (${bad.shop}): ${bad.error}`);
    const old = Object.entries(report.byKeyId).reduce((n, [id, count]) => (id === vault.currentKeyId ? n : n + count), 0);
    if (old > 0) console.log(`check: ${old} secrets are not on the current key: run npm run vault:rotate`);
    return report.undecryptable.length > 0 || report.plaintext.length > 0 ? 1 : 0;
  } finally {
    await closeDb(db);
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // ConfigError's message is written for the operator; anything else gets its stack.
    console.error(err instanceof ConfigError ? err.message : err);
    process.exitCode = 2;
  },
);
