import { logger } from "../logger.server";
import { MetaGraphClient } from "../meta/index.server";

/**
 * The Graph clients the WhatsApp service uses. Requests made while a
 * merchant waits (page loads, clicks) get a short timeout and one retry;
 * the worker's scheduled checks can afford the client's defaults.
 */

let interactive: MetaGraphClient | undefined;
let background: MetaGraphClient | undefined;

export function interactiveClient(): MetaGraphClient {
  interactive ??= new MetaGraphClient({
    timeoutMs: 8_000,
    retry: { retries: 1 },
    logger: logger.child({ module: "meta-graph", caller: "whatsapp" }),
  });
  return interactive;
}

export function backgroundClient(): MetaGraphClient {
  background ??= new MetaGraphClient({ logger: logger.child({ module: "meta-graph", caller: "whatsapp-worker" }) });
  return background;
}
