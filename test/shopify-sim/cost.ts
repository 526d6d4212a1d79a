import {
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

/**
 * Shopify's calculated query cost, as its documentation publishes it:
 *
 * - "By default, a field's cost is based on what the field returns: Scalar 0,
 *   Enum 0, Object 1, Interface / Union: maximum of possible selections,
 *   Connection: sized by first and last arguments, Mutation 10."
 *   https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits (Cost calculation)
 * - A connection costs two points plus its requested objects:
 *   "connections cost two points plus the number of returned objects"
 *   https://shopify.engineering/rate-limiting-graphql-apis-calculating-query-complexity
 *   and the reference's own example: `products(first: 1) { edges { node { title } } }`
 *   has "requestedQueryCost": 3 (2 + 1 x 1). https://shopify.dev/docs/api/admin-graphql (Rate limits)
 * - "A single query to the API cannot exceed a cost of 1000. This limit is
 *   enforced before query execution begins, and is therefore based on the
 *   requested cost." The actual cost counts what came back; the difference is
 *   refunded to the bucket. https://help.shopify.com/en/api/graphql-admin-api/call-limit
 *
 * Our readings where the pages say no more: `edges`/`node` and `nodes` are the
 * connection's objects, not extra ones; `pageInfo` is an object (1); a plain
 * list of objects without `first` (Product.options, selectedOptions) costs as
 * one object; `nodes(ids:)` costs each id as one object of its selection.
 */

export const MAX_QUERY_COST = 1000;

type Vars = Record<string, unknown>;

function argValue(node: ValueNode | undefined, vars: Vars): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return vars[node.name.value];
    case Kind.INT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map((v) => argValue(v, vars));
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    default:
      return undefined;
  }
}

function arg(field: FieldNode, name: string, vars: Vars) {
  return argValue(field.arguments?.find((a) => a.name.value === name)?.value, vars);
}

export const isConnection = (type: GraphQLOutputType) => getNamedType(type).name.endsWith("Connection");
const unwrap = (type: GraphQLOutputType) => (isNonNullType(type) ? type.ofType : type);

export class CostError extends Error {
  constructor(message: string) {
    super(message);
  }
}

export interface Ctx {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  vars: Vars;
}

/** The fields selected on `type` (fragments spread, inline fragments by type condition). */
export function fieldsOf(ctx: Ctx, set: SelectionSetNode | undefined, typeName: string, out: FieldNode[] = []): FieldNode[] {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (!sel.typeCondition || appliesTo(ctx, sel.typeCondition.name.value, typeName)) fieldsOf(ctx, sel.selectionSet, typeName, out);
    } else {
      const frag = ctx.fragments.get(sel.name.value);
      if (frag && appliesTo(ctx, frag.typeCondition.name.value, typeName)) fieldsOf(ctx, frag.selectionSet, typeName, out);
    }
  }
  return out;
}

function appliesTo(ctx: Ctx, condition: string, typeName: string) {
  if (condition === typeName) return true;
  const cond = ctx.schema.getType(condition);
  const type = ctx.schema.getType(typeName);
  return Boolean(cond && type && isAbstractType(cond) && "getInterfaces" in type && ctx.schema.isSubType(cond, type as never));
}

export function fieldDef(ctx: Ctx, typeName: string, name: string): GraphQLField<unknown, unknown> | undefined {
  const type = ctx.schema.getType(typeName);
  return type && "getFields" in type ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name] : undefined;
}

/** Cost of one object of `type` with `set` selected: 1 + its fields; an interface takes its costliest implementation. */
function objectCost(ctx: Ctx, type: GraphQLCompositeType, set: SelectionSetNode | undefined): number {
  const concrete = isAbstractType(type) ? ctx.schema.getPossibleTypes(type).map((t) => t.name) : [type.name];
  return 1 + Math.max(0, ...concrete.map((name) => selectionCost(ctx, set, name)));
}

/** The objects a connection's page holds: what `edges { node }` and `nodes` select, merged. */
export function connectionNodeSelection(ctx: Ctx, field: FieldNode, connectionType: string): SelectionSetNode {
  const selections = [];
  for (const f of fieldsOf(ctx, field.selectionSet, connectionType)) {
    if (f.name.value === "nodes" && f.selectionSet) selections.push(...f.selectionSet.selections);
    if (f.name.value === "edges") {
      const edgeType = getNamedType(fieldDef(ctx, connectionType, "edges")!.type).name;
      for (const e of fieldsOf(ctx, f.selectionSet, edgeType)) if (e.name.value === "node" && e.selectionSet) selections.push(...e.selectionSet.selections);
    }
  }
  return { kind: Kind.SELECTION_SET, selections };
}

function pageInfoCost(ctx: Ctx, field: FieldNode, connectionType: string) {
  return fieldsOf(ctx, field.selectionSet, connectionType).some((f) => f.name.value === "pageInfo") ? 1 : 0;
}

function selectionCost(ctx: Ctx, set: SelectionSetNode | undefined, typeName: string): number {
  let cost = 0;
  for (const field of fieldsOf(ctx, set, typeName)) {
    if (field.name.value.startsWith("__")) continue;
    const def = fieldDef(ctx, typeName, field.name.value);
    if (!def) continue; // validation reports unknown fields
    cost += fieldCost(ctx, field, def.type);
  }
  return cost;
}

function fieldCost(ctx: Ctx, field: FieldNode, type: GraphQLOutputType): number {
  const named = getNamedType(type);
  if (isLeafType(named)) return 0;
  const composite = named as GraphQLCompositeType;
  if (isConnection(type)) {
    const size = Number(arg(field, "first", ctx.vars) ?? arg(field, "last", ctx.vars));
    if (!Number.isInteger(size) || size < 0) throw new CostError(`you must provide one of first or last for the ${field.name.value} connection`);
    const nodeType = getNamedType(fieldDef(ctx, named.name, "nodes")!.type) as GraphQLCompositeType;
    return 2 + pageInfoCost(ctx, field, named.name) + size * objectCost(ctx, nodeType, connectionNodeSelection(ctx, field, named.name));
  }
  const ids = arg(field, "ids", ctx.vars);
  if (isListType(unwrap(type)) && Array.isArray(ids)) return ids.length * objectCost(ctx, composite, field.selectionSet);
  return objectCost(ctx, composite, field.selectionSet);
}

export function context(schema: GraphQLSchema, doc: { definitions: readonly unknown[] }, vars: Vars): Ctx {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions as FragmentDefinitionNode[]) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return { schema, fragments, vars };
}

/** The requested cost of an operation, before it runs. */
export function requestedCost(schema: GraphQLSchema, doc: { definitions: readonly unknown[] }, op: OperationDefinitionNode, vars: Vars = {}): number {
  const ctx = context(schema, doc, vars);
  if (op.operation === "mutation") {
    // "Mutation: 10" per mutation field; its payload is part of that price.
    return fieldsOf(ctx, op.selectionSet, "Mutation").length * 10;
  }
  return selectionCost(ctx, op.selectionSet, schema.getQueryType()!.name);
}

/**
 * The actual cost, from what came back: a connection costs 2 plus the cost of
 * each object it returned, a null object costs nothing.
 */
export function actualCost(schema: GraphQLSchema, doc: { definitions: readonly unknown[] }, op: OperationDefinitionNode, data: unknown, vars: Vars = {}): number {
  const ctx = context(schema, doc, vars);
  if (op.operation === "mutation") return fieldsOf(ctx, op.selectionSet, "Mutation").length * 10;
  return dataCost(ctx, op.selectionSet, schema.getQueryType()!.name, data);
}

function dataCost(ctx: Ctx, set: SelectionSetNode | undefined, typeName: string, value: unknown): number {
  if (!value || typeof value !== "object") return 0;
  const record = value as Record<string, unknown>;
  let cost = 0;
  for (const field of fieldsOf(ctx, set, typeName)) {
    const def = fieldDef(ctx, typeName, field.name.value);
    if (!def) continue;
    const named = getNamedType(def.type);
    if (isLeafType(named)) continue;
    const v = record[field.alias?.value ?? field.name.value];
    if (v == null) continue;
    if (isConnection(def.type)) {
      const conn = v as { nodes?: unknown[]; edges?: { node: unknown }[] };
      const items = conn.nodes ?? conn.edges?.map((e) => e.node) ?? [];
      const nodeSet = connectionNodeSelection(ctx, field, named.name);
      const nodeType = getNamedType(fieldDef(ctx, named.name, "nodes")!.type).name;
      cost += 2 + pageInfoCost(ctx, field, named.name) + items.reduce<number>((n, item) => n + 1 + dataCost(ctx, nodeSet, typeOf(ctx, nodeType, item), item), 0);
    } else if (Array.isArray(v)) {
      const each = v.filter((x) => x != null);
      if (arg(field, "ids", ctx.vars) !== undefined) cost += each.reduce<number>((n, item) => n + 1 + dataCost(ctx, field.selectionSet, typeOf(ctx, named.name, item), item), 0);
      else cost += 1 + Math.max(0, ...each.map((item) => dataCost(ctx, field.selectionSet, typeOf(ctx, named.name, item), item)));
    } else cost += 1 + dataCost(ctx, field.selectionSet, typeOf(ctx, named.name, v), v);
  }
  return cost;
}

function typeOf(ctx: Ctx, declared: string, value: unknown): string {
  const t = (value as { __typename?: string } | null)?.__typename;
  if (t) return t;
  // An interface without __typename in the result: the implementation whose fields the value has most of.
  const type = ctx.schema.getType(declared);
  if (!type || !isAbstractType(type) || !value || typeof value !== "object") return declared;
  const keys = Object.keys(value);
  const candidates = ctx.schema.getPossibleTypes(type);
  const best = candidates.reduce((a, b) => (keys.filter((k) => k in b.getFields()).length > keys.filter((k) => k in a.getFields()).length ? b : a), candidates[0]);
  return best?.name ?? declared;
}
