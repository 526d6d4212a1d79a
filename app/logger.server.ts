import pino from "pino";
import { envVars } from "./env.server";

/**
 * One structured logger. Anything token-like is redacted by key, and
 * `redactText` scrubs tokens out of free text (error messages, URLs) before
 * they are logged, because Meta's errors and URLs can carry them.
 */

const SECRET_KEYS = [
  "token",
  "accessToken",
  "access_token",
  "input_token",
  "client_secret",
  "appSecret",
  "secret",
  "pin",
  "password",
  "authorization",
  "Authorization",
  "code",
  "id_token",
  "refreshToken",
  "ciphertext",
  "tokenCiphertext",
  "pinCiphertext",
];

const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers.${k.toLowerCase()}`]);

function defaultLevel() {
  const { LOG_LEVEL, NODE_ENV } = envVars("LOG_LEVEL", "NODE_ENV");
  return LOG_LEVEL ?? (NODE_ENV === "test" ? "silent" : "info");
}

/** The app's logger options; tests build one on a buffer with the same options. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream; redact?: false } = {}) {
  return pino(
    {
      level: options.level ?? defaultLevel(),
      base: { app: "wa-catalog" },
      ...(options.redact === false ? {} : { redact: { paths, censor: "[redacted]" } }),
      serializers: {
        err: (err: unknown) => {
          const s = pino.stdSerializers.err(err as Error);
          return { ...s, message: redactText(s.message), stack: s.stack ? redactText(s.stack) : undefined };
        },
      },
    },
    options.destination,
  );
}

export const logger = createLogger();

export type Logger = pino.Logger;

const QUERY_SECRET = /((?:^|[?&\s])(?:access_token|client_secret|input_token|code|id_token|pin)=)[^&\s"']+/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
// Meta user/system tokens start with EAA; app tokens are "appid|secret".
const META_TOKEN = /\bEAA[A-Za-z0-9]{20,}\b/g;
const APP_TOKEN = /\b(\d{6,})\|[A-Za-z0-9_-]{16,}\b/g;

/** Removes token-shaped substrings from text that may be logged or shown. */
export function redactText(text: string): string {
  return text
    .replace(QUERY_SECRET, "$1[redacted]")
    .replace(BEARER, "$1[redacted]")
    .replace(META_TOKEN, "[redacted]")
    .replace(APP_TOKEN, "$1|[redacted]");
}
