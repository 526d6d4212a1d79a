/**
 * Per-shop lanes for the catalog worker (issue 14, figure 6): at most one
 * task per shop at a time, different shops' tasks side by side, and a shop's
 * next task starts as soon as its previous one ends, whatever the other
 * shops are doing. The worker's earlier rounds (flush every due shop, wait
 * for all of them, then poll) made every shop wait for the slowest flush of
 * the round: while one shop sent a 100,000-variant full sync, the others'
 * changes queued behind each of its batches.
 *
 * One task per shop also keeps a batch's settlement apart from a claim of
 * the same shop's rows: the two deadlocked on PostgreSQL when they ran at
 * once (found by the chaos run).
 */

export interface Task<Kind extends string> {
  shop: string;
  kind: Kind;
  /** What the task works on when a shop can have several of its kind due (a batch). */
  id?: string;
  /** True when it did work. */
  run(): Promise<boolean>;
}

export class ShopLanes<Kind extends string> {
  private readonly running = new Map<string, { kind: Kind; done: Promise<void> }>();
  /** The kind each shop ran last: a shop with several kinds of work due takes turns. */
  private readonly lastKind = new Map<string, Kind>();

  /** `limits`: tasks of each kind at once, over all shops. */
  constructor(private readonly limits: Record<Kind, number>) {}

  get size() {
    return this.running.size;
  }

  busy(shop: string) {
    return this.running.has(shop);
  }

  private count(kind: Kind) {
    let n = 0;
    for (const task of this.running.values()) if (task.kind === kind) n += 1;
    return n;
  }

  /**
   * Starts what it can of `due` (most urgent first): each shop whose lane is
   * free gets one task, preferably of another kind than its last (so a
   * shop always flushing still gets its batches polled), each kind up to its
   * limit. `settled` hears how each task ended (a task's error never
   * escapes). Returns the tasks started.
   */
  start(due: Task<Kind>[], settled: (task: Task<Kind>, worked: boolean, error?: unknown) => void): Task<Kind>[] {
    const byShop = new Map<string, Task<Kind>[]>();
    for (const task of due) {
      if (this.running.has(task.shop)) continue;
      byShop.set(task.shop, [...(byShop.get(task.shop) ?? []), task]);
    }
    const started: Task<Kind>[] = [];
    for (const [shop, tasks] of byShop) {
      const open = tasks.filter((t) => this.count(t.kind) < this.limits[t.kind]);
      const task = open.find((t) => t.kind !== this.lastKind.get(shop)) ?? open[0];
      if (!task) continue;
      this.lastKind.set(shop, task.kind);
      const done = Promise.resolve()
        .then(() => task.run())
        .then(
          (worked) => settled(task, worked),
          (error: unknown) => settled(task, false, error),
        )
        .finally(() => this.running.delete(shop));
      this.running.set(shop, { kind: task.kind, done });
      started.push(task);
    }
    return started;
  }

  /** Resolves when every running task has ended. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((t) => t.done));
  }

  /** Resolves when any running task ends (never, when none runs: race it with a timer). */
  next(): Promise<void> {
    return this.running.size ? Promise.race([...this.running.values()].map((t) => t.done)) : new Promise(() => {});
  }
}
