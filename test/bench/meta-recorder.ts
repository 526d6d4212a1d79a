import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import type { SimBatch, SimItem } from "../meta-sim/state";

/**
 * The Meta simulator in the benchmark's own process, with two hooks: every
 * items_batch request is recorded as it arrives (the simulator forgets a
 * batch's requests once applied), and every item saved into the catalog is
 * timestamped (the freshness figure). Both hooks wrap the simulator's Maps,
 * so the simulator itself is unchanged.
 */

export interface Push {
  atMs: number;
  batch: number;
  method: string;
  retailerId: string;
  /** The item's content as sent (title + price of the first fields that change per version). */
  content: string;
}

export interface ItemSaved {
  atMs: number;
  retailerId: string;
  title: string;
}

export interface RecordingSimulator {
  sim: MetaSimulator;
  pushes: Push[];
  batches: { atMs: number; size: number }[];
  /** Called for every item the catalog saves (after its batch finished). */
  onItemSaved?: (event: ItemSaved) => void;
  scenario(): Scenario;
  itemsBatchCalls(): number;
  graphCalls(): number;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function recordingSimulator(): Promise<RecordingSimulator> {
  const sim = await createMetaSimulator();
  const recorder: RecordingSimulator = {
    sim,
    pushes: [],
    batches: [],
    scenario() {
      const scenario = sim.control.seedScenario();
      const catalog = sim.state.catalogs.get(scenario.catalogId)!;
      const items = catalog.items;
      const set = items.set.bind(items);
      items.set = (retailerId: string, item: SimItem) => {
        recorder.onItemSaved?.({ atMs: now(), retailerId, title: String(item.title ?? "") });
        return set(retailerId, item);
      };
      return scenario;
    },
    itemsBatchCalls() {
      return Object.entries(sim.control.callCounts())
        .filter(([label]) => label.includes("items_batch"))
        .reduce((n, [, count]) => n + count, 0);
    },
    graphCalls() {
      return Object.values(sim.control.callCounts()).reduce((n, count) => n + count, 0);
    },
    close: () => sim.close(),
  };
  const batches = sim.state.batches;
  const setBatch = batches.set.bind(batches);
  batches.set = (handle: string, batch: SimBatch) => {
    const atMs = now();
    const index = recorder.batches.length;
    recorder.batches.push({ atMs, size: batch.requests.length });
    for (const { method, data } of batch.requests) {
      recorder.pushes.push({ atMs, batch: index, method, retailerId: String(data.id), content: `${method}|${data.title ?? ""}|${data.price ?? ""}|${data.sale_price ?? ""}` });
    }
    return setBatch(handle, batch);
  };
  return recorder;
}
