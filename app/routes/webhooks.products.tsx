import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveProductsWebhook } from "../catalog/products-webhook.server";
import { db } from "../db.server";
import { limitBody, methodNotAllowed } from "../webhooks/deliveries.server";

/**
 * products/create, products/update and products/delete: one route, topic from
 * the header. The production server answers these before Remix (app/server.ts);
 * this route serves them under `shopify app dev`. Same code either way.
 */
export const loader = methodNotAllowed;

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed();
  const limited = await limitBody(request);
  const answer = await receiveProductsWebhook(db, {
    header: (name) => limited.headers.get(name),
    body: Buffer.from(await limited.arrayBuffer()),
  });
  return Response.json(answer.body, { status: answer.status });
};
