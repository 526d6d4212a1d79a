import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { productDetail, setProductSync } from "../catalog/status.server";
import { limitBody } from "../webhooks/deliveries.server";

/**
 * One product's catalog sync status as JSON, for Shopify admin extensions
 * (the product-page block): authenticated with the session token the
 * extension sends, CORS-enabled for the admin's extension origin.
 * GET -> status; POST { action: "sync" | "exclude" | "include" } -> new status.
 */

async function statusOf(shop: string, productId: string) {
  const connection = await db.catalogConnection.findUnique({ where: { shop }, select: { state: true, catalogId: true } });
  if (!connection?.catalogId || connection.state === "DISCONNECTED") return { connection: "NOT_CONNECTED" as const, product: null };
  const detail = await productDetail(db, shop, productId);
  return {
    connection: connection.state,
    product: detail && {
      productId: detail.productId,
      status: detail.status,
      excluded: detail.excluded,
      lastError: detail.lastError,
      lastSyncedAt: detail.lastSyncedAt?.toISOString() ?? null,
      // What Meta shows (issue 17): Pending, Sent, Live, Rejected, Needs fixing, Failed, Excluded.
      verdict: detail.verdict,
      sentAt: detail.sentAt?.toISOString() ?? null,
      confirmedAt: detail.confirmedAt?.toISOString() ?? null,
      variants: detail.items.map((i) => ({ retailerId: i.retailerId, status: i.status, error: i.error, verdict: i.verdict, reason: i.reason, fix: i.fix, image: i.image })),
    },
  };
}

const ProductId = z.string().regex(/^(\d{1,20}|gid:\/\/shopify\/Product\/\d{1,20})$/).transform((v) => v.replace(/^gid:\/\/shopify\/Product\//, ""));

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session, cors } = await authenticate.admin(request);
  const id = ProductId.safeParse(params.productId);
  if (!id.success) return cors(Response.json({ error: "Unknown product id" }, { status: 400 }));
  return cors(Response.json(await statusOf(session.shop, id.data)));
};

const Change = z.object({ action: z.enum(["sync", "exclude", "include"]) });
const MAX_BODY_BYTES = 16 * 1024;

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, cors } = await authenticate.admin(request);
  const id = ProductId.safeParse(params.productId);
  // The body is a few bytes; anything much larger is refused before it is read whole (issue 8).
  const limited = await limitBody(request, MAX_BODY_BYTES, 1024 * 1024).catch((answer: unknown) => answer);
  if (limited instanceof Response) return cors(Response.json({ error: `The body must be at most ${MAX_BODY_BYTES / 1024} KB of JSON` }, { status: 413 }));
  let body: unknown;
  try {
    if (!(limited instanceof Request)) throw limited;
    body = await limited.json();
  } catch {
    return cors(Response.json({ error: 'Body must be JSON: { "action": "sync" | "exclude" | "include" }' }, { status: 400 }));
  }
  const change = Change.safeParse(body);
  if (!id.success || !change.success) {
    return cors(Response.json({ error: 'Body must be { "action": "sync" | "exclude" | "include" } for a product id' }, { status: 400 }));
  }
  const found = await setProductSync(db, session.shop, id.data, change.data.action);
  if (!found) return cors(Response.json({ error: "This product has not reached the app yet" }, { status: 404 }));
  return cors(Response.json(await statusOf(session.shop, id.data)));
};
