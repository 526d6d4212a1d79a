import type { Db } from "./db.server";
import type { Logger } from "./logger.server";
import type { MetaGraphClient } from "./meta/index.server";

/**
 * The loop the background workers share: run a round, and after a round
 * that did no work sleep `pollMs` (cut short by `stop`). A failed round is
 * logged and the loop goes on, so a database blip never ends a worker.
 */

/** What every background worker is given. */
export interface WorkerDeps {
  db: Db;
  client: MetaGraphClient;
  log: Logger;
  /** Sleep between rounds that found nothing to do. */
  pollMs?: number;
}

/** A running worker: `tick` runs one round (tests drive workers with it). */
export interface Worker<Round> extends Pick<WorkerLoop, "run" | "stop"> {
  tick(): Promise<Round>;
}

export interface WorkerLoop {
  /** Loops until `stop()`; calling it again returns the same run. */
  run(): Promise<void>;
  /** Ends the loop after the current round. */
  stop(): Promise<void>;
  /** True once `stop()` was called: long rounds check it between steps. */
  readonly stopping: boolean;
}

export function workerLoop(options: {
  /** For the log lines, e.g. "catalog worker". */
  name: string;
  log: Logger;
  /** Fields for the started/stopped log lines. */
  fields?: Record<string, unknown>;
  pollMs: number;
  /** One round; true when it did work, so the next round starts at once. */
  round(): Promise<boolean>;
}): WorkerLoop {
  const { name, log, fields = {}, pollMs, round } = options;
  let stopping = false;
  let running: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function loop() {
    log.info(fields, `${name} started`);
    while (!stopping) {
      let worked = false;
      try {
        worked = await round();
      } catch (error) {
        log.error({ err: error }, `${name} round failed; retrying`);
      }
      if (!worked && !stopping) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, pollMs)));
    }
    log.info(fields, `${name} stopped`);
  }

  return {
    get stopping() {
      return stopping;
    },
    run() {
      running ??= loop();
      return running;
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
    },
  };
}
