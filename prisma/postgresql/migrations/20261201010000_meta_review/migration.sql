-- Issue 17: Meta's review verdict per product and item, the freshness times, and the catalog's diagnostics.

-- AlterTable
ALTER TABLE "ProductSync" ADD COLUMN     "review" TEXT,
ADD COLUMN     "itemReviews" JSONB,
ADD COLUMN     "changedAt" TIMESTAMP(3),
ADD COLUMN     "sentAt" TIMESTAMP(3),
ADD COLUMN     "confirmedAt" TIMESTAMP(3),
ADD COLUMN     "reviewCheckAt" TIMESTAMP(3),
ADD COLUMN     "reviewChecks" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "CatalogConnection" ADD COLUMN     "diagnostics" JSONB,
ADD COLUMN     "diagnosticsAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ProductSync_status_reviewCheckAt_idx" ON "ProductSync"("status", "reviewCheckAt");

-- CreateIndex
CREATE INDEX "ProductSync_shop_sentAt_idx" ON "ProductSync"("shop", "sentAt");
