import { MetaGraphClient } from "./client.server";

let client: MetaGraphClient | undefined;

/** The process's MetaGraphClient, configured from the environment (one keep-alive pool, one usage tracker). */
export function metaClient(): MetaGraphClient {
  client ??= new MetaGraphClient();
  return client;
}
