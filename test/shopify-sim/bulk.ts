import { getNamedType, Kind, parse, validate, type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { connectionNodeSelection, context, fieldDef, fieldsOf, isConnection, type Ctx } from "./cost";
import type { Model } from "./model";
import { adminSchema } from "./schema";
import { seededRandom } from "../meta-sim/rng";

/**
 * A bulk query's JSONL output, as Shopify's bulk operations guide describes
 * it (https://shopify.dev/docs/api/usage/bulk-operations/queries, "Download
 * result data"): every node of a connection is a line of its own; nested
 * connections' nodes carry `__parentId`; "The order of each connection type
 * is preserved and all nested connections appear after their parents in the
 * file." With `groupObjects: true` a parent's children follow it directly;
 * since 2026-01 `groupObjects` defaults to false (changelog "Bulk operations
 * group objects default changed to false",
 * https://shopify.dev/changelog/bulk-operations-group-objects-default-changed-to-false;
 * https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/bulkOperationRunQuery:
 * "Enables grouping objects directly under their corresponding parent objects
 * in the JSONL output"), and then the stand-in holds children back and
 * interleaves them at random: each line after its parent, each parent's
 * children in their connection order, nothing more.
 */

/** Checks a bulk query as Shopify does before accepting the operation: valid against the schema, a connection at its root. */
export function checkBulkQuery(query: string): { doc: DocumentNode; root: FieldNode } | { error: string } {
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (error) {
    return { error: `Invalid bulk query: ${(error as Error).message}` };
  }
  const errors = validate(adminSchema, doc);
  if (errors.length) return { error: `Invalid bulk query: ${errors[0].message}` };
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const root = op?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  const def = root && adminSchema.getQueryType()!.getFields()[root.name.value];
  if (!op || op.operation !== "query" || !root || !def || !isConnection(def.type)) {
    return { error: "Bulk queries must contain at least one connection." };
  }
  return { doc, root };
}

interface Line {
  text: string;
}

/** One object of `typeName` with `set` selected; connection fields become child lines (depth first). */
function project(ctx: Ctx, model: Model, set: SelectionSetNode, typeName: string, parentId: string | null, children: Line[][]): string {
  const out: Record<string, unknown> = {};
  const childLines: Line[] = [];
  for (const field of fieldsOf(ctx, set, model.__typename ?? typeName)) {
    const name = field.name.value;
    const key = field.alias?.value ?? name;
    if (name === "__typename") {
      out[key] = model.__typename;
      continue;
    }
    const def = fieldDef(ctx, model.__typename ?? typeName, name);
    if (!def) continue;
    const value = model[name];
    if (isConnection(def.type)) {
      const connType = getNamedType(def.type).name;
      const nodeSet = connectionNodeSelection(ctx, field, connType);
      for (const item of (value as Model[] | undefined) ?? []) {
        const grand: Line[][] = [];
        childLines.push({ text: project(ctx, item, nodeSet, item.__typename, model.id, grand) });
        for (const g of grand) childLines.push(...g);
      }
    } else out[key] = projectValue(ctx, value, field.selectionSet, getNamedType(def.type).name);
  }
  if (parentId) out.__parentId = parentId;
  if (childLines.length) children.push(childLines);
  return JSON.stringify(out);
}

function projectValue(ctx: Ctx, value: unknown, set: SelectionSetNode | undefined, typeName: string): unknown {
  if (value == null || !set) return value ?? null;
  if (Array.isArray(value)) return value.map((v) => projectValue(ctx, v, set, typeName));
  const model = value as Model;
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(ctx, set, model.__typename ?? typeName)) {
    const def = fieldDef(ctx, model.__typename ?? typeName, field.name.value);
    if (!def) continue;
    out[field.alias?.value ?? field.name.value] = projectValue(ctx, model[field.name.value], field.selectionSet, getNamedType(def.type).name);
  }
  return out;
}

/**
 * The export's lines, product by product so a large shop streams. Grouped:
 * each root object, then its children. Ungrouped: children wait in a pool and
 * come out at random later, each parent's in order.
 */
export function* bulkLines(query: { doc: DocumentNode; root: FieldNode }, roots: Iterable<Model>, opts: { grouped: boolean; seed: number }): Generator<string> {
  const ctx = context(adminSchema, query.doc, {});
  const rootType = getNamedType(adminSchema.getQueryType()!.getFields()[query.root.name.value].type).name;
  const nodeSet = connectionNodeSelection(ctx, query.root, rootType);
  const random = seededRandom(opts.seed); // a shuffled export replays from its seed
  const pool: { lines: Line[]; next: number }[] = [];
  const takeOne = () => {
    const i = Math.floor(random() * pool.length);
    const queue = pool[i];
    const line = queue.lines[queue.next++];
    if (queue.next >= queue.lines.length) {
      pool[i] = pool[pool.length - 1];
      pool.pop();
    }
    return line.text;
  };
  for (const model of roots) {
    const children: Line[][] = [];
    yield project(ctx, model, nodeSet, model.__typename, null, children);
    const lines = children.flat();
    if (opts.grouped) {
      for (const line of lines) yield line.text;
      continue;
    }
    if (lines.length) pool.push({ lines, next: 0 });
    // On average as many lines leave the pool as came in, so it stays bounded while children drift far from their parent.
    for (let n = Math.floor(random() * 2 * lines.length + random()); n > 0 && pool.length; n--) yield takeOne();
  }
  while (pool.length) yield takeOne();
}
