import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../app/db.server";
import { sqlOf } from "../../app/sql.server";
import { SECRET_COLUMNS } from "../../app/vault/secrets.server";
import { createVault, type SecretPurpose, type Vault } from "../../app/vault/vault.server";
import { ROOT } from "../helpers/app-process";
import { createTestDatabase, providers, type TestDatabase } from "../helpers/databases";

/**
 * `npm run vault:rotate` / `vault:check` as an operator runs them: a child
 * process on a real database, killed with SIGKILL halfway and run again.
 */

const key = (fill: number) => Buffer.alloc(32, fill).toString("base64");
const OLD = `k_old:${key(11)}`;
const NEW = `k_new:${key(22)}`;
const CLI = path.join(ROOT, "app/vault/cli.ts");

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; with `killOnProgress`, SIGKILLs it as soon as it reports its first batch. */
function runCli(args: string[], env: Partial<NodeJS.ProcessEnv>, opts: { killOnProgress?: boolean } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      cwd: ROOT,
      // An operator's shell: production unless a test says otherwise.
      env: { PATH: process.env.PATH, NODE_ENV: "production", LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (opts.killOnProgress && stdout.includes("rotate: progress:")) child.kill("SIGKILL");
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

interface Seeded {
  purpose: SecretPurpose;
  shop: string;
  plaintext: string;
}

/**
 * `shops` shops, each with a WhatsApp token, a catalog token, two phone PINs and a
 * Shopify offline session (access and refresh token): 6 secrets per shop, keyed "purpose:row id".
 */
async function seedSecrets(db: Db, vault: Vault, shops: number): Promise<Map<string, Seeded>> {
  const seeded = new Map<string, Seeded>();
  const seal = (id: string, shop: string, purpose: SecretPurpose) => {
    const plaintext = `${purpose}-${randomBytes(12).toString("hex")}`;
    seeded.set(`${purpose}:${id}`, { purpose, shop, plaintext });
    return vault.encrypt(shop, purpose, plaintext);
  };
  const wa = [];
  const catalogs = [];
  const phones = [];
  const sessions = [];
  const windows = [];
  for (let i = 0; i < shops; i++) {
    const shop = `shop-${i}.myshopify.com`;
    wa.push({ id: `wa_${i}`, shop, wabaId: `waba${i}`, state: "CONNECTED", tokenCiphertext: seal(`wa_${i}`, shop, "whatsapp.token") });
    catalogs.push({ id: `cat_${i}`, shop, catalogId: `c${i}`, tokenCiphertext: seal(`cat_${i}`, shop, "catalog.token") });
    for (const n of [1, 2]) {
      const id = `pn_${i}_${n}`;
      phones.push({ id, shop, connectionId: `wa_${i}`, phoneNumberId: `${i}${n}`, displayPhoneNumber: `+1 555 ${i}${n}`, pinCiphertext: seal(id, shop, "whatsapp.pin") });
    }
    const id = `offline_${shop}`;
    sessions.push({ id, shop, state: "", isOnline: false, accessToken: seal(id, shop, "shopify.token"), refreshToken: seal(id, shop, "shopify.refresh_token") });
    const closesAt = new Date(Date.now() + 86_400_000);
    windows.push({ id: `cw_${i}`, shop, phoneNumberId: `${i}1`, senderCiphertext: seal(`cw_${i}`, shop, "whatsapp.customer"), senderHint: "0123", lastInboundAt: new Date(), closesAt });
  }
  await db.whatsAppConnection.createMany({ data: wa });
  await db.catalogConnection.createMany({ data: catalogs });
  await db.phoneNumber.createMany({ data: phones });
  await db.session.createMany({ data: sessions });
  await db.customerWindow.createMany({ data: windows });
  return seeded;
}

/** Every stored secret, by "purpose:row id" (a session row holds two). */
async function storedSecrets(db: Db) {
  const all = new Map<string, { purpose: SecretPurpose; shop: string; ciphertext: string }>();
  for (const column of SECRET_COLUMNS) {
    for (const row of await column.page(db, undefined, 100_000)) all.set(`${column.purpose}:${row.id}`, { ...row, purpose: column.purpose });
  }
  return all;
}

/** Opens every stored secret with `vault` and compares it with what was seeded; returns rows per key id. */
async function expectAllReadable(db: Db, vault: Vault, seeded: Map<string, Seeded>) {
  const stored = await storedSecrets(db);
  expect(stored.size).toBe(seeded.size);
  const perKey: Record<string, number> = {};
  for (const [id, row] of stored) {
    const want = seeded.get(id)!;
    expect(row.purpose).toBe(want.purpose);
    expect(vault.decrypt(row.shop, row.purpose, row.ciphertext).reveal()).toBe(want.plaintext);
    const keyId = vault.keyIdOf(row.ciphertext);
    perKey[keyId] = (perKey[keyId] ?? 0) + 1;
  }
  return perKey;
}

function finalCounts(run: CliRun) {
  const m = /rotate: done: scanned (\d+), rotated (\d+), already current (\d+), failed (\d+), changed meanwhile (\d+)/.exec(run.stdout);
  expect(m, `${run.stdout}${run.stderr}`).not.toBeNull();
  const [scanned, rotated, current, failed, changed] = m!.slice(1).map(Number);
  return { scanned, rotated, current, failed, changed };
}

for (const provider of providers()) {
  describe(`vault rotation on ${provider}`, () => {
    let t: TestDatabase;
    beforeEach(async () => {
      t = await createTestDatabase(provider);
    });
    afterEach(async () => {
      await t.drop();
    });

    it("survives SIGKILL halfway, then finishes on a re-run with every secret readable", async () => {
      const seeded = await seedSecrets(t.db, createVault(OLD), 250);
      expect(seeded.size).toBe(1750);
      const env = { DATABASE_URL: t.url, ENCRYPTION_KEYS: `${NEW},${OLD}`, VAULT_ROTATE_BATCH_DELAY_MS: "400" };
      const both = createVault(`${NEW},${OLD}`);

      const killed = await runCli(["rotate"], env, { killOnProgress: true });
      expect(killed.signal, killed.stdout + killed.stderr).toBe("SIGKILL");
      const midway = await expectAllReadable(t.db, both, seeded);
      expect(midway.k_new).toBeGreaterThan(0);
      expect(midway.k_old).toBeGreaterThan(0);

      const rerun = await runCli(["rotate"], { ...env, VAULT_ROTATE_BATCH_DELAY_MS: "0" });
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      expect(finalCounts(rerun)).toEqual({ scanned: 1750, rotated: midway.k_old, current: midway.k_new, failed: 0, changed: 0 });
      expect(rerun.stdout).toMatch(/rotate: progress: PhoneNumber\.pinCiphertext: scanned/);

      // Only the new key is needed now: the old one can leave ENCRYPTION_KEYS.
      expect(await expectAllReadable(t.db, createVault(NEW), seeded)).toEqual({ k_new: 1750 });

      const again = await runCli(["rotate"], env);
      expect(finalCounts(again)).toMatchObject({ scanned: 1750, rotated: 0, current: 1750 });

      const check = await runCli(["check"], { DATABASE_URL: t.url, ENCRYPTION_KEYS: NEW });
      expect(check.code, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toContain("check: 1750 secrets");
      expect(check.stdout).toContain("check: key k_new: 1750 (current)");
      expect(check.stdout).toContain("check: undecryptable: 0");
      for (const { plaintext } of seeded.values()) expect(rerun.stdout + check.stdout).not.toContain(plaintext);
    }, 120_000);

    it("skips and reports secrets it cannot open, and rotates the rest", async () => {
      const seeded = await seedSecrets(t.db, createVault(OLD), 3);
      const gone = createVault(`k_gone:${key(33)}`).encrypt("shop-0.myshopify.com", "whatsapp.token", "lost-token-value");
      await t.db.whatsAppConnection.update({ where: { id: "wa_0" }, data: { tokenCiphertext: gone } });
      const moved = (await t.db.catalogConnection.findUniqueOrThrow({ where: { id: "cat_2" } })).tokenCiphertext!;
      await t.db.catalogConnection.update({ where: { id: "cat_1" }, data: { tokenCiphertext: moved } }); // another shop's

      const check = await runCli(["check"], { DATABASE_URL: t.url, ENCRYPTION_KEYS: `${NEW},${OLD}` });
      expect(check.code).toBe(1);
      expect(check.stdout).toContain("check: key k_old: 20");
      expect(check.stdout).toContain("check: key k_gone: 1 (NOT in ENCRYPTION_KEYS)");
      expect(check.stdout).toContain("check: undecryptable: 2");
      expect(check.stdout).toMatch(/CatalogConnection\.tokenCiphertext row cat_1 \(shop-1\.myshopify\.com\): cannot decrypt/);

      const run = await runCli(["rotate"], { DATABASE_URL: t.url, ENCRYPTION_KEYS: `${NEW},${OLD}` });
      expect(run.code).toBe(1);
      expect(finalCounts(run)).toEqual({ scanned: 21, rotated: 19, current: 0, failed: 2, changed: 0 });
      expect(run.stderr).toMatch(/WhatsAppConnection\.tokenCiphertext row wa_0: .*"k_gone"/);
      expect(run.stdout + run.stderr).not.toContain("lost-token-value");
      for (const { plaintext } of seeded.values()) expect(run.stdout + run.stderr).not.toContain(plaintext);
      // The bad rows are left exactly as they were.
      expect((await t.db.whatsAppConnection.findUniqueOrThrow({ where: { id: "wa_0" } })).tokenCiphertext).toBe(gone);
      expect((await t.db.catalogConnection.findUniqueOrThrow({ where: { id: "cat_1" } })).tokenCiphertext).toBe(moved);
    }, 60_000);

    it("seals Shopify session tokens stored as plain text before sessions were sealed; check fails until then", async () => {
      const shop = "legacy-shop.myshopify.com";
      await t.db.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "shpat_legacy_plain_0123456789", refreshToken: "shprt_legacy_plain_0123456789" } });
      const env = { DATABASE_URL: t.url, ENCRYPTION_KEYS: NEW };
      const before = await runCli(["check"], env);
      expect(before.code).toBe(1);
      expect(before.stdout).toContain("check: plain text (not sealed yet): 2");
      expect(before.stdout).toContain(`Session.accessToken row offline_${shop} (${shop})`);

      const run = await runCli(["rotate"], env);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain("sealed from plain text 2");
      const row = await t.db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });
      const vault = createVault(NEW);
      expect(vault.decrypt(shop, "shopify.token", row.accessToken).reveal()).toBe("shpat_legacy_plain_0123456789");
      expect(vault.decrypt(shop, "shopify.refresh_token", row.refreshToken!).reveal()).toBe("shprt_legacy_plain_0123456789");

      const after = await runCli(["check"], env);
      expect(after.code, after.stdout).toBe(0);
      expect(after.stdout).toContain("check: plain text (not sealed yet): 0");
      expect(after.stdout).toContain("check: key k_new: 2 (current)");
      expect(before.stdout + run.stdout + after.stdout).not.toContain("shpat_legacy_plain");
    }, 60_000);

    it("writes with compare-and-set: a secret rewritten meanwhile is not overwritten", async () => {
      const vault = createVault(`${NEW},${OLD}`);
      await seedSecrets(t.db, createVault(OLD), 1);
      for (const column of SECRET_COLUMNS) {
        const [row] = await column.page(t.db, undefined, 1);
        const newer = vault.encrypt(row.shop, column.purpose, "rewritten by a reconnect");
        expect(await sqlOf(t.db).run(column.swap(row.id, row.ciphertext, newer))).toBe(1);
        const stale = vault.encrypt(row.shop, column.purpose, "stale");
        expect(await sqlOf(t.db).run(column.swap(row.id, row.ciphertext, stale))).toBe(0);
        const [after] = await column.page(t.db, undefined, 1);
        expect(after.ciphertext).toBe(newer);
      }
    });
  });
}

describe("vault CLI configuration", () => {
  const db = { DATABASE_URL: "file:/nonexistent/never-opened.sqlite" };

  it("refuses to run without ENCRYPTION_KEYS outside sandbox/test, saying how to make one", async () => {
    const run = await runCli(["check"], { ...db, NODE_ENV: "production" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ENCRYPTION_KEYS: missing");
    expect(run.stderr).toContain("openssl rand -base64 32");
  });

  it("refuses malformed keys without echoing them", async () => {
    const run = await runCli(["rotate"], { ...db, NODE_ENV: "production", ENCRYPTION_KEYS: "k1:bm90LWEta2V5LWF0LWFsbA==" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('key "k1" is not 32 bytes');
    expect(run.stderr).not.toContain("bm90LWEta2V5");
  });

  it("prints its usage for an unknown command", async () => {
    const run = await runCli(["spin"], { ...db, ENCRYPTION_KEYS: NEW });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: .* rotate\|check/);
  });
});
