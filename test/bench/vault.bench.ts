import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { deriveShopKey, parseMasterKeys } from "../../app/vault/keys.server";
import { createVault, type Vault } from "../../app/vault/vault.server";

/**
 * Vault throughput: `node_modules/.bin/tsx test/bench/vault.bench.ts`.
 * Measures one encrypt+decrypt round trip of a Meta-token-sized secret with
 * derived keys cached (the hot path: the worker opens a token per Graph
 * call) and uncached, and the cost of one HKDF derivation. Prints a table
 * and merges the figures into test/bench/results.json under "vault".
 * VAULT_BENCH_SECONDS sets how long each measurement runs (default 1).
 */

const SECONDS = Number(process.env.VAULT_BENCH_SECONDS ?? 1);
const KEYS = `k_new:${randomBytes(32).toString("base64")},k_old:${randomBytes(32).toString("base64")}`;
const TOKEN = `EAA${randomBytes(150).toString("base64url")}`; // Meta tokens run ~200 characters
const SHOPS = Array.from({ length: 100 }, (_, i) => `bench-shop-${i}.myshopify.com`);

/** Runs `op` repeatedly for SECONDS (after a short warm-up); returns operations per second. */
function opsPerSecond(op: (i: number) => void): number {
  for (let i = 0; i < 1000; i++) op(i);
  const deadline = process.hrtime.bigint() + BigInt(Math.round(SECONDS * 1e9));
  const start = process.hrtime.bigint();
  let n = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i++) op(n++);
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

function roundTrip(vault: Vault) {
  return (i: number) => {
    const shop = SHOPS[i % SHOPS.length];
    const sealed = vault.encrypt(shop, "whatsapp.token", TOKEN);
    if (vault.decrypt(shop, "whatsapp.token", sealed).reveal() !== TOKEN) throw new Error("round trip failed");
  };
}

const [master] = parseMasterKeys(KEYS);
const hkdfPerSecond = opsPerSecond((i) => deriveShopKey(master.key, `derive-${i}.myshopify.com`));
const cached = opsPerSecond(roundTrip(createVault(KEYS)));
const uncached = opsPerSecond(roundTrip(createVault(KEYS, { cacheSize: 0 })));

const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const figures = {
  roundTripsPerSecondCached: round(cached),
  roundTripsPerSecondUncached: round(uncached),
  cachedSpeedup: round(cached / uncached, 2),
  microsecondsPerRoundTripCached: round(1e6 / cached, 2),
  microsecondsPerHkdfDerivation: round(1e6 / hkdfPerSecond, 2),
  plaintextBytes: TOKEN.length,
  shops: SHOPS.length,
  secondsPerMeasurement: SECONDS,
};

console.table({
  "encrypt+decrypt, keys cached": { "per second": figures.roundTripsPerSecondCached, "µs each": figures.microsecondsPerRoundTripCached },
  "encrypt+decrypt, keys derived each time": {
    "per second": figures.roundTripsPerSecondUncached,
    "µs each": round(1e6 / uncached, 2),
  },
  "one HKDF-SHA256 derivation": { "per second": round(hkdfPerSecond), "µs each": figures.microsecondsPerHkdfDerivation },
});
console.log(`key cache speed-up: ${figures.cachedSpeedup}x`);

// Read-modify-write: other benchmarks keep their own keys in the same file.
const file = path.join(import.meta.dirname, "results.json");
const results: Record<string, unknown> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
const cpus = os.cpus();
results.vault = {
  ...figures,
  machine: { cpu: cpus[0]?.model ?? "unknown", cores: cpus.length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
  measuredAt: new Date().toISOString(),
};
fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote test/bench/results.json ("vault")`);
