-- Issue 16: the Catalog page says when Meta is not answering (since when), and what a full sync removed and why.

-- AlterTable
ALTER TABLE "CatalogConnection" ADD COLUMN     "unreachableSince" TIMESTAMP(3),
ADD COLUMN     "fullSyncRemoved" INTEGER,
ADD COLUMN     "fullSyncStrays" INTEGER;
