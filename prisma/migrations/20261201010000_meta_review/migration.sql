-- Issue 17: Meta's review verdict per product and item, the freshness times, and the catalog's diagnostics.

-- AlterTable
ALTER TABLE "ProductSync" ADD COLUMN "review" TEXT;
ALTER TABLE "ProductSync" ADD COLUMN "itemReviews" JSONB;
ALTER TABLE "ProductSync" ADD COLUMN "changedAt" DATETIME;
ALTER TABLE "ProductSync" ADD COLUMN "sentAt" DATETIME;
ALTER TABLE "ProductSync" ADD COLUMN "confirmedAt" DATETIME;
ALTER TABLE "ProductSync" ADD COLUMN "reviewCheckAt" DATETIME;
ALTER TABLE "ProductSync" ADD COLUMN "reviewChecks" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "CatalogConnection" ADD COLUMN "diagnostics" JSONB;
ALTER TABLE "CatalogConnection" ADD COLUMN "diagnosticsAt" DATETIME;

-- CreateIndex
CREATE INDEX "ProductSync_status_reviewCheckAt_idx" ON "ProductSync"("status", "reviewCheckAt");
CREATE INDEX "ProductSync_shop_sentAt_idx" ON "ProductSync"("shop", "sentAt");
