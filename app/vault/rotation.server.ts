import { setTimeout as sleep } from "node:timers/promises";
import type { Db } from "../db.server";
import { sqlOf, type Sql } from "../sql.server";
import { VaultError } from "./errors";
import { SECRET_COLUMNS, type SecretColumn } from "./secrets.server";
import { isSealed, type Vault } from "./vault.server";

/**
 * Key rotation and audit over every stored secret (SECRET_COLUMNS).
 *
 * Rotation is safe to kill at any point and to re-run: each row is rewritten
 * with a compare-and-set on the ciphertext it read, so a row holds
 * either its old ciphertext or the new one (both open while the old key is
 * still in ENCRYPTION_KEYS), and a secret the app rewrote meanwhile (a
 * reconnect) is left alone instead of being overwritten with a stale value.
 */

export interface RotateCounts {
  scanned: number;
  rotated: number;
  /** Already on the current key. */
  current: number;
  /** Could not be decrypted (unknown key id, corrupted); left as they are. */
  failed: number;
  /** Rewritten by the app between our read and our write; left as the app wrote it. */
  changed: number;
  /** Plain text in a legacy column (SecretColumn.legacyPlaintext), now sealed. */
  sealed: number;
}

export interface RotateOptions {
  batchSize?: number;
  /** Pause between batches: spreads the load on a busy database (and lets tests interrupt a run). */
  batchDelayMs?: number;
  onBatch?(column: string, totals: RotateCounts): void;
  onFailure?(column: string, rowId: string, error: VaultError): void;
}

async function* batches(db: Db, column: SecretColumn, batchSize: number) {
  let afterId: string | undefined;
  for (;;) {
    const rows = await column.page(db, afterId, batchSize);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchSize) return;
    afterId = rows[rows.length - 1].id;
  }
}

export async function rotateSecrets(db: Db, vault: Vault, options: RotateOptions = {}): Promise<RotateCounts> {
  const batchSize = options.batchSize ?? 200;
  const totals: RotateCounts = { scanned: 0, rotated: 0, current: 0, failed: 0, changed: 0, sealed: 0 };
  let first = true;
  for (const column of SECRET_COLUMNS) {
    for await (const rows of batches(db, column, batchSize)) {
      if (!first && options.batchDelayMs) await sleep(options.batchDelayMs);
      first = false;
      const writes: Sql[] = [];
      const kinds: ("rotated" | "sealed")[] = [];
      for (const row of rows) {
        totals.scanned++;
        try {
          if (column.legacyPlaintext && !isSealed(row.ciphertext)) {
            writes.push(column.swap(row.id, row.ciphertext, vault.encrypt(row.shop, column.purpose, row.ciphertext)));
            kinds.push("sealed");
            continue;
          }
          if (!vault.needsRotation(row.ciphertext)) {
            totals.current++;
            continue;
          }
          const secret = vault.decrypt(row.shop, column.purpose, row.ciphertext);
          writes.push(column.swap(row.id, row.ciphertext, vault.encrypt(row.shop, column.purpose, secret)));
          kinds.push("rotated");
        } catch (err) {
          // A bad ciphertext only skips its row; database errors abort the run (re-running is safe).
          if (!(err instanceof VaultError)) throw err;
          totals.failed++;
          options.onFailure?.(column.name, row.id, err);
        }
      }
      // One transaction per batch: one commit instead of one per row (SQLite: ~10 ms each).
      // Killed mid-way, the whole batch is either written or not; both states open.
      const changed: number[] = [];
      if (writes.length) {
        await sqlOf(db).transaction(async (tx) => {
          for (const write of writes) changed.push(await tx.run(write));
        });
      }
      for (const [i, count] of changed.entries()) {
        if (count === 1) totals[kinds[i]]++;
        else totals.changed++;
      }
      options.onBatch?.(column.name, { ...totals });
    }
  }
  return totals;
}

export interface CheckReport {
  total: number;
  /** Secrets per key id, whether or not that key is configured. */
  byKeyId: Record<string, number>;
  /** Legacy rows still in plain text (run the rotation to seal them). */
  plaintext: { column: string; id: string; shop: string }[];
  undecryptable: { column: string; id: string; shop: string; error: string }[];
}

/** Counts secrets per key id and tries to open each one. */
export async function checkSecrets(db: Db, vault: Vault, batchSize = 500): Promise<CheckReport> {
  const report: CheckReport = { total: 0, byKeyId: {}, plaintext: [], undecryptable: [] };
  for (const column of SECRET_COLUMNS) {
    for await (const rows of batches(db, column, batchSize)) {
      for (const row of rows) {
        report.total++;
        if (column.legacyPlaintext && !isSealed(row.ciphertext)) {
          report.plaintext.push({ column: column.name, id: row.id, shop: row.shop });
          continue;
        }
        try {
          const keyId = vault.keyIdOf(row.ciphertext);
          report.byKeyId[keyId] = (report.byKeyId[keyId] ?? 0) + 1;
          vault.decrypt(row.shop, column.purpose, row.ciphertext);
        } catch (err) {
          if (!(err instanceof VaultError)) throw err;
          report.undecryptable.push({ column: column.name, id: row.id, shop: row.shop, error: err.message });
        }
      }
    }
  }
  return report;
}
