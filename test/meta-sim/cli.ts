import { parseArgs } from "node:util";
import { createMetaSimulator } from "./server";

/**
 * Runs the simulator on its own:
 *   tsx test/meta-sim/cli.ts --port 4010 [--app-id ID --app-secret S]
 *     [--webhook-url URL] [--batch-delay-ms 50] [--seed N] [--scenario]
 * Prints the URL on the first line (and, with --scenario, the seeded ids and
 * tokens as JSON on the second). App id/secret default to META_APP_ID /
 * META_APP_SECRET when set.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    "app-id": { type: "string" },
    "app-secret": { type: "string" },
    "webhook-url": { type: "string" },
    "batch-delay-ms": { type: "string" },
    seed: { type: "string" },
    scenario: { type: "boolean", default: false },
  },
});

const sim = await createMetaSimulator({
  port: Number(values.port),
  host: values.host,
  appId: values["app-id"] ?? (process.env.META_APP_ID || undefined),
  appSecret: values["app-secret"] ?? (process.env.META_APP_SECRET || undefined),
  webhookCallbackUrl: values["webhook-url"],
  seed: values.seed !== undefined ? Number(values.seed) : undefined,
  config: values["batch-delay-ms"] !== undefined ? { batchDelayMs: Number(values["batch-delay-ms"]) } : undefined,
});
console.log(sim.url);
if (values.scenario) console.log(JSON.stringify(sim.control.seedScenario()));

const stop = () => void sim.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
