import { GraphError, unsupported } from "./graph-error";
import type { SimReply, SimRequest } from "./request";
import type { ObjectKind, SimState } from "./state";

/** What a Graph handler gets: the request, the state and the runtime services. */
export interface SimRuntime {
  state: SimState;
  /** The simulator's base URL (for paging `next` links). */
  url: string;
  /** Runs `fn` after `ms`; cancelled when the simulator closes. */
  later(ms: number, fn: () => void): void;
  /** POSTs a signed webhook to the configured callback URL (recorded in state). */
  postWebhook(body: unknown): Promise<void>;
}

export interface Ctx {
  req: SimRequest;
  sim: SimRuntime;
  state: SimState;
  /** The object id of /{id}/... routes. */
  id: string;
  /** Absolute URL of this route with other query parameters, for paging links. */
  selfUrl(query: Record<string, string>): string;
}

export interface RouteDef {
  /** Same labels as app/meta/endpoints.ts, e.g. "POST /{catalog-id}/items_batch". */
  label: string;
  method: "GET" | "POST" | "DELETE";
  /** null for root paths (/debug_token, /oauth/access_token). */
  kind: ObjectKind | null;
  /** Edge name below the object, or the root path ("oauth/access_token"); null for the object itself. */
  edge: string | null;
  handle(ctx: Ctx): SimReply | Promise<SimReply>;
}

export const PLACEHOLDER: Record<ObjectKind, string> = {
  business: "{business-id}",
  waba: "{waba-id}",
  phone: "{phone-number-id}",
  catalog: "{catalog-id}",
};

export interface Resolved {
  label: string;
  route: RouteDef | null;
  id: string;
  /** Why no route answers (unknown object, edge or method). */
  error: GraphError | null;
}

/** Finds the route of a request and the label its calls are counted under. */
export function resolve(routes: RouteDef[], state: SimState, req: SimRequest): Resolved {
  const { method, segments } = req;
  const rootPath = segments.join("/");
  const roots = routes.filter((r) => r.kind === null && r.edge === rootPath);
  if (roots.length) {
    const route = roots.find((r) => r.method === method) ?? null;
    return { label: `${method} /${rootPath}`, route, id: "", error: route ? null : unsupported(method, rootPath) };
  }
  const [id = "", edge = null, ...rest] = segments;
  const kind = id ? state.kindOf(id) : null;
  if (!kind) {
    return { label: `${method} /{unknown}${edge ? `/${edge}` : ""}`, route: null, id, error: unsupported(method, id || "/") };
  }
  const label = `${method} /${PLACEHOLDER[kind]}${edge ? `/${edge}` : ""}`;
  const onPath = routes.filter((r) => r.kind === kind && r.edge === edge);
  if (rest.length || !onPath.length) {
    return { label, route: null, id, error: new GraphError(400, 2500, `Unknown path components: /${[edge, ...rest].join("/")}`) };
  }
  const route = onPath.find((r) => r.method === method) ?? null;
  return { label, route, id, error: route ? null : unsupported(method, id) };
}
