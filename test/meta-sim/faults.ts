import { GraphError, throttleMessage } from "./graph-error";
import { seededRandom } from "./rng";
import type { SimState } from "./state";

/**
 * Fault injection. Rules match an endpoint label (as in app/meta/endpoints,
 * e.g. "POST /{catalog-id}/items_batch") or "*", fire with probability
 * `rate` (default 1) and at most `times` times (default unlimited). With a
 * seed, which calls fail replays identically for the same call sequence.
 * Token and catalog faults change state directly.
 */

interface RuleBase {
  /** Endpoint label or "*" (default "*"). */
  endpoint?: string;
  rate?: number;
  times?: number;
  /**
   * Only calls whose parameters, as JSON, contain this text: a call Meta
   * refuses as a whole because of one item in it (a malformed request fails
   * the whole Graph call, not the one item).
   */
  paramsContain?: string;
}

export type FaultRule =
  | (RuleBase & { kind: "error"; status?: number; code?: number; subcode?: number; message?: string; type?: string })
  | (RuleBase & { kind: "latency"; ms: number })
  /** Never answer (until the client gives up), or answer after `ms`. */
  | (RuleBase & { kind: "hang"; ms?: number })
  /** Throttling: error `code` (default 80014 on catalog endpoints, else 4) with usage headers announcing `regainMinutes`. */
  | (RuleBase & { kind: "throttle"; code?: number; regainMinutes?: number; status?: number; businessId?: string });

export interface FaultConfig {
  seed?: number;
  rules?: FaultRule[];
  /** Shorthand: endpoint label (or "*") -> probability of HTTP 500 with code 2. */
  errorRate?: Record<string, number>;
  /** Shorthand: added latency for every call, or per endpoint label. */
  latencyMs?: number | Record<string, number>;
}

export type FaultDecision =
  | { latencyMs: number; action: "none" }
  | { latencyMs: number; action: "hang"; ms: number | null }
  | { latencyMs: number; action: "fail"; error: GraphError };

type ActiveRule = FaultRule & { fired: number };

export class Faults {
  private rules: ActiveRule[] = [];
  private random: () => number = Math.random;
  private seed: number | null = null;

  constructor(private readonly state: SimState) {}

  /** Replaces every rule (and the seed). */
  set(config: FaultConfig) {
    this.seed = config.seed ?? null;
    this.random = config.seed !== undefined ? seededRandom(config.seed) : Math.random;
    const rules: FaultRule[] = [...(config.rules ?? [])];
    for (const [endpoint, rate] of Object.entries(config.errorRate ?? {})) rules.push({ kind: "error", endpoint, rate });
    const latency = config.latencyMs;
    if (typeof latency === "number") rules.push({ kind: "latency", ms: latency });
    else for (const [endpoint, ms] of Object.entries(latency ?? {})) rules.push({ kind: "latency", endpoint, ms });
    this.rules = rules.map((r) => ({ ...r, fired: 0 }));
  }

  add(rule: FaultRule) {
    this.rules.push({ ...rule, fired: 0 });
  }

  clear() {
    this.set({});
  }

  list() {
    return { seed: this.seed, rules: this.rules.map((r) => ({ ...r })) };
  }

  /**
   * What happens to one call to `label` on an object owned by `businessId`:
   * the sum of every matching latency rule, then the first matching
   * hang/error/throttle rule (later ones are not consumed).
   */
  decide(label: string, businessId: string | null, params?: Record<string, unknown>): FaultDecision {
    let latencyMs = 0;
    let terminal: ActiveRule | null = null;
    let paramsText: string | undefined;
    for (const rule of this.rules) {
      if ((rule.endpoint ?? "*") !== "*" && rule.endpoint !== label) continue;
      if (rule.paramsContain !== undefined && !(paramsText ??= JSON.stringify(params ?? {})).includes(rule.paramsContain)) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      if (terminal && rule.kind !== "latency") continue;
      // Draw for every candidate rule, so one rule's rate does not shift another's sequence.
      if (this.random() >= (rule.rate ?? 1)) continue;
      rule.fired++;
      if (rule.kind === "latency") latencyMs += rule.ms;
      else terminal = rule;
    }
    if (!terminal) return { latencyMs, action: "none" };
    if (terminal.kind === "hang") return { latencyMs, action: "hang", ms: terminal.ms ?? null };
    if (terminal.kind === "error") return { latencyMs, action: "fail", error: injectedError(terminal) };
    if (terminal.kind === "throttle") {
      return { latencyMs, action: "fail", error: throttleError(terminal, label, terminal.businessId ?? businessId ?? "0") };
    }
    return { latencyMs, action: "none" };
  }

  // --- state faults --------------------------------------------------------------

  /** The token stops working: every call answers 190 with `subcode` (default 460: password changed). */
  invalidateToken(value: string, subcode = 460) {
    const token = this.mustToken(value);
    token.valid = false;
    token.invalidSubcode = subcode;
  }

  /** Takes a scope away from a token, or only one object from the scope's target ids. */
  revokeScope(value: string, scope: string, targetId?: string) {
    const token = this.mustToken(value);
    if (targetId === undefined) {
      token.scopes.delete(scope);
      token.granular.delete(scope);
      return;
    }
    const targets = token.granular.get(scope);
    if (targets) token.granular.set(scope, targets.filter((t) => t !== targetId));
  }

  /** The catalog disappears (deleted in Commerce Manager): later calls get "does not exist". */
  dropCatalog(catalogId: string) {
    if (!this.state.catalogs.delete(catalogId)) throw new Error(`no catalog ${catalogId}`);
  }

  private mustToken(value: string) {
    const token = this.state.tokens.get(value);
    if (!token) throw new Error("no such token");
    return token;
  }
}

function injectedError(rule: Extract<FaultRule, { kind: "error" }>): GraphError {
  const code = rule.code ?? 2;
  const message = rule.message ?? (code === 1 ? "An unknown error occurred" : "An unexpected error has occurred. Please retry your request later.");
  return new GraphError(rule.status ?? 500, code, message, { subcode: rule.subcode, type: rule.type });
}

function throttleError(rule: Extract<FaultRule, { kind: "throttle" }>, label: string, businessId: string): GraphError {
  const catalog = label.includes("{catalog-id}");
  const code = rule.code ?? (catalog ? 80014 : 4);
  const regain = rule.regainMinutes ?? 1;
  const usage = { call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: regain };
  const headers: Record<string, string> = {
    "x-business-use-case-usage": JSON.stringify({
      [businessId]: [{ type: catalog ? "catalog_management" : "whatsapp_business_management", ...usage }],
    }),
  };
  if (code === 4) headers["x-app-usage"] = JSON.stringify({ call_count: 100, total_cputime: 100, total_time: 100 });
  return new GraphError(rule.status ?? 400, code, throttleMessage(code), { headers });
}
