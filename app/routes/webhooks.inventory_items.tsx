import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { receiveInventoryItem } from "../catalog/inventory-tracking.server";
import { db } from "../db.server";
import { authenticateWebhook } from "../webhooks/authenticate.server";
import { badRequest, limitBody, methodNotAllowed, webhookLogger } from "../webhooks/deliveries.server";

/**
 * inventory_items/create and inventory_items/update: whether the item's stock
 * is tracked (product webhooks lost `inventory_management` in API 2024-07).
 * The body is the inventory item alone (id, tracked, updated_at...; Shopify's
 * example: test/fixtures/shopify/inventory-items-update.json), no variant:
 * the variant it belongs to is known from product payloads' `inventory_item_id`.
 */
export const loader = methodNotAllowed;

const InventoryItem = z.object({
  id: z.union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,20}$/)]),
  admin_graphql_api_id: z.string().max(200).nullish(),
  tracked: z.boolean(),
  updated_at: z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date"),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } = await authenticateWebhook(await limitBody(request));
  const log = webhookLogger(webhookId, topic, shop);
  if (topic !== "INVENTORY_ITEMS_CREATE" && topic !== "INVENTORY_ITEMS_UPDATE") return badRequest(`Unexpected topic ${topic} for /webhooks/inventory_items`);
  const parsed = InventoryItem.safeParse(payload);
  if (!parsed.success) return badRequest("Expected an inventory item with id, tracked and updated_at");
  // The GraphQL id is exact where a numeric id past 2^53 is not (JSON numbers are doubles).
  const gid = /^gid:\/\/shopify\/InventoryItem\/(\d{1,20})$/.exec(parsed.data.admin_graphql_api_id ?? "");
  const inventoryItemId = gid ? gid[1] : String(parsed.data.id);
  const result = await receiveInventoryItem(db, shop, { inventoryItemId, tracked: parsed.data.tracked, updatedAt: new Date(parsed.data.updated_at) });
  log.debug({ result }, "inventory item webhook processed");
  return new Response(null, { status: 200 });
};
