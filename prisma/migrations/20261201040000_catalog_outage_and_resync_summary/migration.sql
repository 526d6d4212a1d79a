-- Issue 16: the Catalog page says when Meta is not answering (since when), and what a full sync removed and why.

-- AlterTable
ALTER TABLE "CatalogConnection" ADD COLUMN "unreachableSince" DATETIME;
ALTER TABLE "CatalogConnection" ADD COLUMN "fullSyncRemoved" INTEGER;
ALTER TABLE "CatalogConnection" ADD COLUMN "fullSyncStrays" INTEGER;
