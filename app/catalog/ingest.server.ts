import type { Prisma } from "../db.server";
import { db } from "../db.server";
import { DuplicateDelivery, recordDelivery } from "../webhooks/deliveries.server";
import type { ProductSnapshot } from "./product-payload";

/**
 * The webhook half of the catalog pipeline: store the newest snapshot of a
 * product and mark it dirty, in one transaction with the delivery's
 * de-duplication. No Graph call here; the worker does that.
 */

export type IngestResult = "stored" | "duplicate" | "stale" | "unknown-shop";

interface Delivery {
  shop: string;
  topic: string;
  webhookId?: string;
}

async function shopIsInstalled(shop: string) {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  return Boolean(row && !row.uninstalledAt);
}

async function inTransaction(
  delivery: Delivery,
  work: (tx: Prisma.TransactionClient) => Promise<IngestResult>,
): Promise<IngestResult> {
  if (!(await shopIsInstalled(delivery.shop))) return "unknown-shop";
  try {
    return await db.$transaction(async (tx) => {
      await recordDelivery(tx, delivery.webhookId, delivery.shop, delivery.topic);
      return work(tx);
    });
  } catch (error) {
    if (error instanceof DuplicateDelivery) return "duplicate";
    throw error;
  }
}

/** products/create and products/update. */
export function ingestProduct(delivery: Delivery, product: ProductSnapshot): Promise<IngestResult> {
  const updatedAt = new Date(product.updated_at);
  return inTransaction(delivery, async (tx) => {
    const key = { shop_productId: { shop: delivery.shop, productId: product.id } };
    const existing = await tx.productSync.findUnique({
      where: key,
      select: { shopifyUpdatedAt: true, deleted: true, dirty: true },
    });
    // Shopify never reuses a product id, so a deleted product stays deleted;
    // an equal updated_at is the same state delivered again.
    if (existing && (existing.deleted || existing.shopifyUpdatedAt >= updatedAt)) return "stale";
    const now = new Date();
    await tx.productSync.upsert({
      where: key,
      create: {
        shop: delivery.shop,
        productId: product.id,
        title: product.title.slice(0, 500),
        snapshot: product as unknown as Prisma.InputJsonValue,
        shopifyUpdatedAt: updatedAt,
        dirty: true,
        dirtySince: now,
        status: "PENDING",
      },
      update: {
        title: product.title.slice(0, 500),
        snapshot: product as unknown as Prisma.InputJsonValue,
        shopifyUpdatedAt: updatedAt,
        dirty: true,
        ...(existing?.dirty ? {} : { dirtySince: now }),
        version: { increment: 1 },
        attempts: 0,
        nextAttemptAt: null,
      },
    });
    return "stored";
  });
}

/** products/delete: every retailer id pushed for the product is removed by the worker. */
export function ingestProductDelete(
  delivery: Delivery & { triggeredAt?: string },
  productId: string,
): Promise<IngestResult> {
  const at = delivery.triggeredAt && !Number.isNaN(Date.parse(delivery.triggeredAt))
    ? new Date(delivery.triggeredAt)
    : new Date();
  return inTransaction(delivery, async (tx) => {
    const key = { shop_productId: { shop: delivery.shop, productId } };
    const existing = await tx.productSync.findUnique({ where: key, select: { deleted: true, dirty: true } });
    if (existing?.deleted) return "stale";
    const now = new Date();
    await tx.productSync.upsert({
      where: key,
      create: {
        shop: delivery.shop,
        productId,
        snapshot: undefined,
        shopifyUpdatedAt: at,
        deleted: true,
        dirty: true,
        dirtySince: now,
        status: "PENDING",
      },
      update: {
        deleted: true,
        dirty: true,
        ...(existing?.dirty ? {} : { dirtySince: now }),
        version: { increment: 1 },
        attempts: 0,
        nextAttemptAt: null,
      },
    });
    return "stored";
  });
}
