-- CreateTable
CREATE TABLE "InventoryItemState" (
    "shop" TEXT NOT NULL,
    "inventoryItemId" TEXT NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "tracked" BOOLEAN NOT NULL,
    "shopifyUpdatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "inventoryItemId")
);

-- CreateTable
CREATE TABLE "BulkExportLine" (
    "shop" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "parentId" TEXT,
    "data" TEXT NOT NULL,

    PRIMARY KEY ("shop", "runId", "line")
);

-- CreateIndex
CREATE INDEX "InventoryItemState_shop_variantId_idx" ON "InventoryItemState"("shop", "variantId");

-- CreateIndex
CREATE INDEX "BulkExportLine_shop_runId_parentId_line_idx" ON "BulkExportLine"("shop", "runId", "parentId", "line");

