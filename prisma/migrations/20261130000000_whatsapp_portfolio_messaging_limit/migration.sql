-- Messaging limits are set per business portfolio since October 2025 (Meta's Messaging Limits page):
-- the limit moves from each number to the connection. The next health check fills it in.

-- AlterTable
ALTER TABLE "WhatsAppConnection" ADD COLUMN "messagingLimit" TEXT;
ALTER TABLE "WhatsAppConnection" ADD COLUMN "messagingLimitAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PhoneNumber" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "phoneNumberId" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "displayPhoneNumber" TEXT NOT NULL,
    "verifiedName" TEXT,
    "qualityRating" TEXT,
    "status" TEXT,
    "nameStatus" TEXT,
    "registered" BOOLEAN NOT NULL DEFAULT false,
    "pinCiphertext" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PhoneNumber_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "WhatsAppConnection" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PhoneNumber" ("active", "connectionId", "createdAt", "displayPhoneNumber", "id", "nameStatus", "phoneNumberId", "pinCiphertext", "qualityRating", "registered", "shop", "status", "updatedAt", "verifiedName") SELECT "active", "connectionId", "createdAt", "displayPhoneNumber", "id", "nameStatus", "phoneNumberId", "pinCiphertext", "qualityRating", "registered", "shop", "status", "updatedAt", "verifiedName" FROM "PhoneNumber";
DROP TABLE "PhoneNumber";
ALTER TABLE "new_PhoneNumber" RENAME TO "PhoneNumber";
CREATE INDEX "PhoneNumber_phoneNumberId_idx" ON "PhoneNumber"("phoneNumberId");
CREATE UNIQUE INDEX "PhoneNumber_shop_phoneNumberId_key" ON "PhoneNumber"("shop", "phoneNumberId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

