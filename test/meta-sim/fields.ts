import { invalidParam } from "./graph-error";
import type { SimState } from "./state";

/** Graph field selection: parsing `fields=` and answering with just those fields. */

/** Graph's `fields=a,b{c,d},e` -> ["a", "b", "e"] (sub-selections are answered in full). */
export function parseFields(value: unknown, defaults: string[]): string[] {
  if (typeof value !== "string" || value.trim() === "") return defaults;
  const names: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of value) {
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
    else if (ch === "," && depth === 0) {
      names.push(current.trim());
      current = "";
    } else if (depth === 0) current += ch;
  }
  names.push(current.trim());
  return names.filter(Boolean);
}

/** Picks fields; an unknown one fails the call, as Graph does. */
export function pick<T>(state: SimState, nodeType: string, source: T, available: Record<string, (s: T, state: SimState) => unknown>, fields: string[]) {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const get = available[field];
    if (!get || state.config.unsupportedFields.has(field)) {
      throw invalidParam(`(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`);
    }
    out[field] = get(source, state);
  }
  if (!("id" in out) && available.id) out.id = available.id(source, state);
  return out;
}

