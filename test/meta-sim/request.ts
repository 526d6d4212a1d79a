import type { IncomingMessage } from "node:http";
import { GraphError, invalidParam } from "./graph-error";

/** An incoming Graph request, parsed the way the Graph API reads parameters. */
export interface SimRequest {
  method: string;
  /** The version prefix the caller used (e.g. "v25.0"), or null. */
  version: string | null;
  /** Path segments below the version. */
  segments: string[];
  /** Query and body parameters merged (body wins), as Graph treats them alike. */
  params: Record<string, unknown>;
  bodyKind: "json" | "form" | "none";
  /** Bearer token or access_token parameter. */
  accessToken: string | null;
}

export interface SimReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const json = (body: unknown, status = 200): SimReply => ({ status, body });

/** Meta's documented payload limit for items_batch, plus room for the envelope. */
const MAX_BODY_BYTES = 29 * 1024 * 1024;

const VERSION = /^\/(v\d+\.\d+)(?=\/|$)/;

export async function readRequest(req: IncomingMessage, url: URL): Promise<SimRequest> {
  const raw = await readBody(req);
  const versionMatch = VERSION.exec(url.pathname);
  const path = versionMatch ? url.pathname.slice(versionMatch[0].length) : url.pathname;
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  let bodyKind: SimRequest["bodyKind"] = "none";
  if (raw.length > 0) {
    if (type === "application/json") {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw invalidParam("(#100) The request body is not valid JSON");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidParam("(#100) The JSON body must be an object");
      Object.assign(params, body);
      bodyKind = "json";
    } else if (type === "application/x-www-form-urlencoded" || type === "") {
      Object.assign(params, Object.fromEntries(new URLSearchParams(raw)));
      bodyKind = "form";
    } else {
      throw invalidParam(`(#100) Unsupported content type ${type}`);
    }
  }
  const auth = req.headers.authorization;
  const bearer = auth && /^(Bearer|OAuth)\s+/i.test(auth) ? auth.replace(/^(Bearer|OAuth)\s+/i, "").trim() : null;
  const param = typeof params.access_token === "string" ? params.access_token : null;
  return {
    method: (req.method ?? "GET").toUpperCase(),
    version: versionMatch?.[1] ?? null,
    segments: path.split("/").filter(Boolean).map(decodeURIComponent),
    params,
    bodyKind,
    accessToken: bearer || param,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new GraphError(413, 100, "(#100) The request payload is larger than 28 MB");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function stringParam(params: Record<string, unknown>, name: string): string | null {
  const v = params[name];
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null;
}

/** Cursor paging as Graph does it: `limit`, `after`/`before` cursors, `next` only when more remain. */
export function paginate<T>(list: T[], params: Record<string, unknown>, nextUrl: (after: string) => string, defaultLimit = 25, maxLimit = 5000) {
  const limit = Math.min(maxLimit, Math.max(1, Number(params.limit) || defaultLimit));
  const after = stringParam(params, "after");
  const start = after ? decodeCursor(after) + 1 : 0;
  const data = list.slice(start, start + limit);
  if (data.length === 0) return { data, paging: undefined };
  const last = start + data.length - 1;
  const afterCursor = encodeCursor(last);
  return {
    data,
    paging: {
      cursors: { before: encodeCursor(start), after: afterCursor },
      ...(last < list.length - 1 ? { next: nextUrl(afterCursor) } : {}),
    },
  };
}

const encodeCursor = (index: number) => Buffer.from(`idx:${index}`).toString("base64url");

function decodeCursor(cursor: string): number {
  const match = /^idx:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw invalidParam("(#100) Invalid cursor");
  return Number(match[1]);
}
