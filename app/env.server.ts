import { z } from "zod";

/**
 * The app's configuration, parsed once at boot. A missing or malformed
 * variable stops the process with a message naming the variable and what to
 * put there, instead of failing at the first request that needs it.
 */

const KEY_HINT =
  'comma-separated "id:base64key" entries, newest first, e.g. "k1:$(openssl rand -base64 32)"';

const masterKeys = z.string().superRefine((value, ctx) => {
  const entries = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) ctx.addIssue({ code: "custom", message: `no key given (expected ${KEY_HINT})` });
  const ids = entries.map((e) => e.split(":")[0]);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) ctx.addIssue({ code: "custom", message: `key id "${repeated}" appears twice; every key needs its own id` });
  for (const entry of entries) {
    const [id, key] = entry.split(":");
    if (!id || !key || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      ctx.addIssue({ code: "custom", message: `malformed entry (expected ${KEY_HINT})` });
      return;
    }
    if (Buffer.from(key, "base64").length !== 32) {
      ctx.addIssue({
        code: "custom",
        message: `key "${id}" is not 32 bytes of base64; generate one with: openssl rand -base64 32`,
      });
    }
  }
});

// zod's own message for an absent variable says nothing useful: name what to put there.
const required = (hint: string) => z.string({ error: hint }).min(1, { message: hint });
const url = (hint: string) => z.string({ error: hint }).url({ message: `must be a URL (${hint})` });
// A variable set to "" counts as unset (its default applies).
const blankIsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema);
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => blankIsUnset(schema.optional());
const wholeNumber = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const envSchema = z.object({
  NODE_ENV: blankIsUnset(z.enum(["development", "production", "test"]).default("development")),
  /** "sandbox" lets a development server run without ENCRYPTION_KEYS (the public dev key); never with NODE_ENV=production. */
  APP_MODE: z.enum(["production", "sandbox"]).default("production"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, {
      message: 'must start with "file:" (SQLite) or "postgresql://" (PostgreSQL)',
    })
    .default("file:./prisma/dev.sqlite"),
  SHOPIFY_API_KEY: required("the app's client id from the Partner Dashboard"),
  SHOPIFY_API_SECRET: required("the app's client secret from the Partner Dashboard"),
  SHOPIFY_APP_URL: url("the public https URL the app is served from"),
  SCOPES: z.string().default("read_products,read_inventory,read_publications"),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  ENCRYPTION_KEYS: masterKeys.optional(),
  META_APP_ID: z.string().default(""),
  META_APP_SECRET: z.string().default(""),
  META_CONFIG_ID: z.string().default(""),
  META_CATALOG_CONFIG_ID: z.string().default(""),
  META_GRAPH_URL: url("Graph API base URL").default("https://graph.facebook.com"),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, { message: 'must look like "v25.0"' })
    .default("v25.0"),
  META_WEBHOOK_VERIFY_TOKEN: z.string().default(""),
  // WhatsApp (issue 5). During an app-secret rotation Meta may still sign with the old secret.
  META_APP_SECRET_PREVIOUS: z.string().default(""),
  /** Meta's JS SDK; the sandbox points it at a local stand-in. */
  META_SDK_URL: url("URL of Meta's JS SDK").default("https://connect.facebook.net/en_US/sdk.js"),
  /** Origin of Meta's OAuth dialog (the Embedded Signup fallback window). */
  META_OAUTH_DIALOG_URL: url("origin of Meta's OAuth dialog").default("https://www.facebook.com"),
  /** How long a WhatsApp health snapshot counts as fresh when the page opens. */
  WHATSAPP_HEALTH_TTL_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  /** How often the worker re-checks each connected WhatsApp account. */
  WHATSAPP_HEALTH_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(900_000),
  /** Where the production server listens. */
  PORT: wholeNumber(0, 65_535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** pino's level; default "info" ("silent" under NODE_ENV=test). */
  LOG_LEVEL: unsetIfEmpty(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
  CATALOG_FLUSH_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
  /** Meta's review (issue 17): first read-back this long after Meta accepted an item, doubling while it is pending. */
  CATALOG_REVIEW_FIRST_CHECK_MS: wholeNumber(100, 3_600_000).default(60_000),
  /** How often a Live item's review is read again (Meta can withdraw an approval). */
  CATALOG_REVIEW_RECHECK_MS: wholeNumber(1_000, 30 * 86_400_000).default(86_400_000),
  /** How often the catalog's diagnostics are read. */
  CATALOG_DIAGNOSTICS_INTERVAL_MS: wholeNumber(1_000, 7 * 86_400_000).default(3_600_000),
  /** How long a client may take to send a request's headers and body; slower senders get 408 (issue 14). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
  /** Megabytes of webhook bodies held at once before their signature is checked; beyond it, 503 (issue 14). */
  WEBHOOK_BODY_BUDGET_MB: z.coerce.number().int().min(4).max(4096).default(32),
  /** PostgreSQL connections per process. */
  DATABASE_POOL_SIZE: wholeNumber(1, 1000).default(10),
  /** Above this many products a full sync uses a bulk export instead of paging. */
  FULL_SYNC_BULK_THRESHOLD: wholeNumber(0, 10_000_000).default(250),
  // For tests, the sandbox and benchmarks only (never set in production):
  /** A stand-in for the shops' Admin API and token endpoint: {url}/{shop}/admin/... */
  SHOPIFY_ADMIN_API_URL: unsetIfEmpty(url("a stand-in for the shops' Admin API")),
  /** A local App Bridge script instead of Shopify's CDN (the sandbox's admin stand-in). */
  APP_BRIDGE_URL: unsetIfEmpty(url("an App Bridge script")),
  /** The worker's Graph timeout per attempt (default 15 s); the fault-injection runs shorten it. */
  META_TIMEOUT_MS: unsetIfEmpty(wholeNumber(100, 600_000)),
  /** How long the worker leases claimed products (default 2 min); it must outlast a flush. */
  CATALOG_LEASE_MS: unsetIfEmpty(wholeNumber(1_000, 3_600_000)),
  /** `npm run vault:rotate`: rows per batch, and a pause between batches. */
  VAULT_ROTATE_BATCH_SIZE: wholeNumber(1, 100_000).default(200),
  VAULT_ROTATE_BATCH_DELAY_MS: wholeNumber(0, 600_000).default(0),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function configError(issues: readonly z.core.$ZodIssue[], source: NodeJS.ProcessEnv) {
  const lines = issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    const missing = source[name] === undefined || source[name] === "";
    return `  ${name}: ${missing ? "missing" : "invalid"}: ${issue.message}`;
  });
  return new ConfigError(`Configuration error:\n${lines.join("\n")}`);
}

/** Whether the public development key may stand in for ENCRYPTION_KEYS: in tests, and in the sandbox outside production. */
export function devKeysAllowed(env: Partial<Pick<Env, "NODE_ENV" | "APP_MODE">>) {
  return env.NODE_ENV === "test" || (env.APP_MODE === "sandbox" && env.NODE_ENV !== "production");
}

/** Parses an environment; throws ConfigError listing every bad variable. */
export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw configError(result.error.issues, source);
  const env = result.data;
  // A production server marked sandbox would seal merchants' tokens with the public development key (issue 14).
  if (env.APP_MODE === "sandbox" && env.NODE_ENV === "production") {
    throw new ConfigError(
      'Configuration error:\n  APP_MODE: invalid: "sandbox" is for development and tests, never with NODE_ENV=production ' +
        "(it would allow the public development encryption key). Remove APP_MODE and set ENCRYPTION_KEYS.",
    );
  }
  if (!devKeysAllowed(env) && !env.ENCRYPTION_KEYS) {
    throw new ConfigError(
      "Configuration error:\n  ENCRYPTION_KEYS: missing: the app encrypts every merchant token with it. " +
        `Set it to ${KEY_HINT}.`,
    );
  }
  return env;
}

let cached: Env | undefined;

/** The process's configuration; parsed on first use, then reused. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * Some variables, read from the environment now: for code that also runs
 * where the rest of the configuration is absent (the worker's modules driven
 * by tests, the CLIs), and for variables tests change between cases. The
 * same schema validates them.
 */
export function envVars<K extends keyof Env>(...names: K[]): Pick<Env, K> {
  const picked = {} as Pick<Env, K>;
  const issues: z.core.$ZodIssue[] = [];
  for (const name of names) {
    const schema: z.ZodType = envSchema.shape[name];
    const result = schema.safeParse(process.env[name]);
    if (result.success) picked[name] = result.data as Env[K];
    else issues.push(...result.error.issues.map((issue) => ({ ...issue, path: [name, ...issue.path] })));
  }
  if (issues.length) throw configError(issues, process.env);
  return picked;
}

/** For tests that change process.env between cases. */
export function resetEnvForTests() {
  cached = undefined;
}
